package layout

import (
	"encoding/json"
	"regexp"
	"strings"
)

// commands fills in the project's test and lint commands, as it really
// has them, or why it has none.
func (t tree) commands(p *Project) {
	switch p.Kind {
	case "go":
		p.Tests, p.Lint = "go test ./...", "go vet ./..."
	case "node":
		t.node(p)
	case "python":
		t.python(p)
	case "rust":
		p.Tests, p.Lint = "cargo test", "cargo check"
		if _, err := t.look("cargo-clippy"); err == nil {
			p.Lint = "cargo clippy"
		}
	case "java":
		t.java(p)
	}
}

// npmStub is the test script `npm init` writes, which only fails.
var npmStub = regexp.MustCompile(`no test specified`)

func (t tree) node(p *Project) {
	var pkg struct {
		Name    string            `json:"name"`
		Scripts map[string]string `json:"scripts"`
	}
	if err := json.Unmarshal(t.read(join(p.Dir, "package.json")), &pkg); err != nil {
		p.Why = append(p.Why, "its package.json does not parse")
		return
	}
	p.Name = pkg.Name
	tool := p.Tool
	if tool == "" {
		tool = t.nodeTool(p.Dir)
	}
	pm, _, _ := strings.Cut(tool, "+")
	run := func(script string) string {
		if script == "test" && pm != "bun" { // `bun test` is bun's own runner, not the script
			return pm + " test"
		}
		return pm + " run " + script
	}
	if s := pkg.Scripts["test"]; s != "" && !npmStub.MatchString(s) {
		p.Tests = run("test")
	} else {
		p.Why = append(p.Why, "its package.json has no test script")
	}
	for _, s := range []string{"lint", "typecheck", "check-types", "check"} {
		if pkg.Scripts[s] != "" {
			p.Lint = run(s)
			break
		}
	}
	if p.Lint == "" {
		p.Why = append(p.Why, "no lint, typecheck or check script")
	}
}

func (t tree) python(p *Project) {
	own := string(t.read(join(p.Dir, "pyproject.toml")))
	var name struct {
		Project struct {
			Name string `toml:"name"`
		} `toml:"project"`
	}
	if decodeTOML(own, &name) == nil {
		p.Name = name.Project.Name
	}
	// A workspace's root configures its members: uv's dev dependencies,
	// [tool.ruff] and [tool.pytest] there apply below it.
	shared := own
	if p.Tool != "" && p.Workspace != p.Dir {
		shared += "\n" + string(t.read(join(p.Workspace, "pyproject.toml")))
	}
	for _, f := range []string{"requirements.txt", "requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt", "requirements/dev.txt", "requirements/test.txt"} {
		shared += "\n" + string(t.read(join(p.Dir, f)))
	}
	uses := func(tool string) bool {
		return regexp.MustCompile(`(?m)(^|[^a-z0-9_-])` + tool + `($|[^a-z0-9_-])`).MatchString(shared)
	}
	here := func(files ...string) bool {
		for _, f := range files {
			if t.has[join(p.Dir, f)] || p.Tool != "" && t.has[join(p.Workspace, f)] {
				return true
			}
		}
		return false
	}
	prefix := ""
	switch {
	case p.Tool == "uv" || here("uv.lock") || strings.Contains(shared, "[tool.uv"):
		prefix = "uv run "
	case here("poetry.lock") || strings.Contains(shared, "[tool.poetry"):
		prefix = "poetry run "
	case here("Pipfile.lock"):
		prefix = "pipenv run "
	}
	if uses("pytest") || here("pytest.ini", "conftest.py", "tests/conftest.py") {
		p.Tests = prefix + "pytest"
		if prefix == "" {
			p.Tests = "python -m pytest"
		}
	} else {
		p.Why = append(p.Why, "no pytest configuration or dependency")
	}
	switch {
	case uses("ruff") || here("ruff.toml", ".ruff.toml"):
		p.Lint = prefix + "ruff check ."
	case uses("flake8") || here(".flake8"):
		p.Lint = prefix + "flake8"
	default:
		p.Why = append(p.Why, "no ruff or flake8")
	}
}

func (t tree) java(p *Project) {
	wrapper := func(name string) string {
		for _, dir := range []string{p.Dir, p.Workspace, ""} {
			if t.has[join(dir, name)] {
				rel := strings.Repeat("../", depth(p.Dir)-depth(dir))
				if rel == "" {
					rel = "./"
				}
				return rel + name
			}
		}
		return ""
	}
	switch {
	case t.has[join(p.Dir, "pom.xml")]:
		mvn := wrapper("mvnw")
		if mvn == "" {
			mvn = "mvn"
		}
		p.Tests = mvn + " -q test"
	default:
		gradle := wrapper("gradlew")
		if gradle == "" {
			gradle = "gradle"
		}
		p.Tests = gradle + " test"
	}
	p.Why = append(p.Why, "no lint task is known for it (add a checks hook for yours)")
}

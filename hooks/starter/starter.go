// Package starter writes the first hookd.toml of a repository (`hookd
// init`): it finds the spec tools in use, the projects below the root and
// the commands they really have, and the agent CLIs on PATH, and renders a
// commented config from what it found. It proposes no command a project
// does not have and no path that matches no file.
package starter

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/template"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/safefile"
)

// MaxProjects is how many projects get hooks of their own; more are named
// in a note, for the user to add.
const MaxProjects = 6

// Project is one buildable project of the repository: a directory with a
// manifest, and the commands its manifest says it has.
type Project struct {
	Dir  string // repository-relative; "" for the root
	Kind string // go, node, python or rust
	// Tests and Check are the commands that run its tests and its checks
	// (lint, vet), run in Dir; empty when it has none.
	Tests, Check string
	// Paths are the globs of its sources, every one matching a file.
	Paths []string
	// Why says what is missing, when Tests or Check is empty.
	Why []string
}

// Name is the prefix of its hooks' names: "" for the root, else its
// directory as a name ("apps/web" → "apps-web").
func (p Project) Name() string {
	return strings.Trim(nonName.ReplaceAllString(strings.ToLower(p.Dir), "-"), "-")
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// Layout is what the repository holds.
type Layout struct {
	Kiro, SpecKit, OpenSpec, AgentsMD bool
	Projects                          []Project
	// More are the projects found beyond MaxProjects; Idle those with no
	// test or check command to run.
	More, Idle []string
	// Agent is the first agent preset whose CLI is on PATH.
	Agent string
}

// Specs reports whether any spec tool is in use.
func (l Layout) Specs() bool { return l.Kiro || l.SpecKit || l.OpenSpec }

// Blocking reports whether the config has a blocking pre-commit hook,
// which needs `hookd git install`.
func (l Layout) Blocking() bool {
	for _, p := range l.Projects {
		if p.Check != "" {
			return true
		}
	}
	return false
}

// skipDirs hold no project of the repository's own, whatever git says.
var skipDirs = []string{"node_modules", "vendor", ".venv", "venv", "dist", "build", "target", "testdata", "fixtures", ".git"}

// maxDepth is how deep below the root a manifest may be.
const maxDepth = 3

// Detect looks at root, whose files (repository-relative, as the watcher
// sees them: .gitignore respected) are given, and at PATH through
// lookPath.
func Detect(root string, files []string, lookPath func(string) (string, error)) Layout {
	has := map[string]bool{}
	for _, f := range files {
		has[f] = true
	}
	under := func(prefix string) bool {
		for _, f := range files {
			if strings.HasPrefix(f, prefix) {
				return true
			}
		}
		return false
	}
	l := Layout{
		Kiro:     under(".kiro/"),
		SpecKit:  under(".specify/") || under("specs/"),
		OpenSpec: under("openspec/"),
		AgentsMD: has["AGENTS.md"],
	}
	for _, preset := range hooks.Presets() { // in the order of preference
		if bin := (&hooks.Agent{Preset: preset}).Program(); bin != "" {
			if _, err := lookPath(bin); err == nil {
				l.Agent = preset
				break
			}
		}
	}
	var found []Project
	seen := map[string]bool{}
	for _, f := range files {
		dir, base := path.Split(f)
		dir = strings.TrimSuffix(dir, "/")
		kind := manifestKind(base)
		if kind == "" || seen[dir] || strings.Count(f, "/") > maxDepth || skipped(dir) {
			continue
		}
		seen[dir] = true
		p := Project{Dir: dir, Kind: kind}
		r := reader{root: root, dir: dir, has: has}
		switch kind {
		case "go":
			p.Tests, p.Check = "go test ./...", "go vet ./..."
		case "node":
			r.node(&p)
		case "python":
			r.python(&p)
		case "rust":
			p.Tests, p.Check = "cargo test", "cargo check"
			if _, err := lookPath("cargo-clippy"); err == nil {
				p.Check = "cargo clippy"
			}
		}
		p.Paths = sourcePaths(p, files)
		if len(p.Paths) == 0 {
			continue // nothing to watch
		}
		found = append(found, p)
	}
	found = dropCovered(found)
	// The shallowest first: the root, then its direct projects.
	sort.SliceStable(found, func(i, j int) bool {
		di, dj := depth(found[i].Dir), depth(found[j].Dir)
		if di != dj {
			return di < dj
		}
		return found[i].Dir < found[j].Dir
	})
	for _, p := range found {
		switch {
		case p.Tests == "" && p.Check == "":
			l.Idle = append(l.Idle, p.where())
		case len(l.Projects) >= MaxProjects:
			l.More = append(l.More, p.Dir)
		default:
			l.Projects = append(l.Projects, p)
		}
	}
	return l
}

// where names the project for a person: "frontend/", "the root".
func (p Project) where() string {
	if p.Dir == "" {
		return "the root"
	}
	return p.Dir + "/"
}

func depth(dir string) int {
	if dir == "" {
		return 0
	}
	return strings.Count(dir, "/") + 1
}

func skipped(dir string) bool {
	for _, part := range strings.Split(dir, "/") {
		if slices.Contains(skipDirs, part) || strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}

func manifestKind(base string) string {
	switch base {
	case "go.mod":
		return "go"
	case "package.json":
		return "node"
	case "pyproject.toml", "setup.py", "requirements.txt":
		return "python"
	case "Cargo.toml":
		return "rust"
	}
	return ""
}

// dropCovered leaves out a project whose tests its parent's already run:
// a member of a node workspace or a Rust workspace whose root has tests.
func dropCovered(ps []Project) []Project {
	var out []Project
	for _, p := range ps {
		covered := false
		for _, q := range ps {
			if q.Dir != p.Dir && q.Kind == p.Kind && (p.Kind == "node" || p.Kind == "rust") && q.Tests != "" &&
				(q.Dir == "" || strings.HasPrefix(p.Dir, q.Dir+"/")) && q.workspace() {
				covered = true
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// workspace is set by the readers on a project whose manifest declares
// workspace members.
func (p Project) workspace() bool { return slices.Contains(p.Why, workspaceMark) }

const workspaceMark = "\x00workspace"

// reader reads one project's manifests.
type reader struct {
	root, dir string
	has       map[string]bool
}

func (r reader) rel(name string) string {
	if r.dir == "" {
		return name
	}
	return r.dir + "/" + name
}

func (r reader) read(name string) []byte {
	data, err := safefile.ReadInside(r.root, r.rel(name), 1<<20)
	if err != nil {
		return nil
	}
	return data
}

// npmStub is the test script `npm init` writes, which only fails.
var npmStub = regexp.MustCompile(`no test specified`)

func (r reader) node(p *Project) {
	var pkg struct {
		Scripts    map[string]string `json:"scripts"`
		Workspaces json.RawMessage   `json:"workspaces"`
	}
	if err := json.Unmarshal(r.read("package.json"), &pkg); err != nil {
		p.Why = append(p.Why, "package.json does not parse")
		return
	}
	if len(pkg.Workspaces) > 0 && string(pkg.Workspaces) != "null" {
		p.Why = append(p.Why, workspaceMark)
	}
	pm := "npm"
	switch {
	case r.has[r.rel("pnpm-lock.yaml")] || r.has["pnpm-lock.yaml"]:
		pm = "pnpm"
	case r.has[r.rel("yarn.lock")] || r.has["yarn.lock"]:
		pm = "yarn"
	case r.has[r.rel("bun.lockb")] || r.has[r.rel("bun.lock")]:
		pm = "bun"
	}
	if t := pkg.Scripts["test"]; t != "" && !npmStub.MatchString(t) {
		p.Tests = pm + " test"
	} else {
		p.Why = append(p.Why, "its package.json has no test script")
	}
	for _, s := range []string{"lint", "typecheck", "check"} {
		if pkg.Scripts[s] != "" {
			p.Check = pm + " run " + s
			break
		}
	}
	if p.Check == "" {
		p.Why = append(p.Why, "no lint, typecheck or check script")
	}
}

func (r reader) python(p *Project) {
	pyproject := string(r.read("pyproject.toml"))
	reqs := string(r.read("requirements.txt")) + string(r.read("requirements-dev.txt"))
	uses := func(tool string) bool {
		return strings.Contains(pyproject, tool) || strings.Contains(reqs, tool)
	}
	if uses("pytest") || r.has[r.rel("pytest.ini")] || r.has[r.rel("conftest.py")] || r.has[r.rel("tests/conftest.py")] {
		p.Tests = "python -m pytest"
	} else {
		p.Why = append(p.Why, "no pytest configuration or dependency")
	}
	switch {
	case uses("ruff"):
		p.Check = "ruff check ."
	case uses("flake8") || r.has[r.rel(".flake8")]:
		p.Check = "flake8"
	default:
		p.Why = append(p.Why, "no ruff or flake8")
	}
}

// sourceExts are the files of each kind of project.
var sourceExts = map[string]string{
	"go":     "go",
	"node":   "{js,jsx,ts,tsx,mjs,cjs,vue,svelte}",
	"python": "py",
	"rust":   "rs",
}

// sourcePaths are the globs of a project's sources: its src/ (or app/,
// lib/) when that holds them, else the whole project; every glob must
// match a file, or it is left out.
func sourcePaths(p Project, files []string) []string {
	prefix := ""
	if p.Dir != "" {
		prefix = p.Dir + "/"
	}
	ext := sourceExts[p.Kind]
	var candidates [][]string
	for _, sub := range []string{"src", "app", "lib"} {
		if p.Kind == "node" {
			candidates = append(candidates, []string{prefix + sub + "/**/*." + ext})
		}
	}
	candidates = append(candidates, []string{prefix + "**/*." + ext})
	for _, c := range candidates {
		g, err := rules.CompileGlobs(c)
		if err != nil {
			continue
		}
		for _, f := range files {
			if g.Match(f) && !skipped(path.Dir(f)) {
				return c
			}
		}
	}
	return nil
}

//go:embed starter.tmpl
var starterTmpl string

var tmpl = template.Must(template.New("hookd.toml").Funcs(template.FuncMap{
	"q":    func(s string) string { return fmt.Sprintf("%q", s) },
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"qs": func(s []string) string {
		var out []string
		for _, v := range s {
			out = append(out, fmt.Sprintf("%q", v))
		}
		return strings.Join(out, ", ")
	},
	"hookName": func(p Project, what string) string {
		if n := p.Name(); n != "" {
			return n + "-" + what
		}
		return what
	},
	"why": func(p Project) string {
		var out []string
		for _, w := range p.Why {
			if w != workspaceMark {
				out = append(out, w)
			}
		}
		return strings.Join(out, "; ")
	},
}).Parse(starterTmpl))

// Config renders the hookd.toml that fits the layout.
func (l Layout) Config() (string, error) {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, l); err != nil {
		return "", fmt.Errorf("render the starter config: %w", err)
	}
	return b.String(), nil
}

// HasHooks reports whether the layout gives any hook of its own: a project
// command or a spec tool.
func (l Layout) HasHooks() bool {
	for _, p := range l.Projects {
		if p.Tests != "" || p.Check != "" {
			return true
		}
	}
	return l.Specs()
}

// Describe says in one line what was found.
func (l Layout) Describe() string {
	var parts []string
	for _, f := range []struct {
		on   bool
		name string
	}{{l.Kiro, "Kiro (.kiro/)"}, {l.SpecKit, "Spec Kit"}, {l.OpenSpec, "OpenSpec"}, {l.AgentsMD, "AGENTS.md"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	switch n := len(l.Projects) + len(l.More) + len(l.Idle); {
	case n == 1 && len(l.Projects) == 1:
		p := l.Projects[0]
		parts = append(parts, fmt.Sprintf("a %s project %s", p.Kind, strings.Replace(p.where(), "the root", "at the root", 1)))
	case n == 1:
		parts = append(parts, "a project with no test or check command ("+strings.Join(append(l.More, l.Idle...), "")+")")
	case n > 1:
		var names []string
		for _, p := range l.Projects {
			names = append(names, p.Kind+" in "+p.where())
		}
		s := fmt.Sprintf("%d projects (%s", n, strings.Join(names, ", "))
		if rest := len(l.More) + len(l.Idle); rest > 0 {
			s += fmt.Sprintf(", and %d more", rest)
		}
		parts = append(parts, s+")")
	}
	if l.Agent != "" {
		parts = append(parts, "the "+l.Agent+" agent CLI")
	} else {
		parts = append(parts, "no agent CLI on PATH")
	}
	return strings.Join(parts, ", ")
}

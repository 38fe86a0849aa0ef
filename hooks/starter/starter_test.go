package starter_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/starter"
)

func layout(t *testing.T, files map[string]string, onPath ...string) (string, starter.Layout) {
	t.Helper()
	root := t.TempDir()
	for rel, text := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lookPath := func(bin string) (string, error) {
		if slices.Contains(onPath, bin) {
			return "/usr/bin/" + bin, nil
		}
		return "", errors.New("not found")
	}
	return root, starter.Detect(root, ignore.Walk(root, "", nil).Files, lookPath)
}

// sound loads the config the layout renders: no problem, no warning, and
// the hooks named.
func sound(t *testing.T, root string, l starter.Layout, want ...string) {
	t.Helper()
	text, err := l.Config()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, hooks.RepoFile), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root, TrustAll: true})
	if len(probs) > 0 {
		t.Fatalf("problems %v in:\n%s", probs, text)
	}
	if warns := hooks.Lint(cfg, root, ignore.Walk(root, "", nil).Files); len(warns) > 0 {
		t.Errorf("warnings %v in:\n%s", warns, text)
	}
	var got []string
	for _, h := range cfg.Hooks {
		got = append(got, h.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("hooks %v, want %v, in:\n%s", got, want, text)
	}
}

func TestProjectsBelowTheRootWithTheirOwnCommands(t *testing.T) {
	root, l := layout(t, map[string]string{
		"web/package.json":      `{"scripts": {"test": "vitest run", "typecheck": "tsc"}}`,
		"web/pnpm-lock.yaml":    "",
		"web/src/main.ts":       "",
		"api/go.mod":            "module x",
		"api/cmd/main.go":       "package main",
		"tools/Cargo.toml":      "[package]",
		"tools/src/lib.rs":      "",
		"a/b/c/d/e/f/go.mod":    "module deep", // too deep to be a project of the repository's own
		"a/b/c/d/e/f/main.go":   "package main",
		"docs/README.md":        "",
		"testdata/x/go.mod":     "module fixture",
		"testdata/x/x.go":       "package x",
		"empty/pyproject.toml":  "[project]", // no test runner, no linter: nothing to run
		"empty/empty/module.py": "",
	})
	if len(l.Projects) != 3 || len(l.Skipped) != 1 || l.Skipped[0].Dir != "empty" {
		t.Fatalf("projects %+v, skipped %v", l.Projects, l.Skipped)
	}
	byDir := map[string]starter.Project{}
	for _, p := range l.Projects {
		byDir[p.Dir] = p
	}
	for dir, want := range map[string][2]string{
		"web":   {"pnpm test", "pnpm run typecheck"},
		"api":   {"go test ./...", "go vet ./..."},
		"tools": {"cargo test", "cargo check"}, // no cargo-clippy on PATH
	} {
		if p := byDir[dir]; p.Tests != want[0] || p.Lint != want[1] {
			t.Errorf("%s: tests %q, lint %q; want %q", dir, p.Tests, p.Lint, want)
		}
	}
	if got := byDir["web"].Paths; !slices.Equal(got, []string{"web/**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts,vue,svelte,astro}"}) {
		t.Errorf("web paths %v", got)
	}
	if d := l.Describe(); d != "3 projects (go in api/, rust in tools/, node in web/), no agent CLI on PATH" {
		t.Errorf("describe: %s", d)
	}
	sound(t, root, l, "api-tests", "api-checks", "tools-tests", "tools-checks", "web-tests", "web-checks")
	if !l.Blocking() {
		t.Error("a layout with checks has a blocking hook")
	}
}

// A workspace root whose tests run every member's gets no hook: each
// member has its own, run by the root's package manager in its directory,
// and the written config says why the root has none.
func TestWorkspaceMembersHaveTheirOwnHooks(t *testing.T) {
	root, l := layout(t, map[string]string{
		"package.json":               `{"workspaces": ["packages/*"], "scripts": {"test": "turbo test"}}`,
		"yarn.lock":                  "",
		"packages/a/package.json":    `{"scripts": {"test": "jest"}}`,
		"packages/a/src/index.ts":    "",
		"packages/b/package.json":    `{"scripts": {"test": "jest"}}`,
		"packages/b/lib/index.js":    "",
		"services/py/pyproject.toml": "[tool.pytest.ini_options]\n[tool.ruff]\n",
		"services/py/app.py":         "",
	})
	var dirs []string
	for _, p := range l.Projects {
		dirs = append(dirs, p.Dir)
	}
	if !slices.Equal(dirs, []string{"packages/a", "packages/b", "services/py"}) {
		t.Fatalf("projects %v", dirs)
	}
	if l.Projects[0].Tests != "yarn test" || l.Projects[2].Tests != "python -m pytest" || l.Projects[2].Lint != "ruff check ." {
		t.Errorf("%+v", l.Projects)
	}
	text, _ := l.Config()
	if !strings.Contains(text, "# No hooks for the root: a yarn workspace of 2 projects: each member has hooks of its own") {
		t.Errorf("the config does not say why the root has no hooks:\n%s", text)
	}
	sound(t, root, l, "packages-a-tests", "packages-b-tests", "services-py-tests", "services-py-checks")
}

// Many projects: every one gets its hooks.
func TestEveryProjectGetsHooks(t *testing.T) {
	files := map[string]string{}
	var want []string
	for i := range 9 {
		files[fmt.Sprintf("svc%d/go.mod", i)] = "module x"
		files[fmt.Sprintf("svc%d/main.go", i)] = "package main"
		want = append(want, fmt.Sprintf("svc%d-tests", i), fmt.Sprintf("svc%d-checks", i))
	}
	root, l := layout(t, files)
	if len(l.Projects) != 9 || len(l.Skipped) != 0 {
		t.Fatalf("%d projects, skipped %v", len(l.Projects), l.Skipped)
	}
	sound(t, root, l, want...)
}

// Specs and an agent: impact and the agent hook; no project, no
// blocking hook.
func TestSpecsWithAnAgent(t *testing.T) {
	root, l := layout(t, map[string]string{
		".kiro/specs/login/requirements.md": "# R",
		"openspec/specs/auth/spec.md":       "# S",
		"AGENTS.md":                         "be nice",
	}, "codex")
	if !l.Kiro || !l.OpenSpec || !l.AgentsMD || l.Agent != "codex" || l.Blocking() {
		t.Fatalf("%+v", l)
	}
	if d := l.Describe(); d != "Kiro (.kiro/), OpenSpec, AGENTS.md, the codex agent CLI" {
		t.Errorf("describe: %s", d)
	}
	sound(t, root, l, "impact", "tasks-follow-requirements")
}

func TestNothingToGoOn(t *testing.T) {
	root, l := layout(t, map[string]string{"README.md": "hi", "package.json": "not json"})
	if len(l.Projects) != 0 || l.HasHooks() {
		t.Fatalf("%+v", l)
	}
	sound(t, root, l, "changes")
}

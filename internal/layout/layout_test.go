package layout

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/ignore"
)

// detect lays files out in a temporary directory and detects them, with
// only the tools named on PATH.
func detect(t *testing.T, files map[string]string, onPath ...string) Layout {
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
	look := func(bin string) (string, error) {
		if slices.Contains(onPath, bin) {
			return "/usr/bin/" + bin, nil
		}
		return "", errors.New("not found")
	}
	return Detect(root, ignore.Walk(root, "", nil).Files, look)
}

// project is the project found in dir, or fails.
func project(t *testing.T, l Layout, dir string) Project {
	t.Helper()
	for _, p := range l.Projects {
		if p.Dir == dir {
			return p
		}
	}
	t.Fatalf("no project in %q; projects %+v, skipped %+v", dir, l.Projects, l.Skipped)
	return Project{}
}

func skippedWhy(l Layout, dir string) string {
	for _, s := range l.Skipped {
		if s.Dir == dir {
			return s.Why
		}
	}
	return ""
}

// A pnpm + turbo monorepo (apps/*, packages/*) with a Python app beside
// it, as create-turbo lays one out: each package gets its own scripts run
// by pnpm in its own directory; the root, whose scripts are `turbo run`,
// gets none; a package with no scripts is skipped with why; the Python app
// runs pytest and ruff through uv.
func TestPnpmTurboMonorepoWithAPythonApp(t *testing.T) {
	l := detect(t, map[string]string{
		"package.json":                   `{"name": "acme", "private": true, "scripts": {"test": "turbo run test", "lint": "turbo run lint"}, "packageManager": "pnpm@9.0.0"}`,
		"pnpm-workspace.yaml":            "packages:\n  - \"apps/*\"\n  - \"packages/*\"\n",
		"pnpm-lock.yaml":                 "lockfileVersion: '9.0'\n",
		"turbo.json":                     `{"tasks": {}}`,
		"apps/web/package.json":          `{"name": "web", "scripts": {"test": "vitest run", "lint": "next lint"}}`,
		"apps/web/app/page.tsx":          "export default function Page() {}",
		"apps/web/components/Nav.tsx":    "export const Nav = 1",
		"apps/docs/package.json":         `{"name": "docs", "scripts": {"dev": "next dev", "check-types": "tsc --noEmit"}}`,
		"apps/docs/app/page.tsx":         "",
		"packages/ui/package.json":       `{"name": "@acme/ui", "scripts": {"test": "jest", "lint": "eslint . --max-warnings 0"}}`,
		"packages/ui/src/button.tsx":     "",
		"packages/tsconfig/package.json": `{"name": "@acme/tsconfig"}`,
		"packages/tsconfig/base.json":    "{}",
		"apps/api/pyproject.toml":        "[project]\nname = \"api\"\n[dependency-groups]\ndev = [\"pytest>=8\", \"ruff\"]\n",
		"apps/api/uv.lock":               "version = 1\n",
		"apps/api/app/main.py":           "",
		"apps/api/tests/test_main.py":    "",
	})
	if len(l.Workspaces) != 1 || l.Workspaces[0].Tool != "pnpm+turbo" || len(l.Workspaces[0].Members) != 4 {
		t.Fatalf("workspaces %+v", l.Workspaces)
	}
	web := project(t, l, "apps/web")
	if web.Tests != "pnpm test" || web.Lint != "pnpm run lint" || !reflect.DeepEqual(web.Paths, []string{"apps/web/**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts,vue,svelte,astro}"}) {
		t.Errorf("apps/web: %+v", web)
	}
	if docs := project(t, l, "apps/docs"); docs.Tests != "" || docs.Lint != "pnpm run check-types" {
		t.Errorf("apps/docs: %+v", docs)
	}
	if ui := project(t, l, "packages/ui"); ui.Tests != "pnpm test" || ui.Name != "@acme/ui" {
		t.Errorf("packages/ui: %+v", ui)
	}
	api := project(t, l, "apps/api")
	if api.Tests != "uv run pytest" || api.Lint != "uv run ruff check ." || api.Paths[0] != "apps/api/**/*.py" {
		t.Errorf("apps/api: %+v", api)
	}
	if why := skippedWhy(l, ""); !strings.Contains(why, "a pnpm+turbo workspace of 4 projects") {
		t.Errorf("the root: %q", why)
	}
	if why := skippedWhy(l, "packages/tsconfig"); !strings.Contains(why, "no node sources") {
		t.Errorf("packages/tsconfig: %q", why)
	}
	for _, p := range l.Projects {
		if p.Dir == "" {
			t.Errorf("a root project that repeats its members: %+v", p)
		}
	}
}

// A Go workspace: each module used gets go test in its own directory.
func TestGoWorkspace(t *testing.T) {
	l := detect(t, map[string]string{
		"go.work":               "go 1.22\n\nuse (\n\t./api // the service\n\t./lib\n)\nuse ./tools\n",
		"api/go.mod":            "module example.com/api",
		"api/main.go":           "package main",
		"lib/go.mod":            "module example.com/lib",
		"lib/lib.go":            "package lib",
		"tools/go.mod":          "module example.com/tools",
		"tools/gen/main.go":     "package main",
		"experiments/go.mod":    "module example.com/exp",
		"experiments/x/main.go": "package main",
	})
	if len(l.Workspaces) != 1 || !reflect.DeepEqual(l.Workspaces[0].Members, []string{"api", "lib", "tools"}) {
		t.Fatalf("workspaces %+v", l.Workspaces)
	}
	for _, dir := range []string{"api", "lib", "tools", "experiments"} {
		p := project(t, l, dir)
		if p.Tests != "go test ./..." || p.Paths[0] != dir+"/**/*.go" {
			t.Errorf("%s: %+v", dir, p)
		}
	}
}

// A uv workspace: members under packages/*, the root a package too, its
// dev dependencies and [tool.ruff] shared; the root's sources leave the
// members' out.
func TestUVWorkspace(t *testing.T) {
	l := detect(t, map[string]string{
		"pyproject.toml":                      "[project]\nname = \"albatross\"\n\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\nexclude = [\"packages/seeds\"]\n\n[dependency-groups]\ndev = [\"pytest\"]\n\n[tool.ruff]\nline-length = 100\n",
		"uv.lock":                             "version = 1\n",
		"src/albatross/main.py":               "",
		"packages/bird-feeder/pyproject.toml": "[project]\nname = \"bird-feeder\"\n",
		"packages/bird-feeder/src/bird_feeder/__init__.py": "",
		"packages/seeds/pyproject.toml":                    "[project]\nname = \"seeds\"\n",
		"packages/seeds/src/seeds/__init__.py":             "",
	})
	if len(l.Workspaces) != 1 || !reflect.DeepEqual(l.Workspaces[0].Members, []string{"", "packages/bird-feeder"}) {
		t.Fatalf("workspaces %+v", l.Workspaces)
	}
	root := project(t, l, "")
	if root.Tests != "uv run pytest" || root.Lint != "uv run ruff check ." || !slices.Contains(root.Paths, "!packages/bird-feeder/**") {
		t.Errorf("the root: %+v", root)
	}
	member := project(t, l, "packages/bird-feeder")
	if member.Tests != "uv run pytest" || member.Lint != "uv run ruff check ." {
		t.Errorf("a member, configured by its workspace: %+v", member)
	}
	// Excluded from the workspace, with nothing of its own configured.
	if why := skippedWhy(l, "packages/seeds"); !strings.Contains(why, "no pytest") {
		t.Errorf("packages/seeds: %q (projects %+v)", why, l.Projects)
	}
}

// A TypeScript app whose sources are not under src/: what its tsconfig
// includes is what its hooks watch.
func TestTypeScriptAppOutsideSrc(t *testing.T) {
	l := detect(t, map[string]string{
		"package.json":              `{"name": "ext", "scripts": {"test": "vitest run", "lint": "eslint ."}}`,
		"package-lock.json":         "{}",
		"tsconfig.json":             "{\n  // the extension\n  \"compilerOptions\": {\"strict\": true,},\n  \"include\": [\"lib\", \"components/**/*\", \"entrypoints/**/*.ts\", \"env.d.ts\"],\n}\n",
		"lib/storage.ts":            "",
		"components/Popup.tsx":      "",
		"components/ui/Button.tsx":  "",
		"entrypoints/background.ts": "",
		"env.d.ts":                  "",
		"scripts/release.mjs":       "",
	})
	p := project(t, l, "")
	want := []string{
		"lib/**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts,vue,svelte,astro}",
		"components/**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts,vue,svelte,astro}",
		"entrypoints/**/*.ts",
		"env.d.ts",
	}
	if p.Tests != "npm test" || p.Lint != "npm run lint" || !reflect.DeepEqual(p.Paths, want) {
		t.Errorf("%+v\nwant paths %q", p, want)
	}
}

// A Cargo workspace: each crate its own cargo test; a virtual root is no
// project; clippy when it is installed.
func TestCargoWorkspace(t *testing.T) {
	l := detect(t, map[string]string{
		"Cargo.toml":              "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\", \"xtask\"]\n",
		"Cargo.lock":              "",
		"crates/core/Cargo.toml":  "[package]\nname = \"core\"\n",
		"crates/core/src/lib.rs":  "",
		"crates/cli/Cargo.toml":   "[package]\nname = \"cli\"\n",
		"crates/cli/src/main.rs":  "",
		"crates/cli/tests/cli.rs": "",
		"xtask/Cargo.toml":        "[package]\nname = \"xtask\"\n",
		"xtask/src/main.rs":       "",
	}, "cargo-clippy")
	for _, dir := range []string{"crates/core", "crates/cli", "xtask"} {
		if p := project(t, l, dir); p.Tests != "cargo test" || p.Lint != "cargo clippy" || p.Paths[0] != dir+"/**/*.rs" {
			t.Errorf("%s: %+v", dir, p)
		}
	}
	if why := skippedWhy(l, ""); !strings.Contains(why, "a cargo workspace of 3 projects") {
		t.Errorf("the root: %q", why)
	}
}

// Maven modules and Gradle subprojects: each its own tests, through the
// wrapper at the root when there is one.
func TestMavenAndGradleModules(t *testing.T) {
	l := detect(t, map[string]string{
		"pom.xml":                          "<project><packaging>pom</packaging><modules>\n<module>core</module>\n<module>web</module>\n</modules></project>",
		"mvnw":                             "",
		"core/pom.xml":                     "<project/>",
		"core/src/main/java/a/A.java":      "",
		"web/pom.xml":                      "<project/>",
		"web/src/main/java/a/W.java":       "",
		"g/settings.gradle.kts":            "rootProject.name = \"g\"\ninclude(\":libs:util\", \":app\")\n",
		"g/gradlew":                        "",
		"g/app/build.gradle.kts":           "",
		"g/app/src/main/kotlin/App.kt":     "",
		"g/libs/util/build.gradle.kts":     "",
		"g/libs/util/src/main/java/U.java": "",
	})
	if p := project(t, l, "core"); p.Tests != "../mvnw -q test" {
		t.Errorf("core: %+v", p)
	}
	if p := project(t, l, "g/libs/util"); p.Tests != "../../gradlew test" {
		t.Errorf("g/libs/util: %+v", p)
	}
	if why := skippedWhy(l, ""); !strings.Contains(why, "maven workspace of 2 projects") {
		t.Errorf("the root: %q", why)
	}
}

func TestStripJSONC(t *testing.T) {
	in := "{\n // a \"quoted\" comment\n \"a\": \"// not a \\\"comment\", /* block\n */ \"b\": [1, 2,],\n}"
	var got struct {
		A string
		B []int
	}
	out := StripJSONC([]byte(in))
	if err := json.Unmarshal(out, &got); err != nil || got.A != `// not a "comment` || len(got.B) != 2 {
		t.Errorf("%q: %+v, %v", out, got, err)
	}
	if strings.Count(string(out), "\n") != strings.Count(in, "\n") {
		t.Errorf("lines moved: %q", out)
	}
}

func FuzzStripJSONC(f *testing.F) {
	f.Add([]byte("{\"include\": [\"src\",], // x\n}"))
	f.Add([]byte("/* unterminated"))
	f.Add([]byte("\"unterminated \\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := StripJSONC(data)
		if len(out) > len(data) {
			t.Fatalf("grew: %d > %d", len(out), len(data))
		}
	})
}

// The manifests are the repository's, read before anything is trusted:
// whatever they hold, Detect neither fails nor proposes a project with
// nothing to watch, or one outside the repository.
func FuzzDetect(f *testing.F) {
	f.Add(`{"workspaces": ["packages/*"], "scripts": {"test": "jest"}}`, "packages:\n  - 'packages/*'\n", "use ./packages/a\n", "[workspace]\nmembers = [\"packages/*\"]\n", "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n", `{"include": ["src", "lib/**/*.ts",]}`)
	f.Add(`{"workspaces": {"packages": ["**"]}}`, "packages: [", "use (\n", "[workspace", "[project", "/*")
	f.Fuzz(func(t *testing.T, pkg, pnpm, gowork, cargo, pyproject, tsconfig string) {
		l := detect(t, map[string]string{
			"package.json":              pkg,
			"pnpm-workspace.yaml":       pnpm,
			"go.work":                   gowork,
			"Cargo.toml":                cargo,
			"pyproject.toml":            pyproject,
			"tsconfig.json":             tsconfig,
			"packages/a/package.json":   pkg,
			"packages/a/tsconfig.json":  tsconfig,
			"packages/a/src/a.ts":       "",
			"packages/a/go.mod":         "module a",
			"packages/a/a.go":           "package a",
			"packages/b/Cargo.toml":     cargo,
			"packages/b/src/lib.rs":     "",
			"packages/c/pyproject.toml": pyproject,
			"packages/c/c/__init__.py":  "",
		})
		for _, p := range l.Projects {
			if len(p.Paths) == 0 || strings.HasPrefix(p.Dir, "..") || strings.HasPrefix(p.Dir, "/") {
				t.Fatalf("a project with nothing to watch, or outside: %+v", p)
			}
		}
	})
}

// Package layout finds what a repository is made of, for `hookd init`:
// its projects (a directory with a manifest: package.json, pyproject.toml,
// go.mod, Cargo.toml, pom.xml, build.gradle), the workspaces that group
// them (package.json workspaces, pnpm-workspace.yaml, lerna.json, with
// turbo or nx on top; go.work; uv workspaces; Cargo workspaces; Maven and
// Gradle modules), and for each project the commands it really has (its
// package.json scripts run by its lockfile's package manager, pytest and
// ruff where configured, run through uv or poetry when it uses them, go
// test, cargo test) and the globs of the sources its own config covers.
//
// A workspace's root is not a project of its own when it only groups its
// members: its scripts (`turbo run test`) run theirs, and a hook on it
// would run every member's tests on every save. Whatever is found and
// gets no hooks is in Skipped, with the reason, so init can say it.
package layout

import (
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hookd-dev/hookd/safefile"
)

// Project is one buildable project: a directory with a manifest, and the
// commands it has.
type Project struct {
	// Dir is repository-relative; "" for the root.
	Dir string
	// Kind is go, node, python, rust or java.
	Kind string
	// Name is the package's own name from its manifest, when it has one.
	Name string
	// Tests and Lint are the commands that run its tests and its checks,
	// run in Dir; empty when it has none, and Why says what is missing.
	Tests, Lint string
	Why         []string
	// Paths are the globs of its sources (repository-relative), each
	// matching a file; a project that holds others leaves them out
	// ("!apps/web/**").
	Paths []string
	// Tool is what runs the workspace it is a member of ("pnpm+turbo",
	// "uv", "cargo", …), "" when it is in none; Workspace is that
	// workspace's directory ("" is the root).
	Workspace, Tool string
}

// Where names the project for a person: "apps/web/", "the root".
func (p Project) Where() string {
	if p.Dir == "" {
		return "the root"
	}
	return p.Dir + "/"
}

// Skipped is a manifest that gets no hooks, and why.
type Skipped struct {
	Dir, Why string
}

// Where names the directory for a person.
func (s Skipped) Where() string { return Project{Dir: s.Dir}.Where() }

// Workspace groups projects: its root, what declares it, and its members'
// directories.
type Workspace struct {
	Dir     string
	Kind    string // node, go, python, rust or java
	Tool    string // pnpm, npm, yarn, bun (with "+turbo", "+nx", "+lerna"), go.work, uv, cargo, maven, gradle
	Members []string
}

// Layout is what the repository is made of.
type Layout struct {
	Projects   []Project
	Workspaces []Workspace
	Skipped    []Skipped
}

// skipDirs hold no project of the repository's own, whatever git says.
var skipDirs = []string{"node_modules", "vendor", ".venv", "venv", "dist", "build", "target", "testdata", "fixtures", "__pycache__", "out", "coverage"}

// MaxDepth is how deep below the root a manifest may be: monorepos nest
// (packages/config/eslint), generated and vendored trees nest deeper.
const MaxDepth = 5

// manifests says which file makes a directory a project of which kind.
var manifests = map[string]string{
	"package.json": "node", "pyproject.toml": "python", "setup.py": "python", "requirements.txt": "python",
	"go.mod": "go", "Cargo.toml": "rust", "pom.xml": "java", "build.gradle": "java", "build.gradle.kts": "java",
}

// tree is the repository's files, and reading them.
type tree struct {
	root string
	has  map[string]bool
	dirs map[string]bool // every directory that holds a file
	list []string
	look func(string) (string, error)
}

func (t tree) read(rel string) []byte {
	data, err := safefile.ReadInside(t.root, rel, 1<<20)
	if err != nil {
		return nil
	}
	return data
}

// Detect looks at the repository at root, whose files (repository-
// relative, as the watcher sees them: .gitignore respected) are given;
// lookPath finds tools on PATH (cargo-clippy).
func Detect(root string, files []string, lookPath func(string) (string, error)) Layout {
	t := tree{root: root, has: map[string]bool{}, dirs: map[string]bool{}, list: files, look: lookPath}
	for _, f := range files {
		t.has[f] = true
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			if t.dirs[d] {
				break
			}
			t.dirs[d] = true
		}
	}
	// Every directory with a manifest, and its kinds.
	kinds := map[string][]string{}
	var l Layout
	for _, f := range files {
		dir, base := path.Split(f)
		dir = strings.TrimSuffix(dir, "/")
		kind, ok := manifests[base]
		if !ok || skipped(dir) {
			continue
		}
		if depth(dir) > MaxDepth {
			continue
		}
		if !slices.Contains(kinds[dir], kind) {
			kinds[dir] = append(kinds[dir], kind)
		}
	}
	l.Workspaces = t.workspaces(kinds)
	member := map[string]Workspace{} // "kind:dir" → its workspace
	for _, w := range l.Workspaces {
		for _, m := range w.Members {
			member[w.Kind+":"+m] = w
		}
	}
	dirs := make([]string, 0, len(kinds))
	for d := range kinds {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool {
		if di, dj := depth(dirs[i]), depth(dirs[j]); di != dj {
			return di < dj
		}
		return dirs[i] < dirs[j]
	})
	for _, dir := range dirs {
		for _, kind := range kinds[dir] {
			p := Project{Dir: dir, Kind: kind}
			if w, ok := member[kind+":"+dir]; ok {
				p.Workspace, p.Tool = w.Dir, w.Tool
			}
			if w, ok := t.rootOf(l.Workspaces, kind, dir); ok && !t.ownPackage(w) {
				l.Skipped = append(l.Skipped, Skipped{dir, w.describe() + ": each member has hooks of its own, and the root's scripts would only run theirs again"})
				continue
			}
			t.commands(&p)
			p.Paths = t.sources(p, kinds)
			switch {
			case len(p.Paths) == 0:
				l.Skipped = append(l.Skipped, Skipped{dir, "a " + kind + " project with no " + kind + " sources of its own to watch"})
			case p.Tests == "" && p.Lint == "":
				l.Skipped = append(l.Skipped, Skipped{dir, "no test or lint command found: " + strings.Join(p.Why, "; ")})
			default:
				l.Projects = append(l.Projects, p)
			}
		}
	}
	return l
}

// rootOf returns the workspace of kind whose root is dir.
func (t tree) rootOf(ws []Workspace, kind, dir string) (Workspace, bool) {
	for _, w := range ws {
		if w.Kind == kind && w.Dir == dir && !slices.Contains(w.Members, dir) {
			return w, true
		}
	}
	return Workspace{}, false
}

func (w Workspace) describe() string {
	return "a " + w.Tool + " workspace of " + plural(len(w.Members), "project")
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

func depth(dir string) int {
	if dir == "" {
		return 0
	}
	return strings.Count(dir, "/") + 1
}

// skipped says dir is no project of the repository's own: a dependency,
// build output, a fixture, or hidden.
func skipped(dir string) bool {
	if dir == "" || dir == "." {
		return false
	}
	for _, part := range strings.Split(dir, "/") {
		if slices.Contains(skipDirs, part) || strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// join is dir/rel, or rel at the root.
func join(dir, rel string) string {
	if dir == "" {
		return rel
	}
	return dir + "/" + rel
}

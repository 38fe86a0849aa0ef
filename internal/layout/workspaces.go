package layout

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// workspaces finds every workspace declared among the manifests.
func (t tree) workspaces(kinds map[string][]string) []Workspace {
	var out []Workspace
	dirsOf := func(kind string) []string {
		var ds []string
		for d, ks := range kinds {
			if slices.Contains(ks, kind) {
				ds = append(ds, d)
			}
		}
		sort.Strings(ds)
		return ds
	}
	add := func(w Workspace, globs []string, candidates []string) {
		w.Members = members(w.Dir, globs, candidates)
		if len(w.Members) > 0 {
			out = append(out, w)
		}
	}
	for _, dir := range dirsOf("node") {
		if globs := t.nodeWorkspace(dir); globs != nil {
			add(Workspace{Dir: dir, Kind: "node", Tool: t.nodeTool(dir)}, globs, dirsOf("node"))
		}
	}
	for _, f := range t.list {
		if dir, base := split(f); base == "go.work" && !skipped(dir) {
			add(Workspace{Dir: dir, Kind: "go", Tool: "go.work"}, goWorkUses(t.read(f)), dirsOf("go"))
		}
	}
	for _, dir := range dirsOf("python") {
		var doc struct {
			Project *struct{} `toml:"project"`
			Tool    struct {
				UV struct {
					Workspace *struct {
						Members []string `toml:"members"`
						Exclude []string `toml:"exclude"`
					} `toml:"workspace"`
				} `toml:"uv"`
			} `toml:"tool"`
		}
		if _, err := toml.Decode(string(t.read(join(dir, "pyproject.toml"))), &doc); err != nil || doc.Tool.UV.Workspace == nil {
			continue
		}
		globs := doc.Tool.UV.Workspace.Members
		for _, e := range doc.Tool.UV.Workspace.Exclude {
			globs = append(globs, "!"+e)
		}
		if doc.Project != nil {
			globs = append(globs, ".") // the root is a package of the workspace too
		}
		add(Workspace{Dir: dir, Kind: "python", Tool: "uv"}, globs, dirsOf("python"))
	}
	for _, dir := range dirsOf("rust") {
		var doc struct {
			Package   *struct{} `toml:"package"`
			Workspace *struct {
				Members []string `toml:"members"`
				Exclude []string `toml:"exclude"`
			} `toml:"workspace"`
		}
		if _, err := toml.Decode(string(t.read(join(dir, "Cargo.toml"))), &doc); err != nil || doc.Workspace == nil {
			continue
		}
		globs := doc.Workspace.Members
		for _, e := range doc.Workspace.Exclude {
			globs = append(globs, "!"+e)
		}
		if doc.Package != nil {
			globs = append(globs, ".")
		}
		add(Workspace{Dir: dir, Kind: "rust", Tool: "cargo"}, globs, dirsOf("rust"))
	}
	for _, dir := range dirsOf("java") {
		if mods := mavenModules(t.read(join(dir, "pom.xml"))); len(mods) > 0 {
			add(Workspace{Dir: dir, Kind: "java", Tool: "maven"}, mods, dirsOf("java"))
		}
	}
	for _, f := range t.list {
		if dir, base := split(f); (base == "settings.gradle" || base == "settings.gradle.kts") && !skipped(dir) {
			add(Workspace{Dir: dir, Kind: "java", Tool: "gradle"}, gradleIncludes(t.read(f)), dirsOf("java"))
		}
	}
	return out
}

func split(f string) (dir, base string) {
	dir, base = path.Split(f)
	return strings.TrimSuffix(dir, "/"), base
}

// members are the candidate directories the workspace's globs (relative
// to its root; "!" excludes) name.
func members(root string, globs, candidates []string) []string {
	var out []string
	for _, c := range candidates {
		rel, ok := relTo(root, c)
		if !ok {
			continue
		}
		in := false
		for _, g := range globs {
			neg := strings.HasPrefix(g, "!")
			g = path.Clean(strings.TrimPrefix(strings.TrimPrefix(g, "!"), "./"))
			if m, _ := doublestar.Match(g, rel); m {
				in = !neg
			}
		}
		if in {
			out = append(out, c)
		}
	}
	return out
}

// relTo is dir relative to root ("." for root itself), when it is inside.
func relTo(root, dir string) (string, bool) {
	switch {
	case root == dir:
		return ".", true
	case root == "":
		return dir, true
	case strings.HasPrefix(dir, root+"/"):
		return dir[len(root)+1:], true
	}
	return "", false
}

// nodeWorkspace is the member globs of a node workspace rooted at dir:
// package.json's workspaces (a list, or {packages}), pnpm-workspace.yaml,
// lerna.json; nil when dir roots none.
func (t tree) nodeWorkspace(dir string) []string {
	var pkg struct {
		Workspaces json.RawMessage `json:"workspaces"`
	}
	var globs []string
	if json.Unmarshal(t.read(join(dir, "package.json")), &pkg) == nil && len(pkg.Workspaces) > 0 {
		var list []string
		var obj struct {
			Packages []string `json:"packages"`
		}
		if json.Unmarshal(pkg.Workspaces, &list) == nil {
			globs = append(globs, list...)
		} else if json.Unmarshal(pkg.Workspaces, &obj) == nil {
			globs = append(globs, obj.Packages...)
		}
	}
	if t.has[join(dir, "pnpm-workspace.yaml")] {
		var ws struct {
			Packages []string `yaml:"packages"`
		}
		if yaml.Unmarshal(t.read(join(dir, "pnpm-workspace.yaml")), &ws) == nil {
			globs = append(globs, ws.Packages...)
		}
	}
	if t.has[join(dir, "lerna.json")] {
		var lerna struct {
			Packages []string `json:"packages"`
		}
		if json.Unmarshal(t.read(join(dir, "lerna.json")), &lerna) == nil {
			if lerna.Packages == nil {
				lerna.Packages = []string{"packages/*"} // lerna's default
			}
			globs = append(globs, lerna.Packages...)
		}
	}
	return globs
}

// nodeTool is the package manager of a node project or workspace at dir:
// its lockfile's, else package.json's packageManager, else npm; with the
// task runner on top named ("pnpm+turbo").
func (t tree) nodeTool(dir string) string {
	pm := ""
	switch {
	case t.has[join(dir, "pnpm-lock.yaml")]:
		pm = "pnpm"
	case t.has[join(dir, "yarn.lock")]:
		pm = "yarn"
	case t.has[join(dir, "bun.lock")] || t.has[join(dir, "bun.lockb")]:
		pm = "bun"
	case t.has[join(dir, "package-lock.json")]:
		pm = "npm"
	}
	if pm == "" {
		var pkg struct {
			PackageManager string `json:"packageManager"`
		}
		_ = json.Unmarshal(t.read(join(dir, "package.json")), &pkg)
		if name, _, _ := strings.Cut(pkg.PackageManager, "@"); slices.Contains([]string{"pnpm", "yarn", "bun", "npm"}, name) {
			pm = name
		}
	}
	if pm == "" {
		pm = "npm"
	}
	for _, r := range []struct{ file, name string }{{"turbo.json", "turbo"}, {"nx.json", "nx"}, {"lerna.json", "lerna"}} {
		if t.has[join(dir, r.file)] {
			pm += "+" + r.name
		}
	}
	return pm
}

var goUse = regexp.MustCompile(`(?m)^\s*use\s+(?:\(([^)]*)\)|(\S+))`)

// goWorkUses is the directories a go.work uses.
func goWorkUses(data []byte) []string {
	var out []string
	for _, m := range goUse.FindAllSubmatch(data, -1) {
		if len(m[2]) > 0 {
			out = append(out, unquote(string(m[2])))
			continue
		}
		for _, line := range strings.Split(string(m[1]), "\n") {
			line, _, _ = strings.Cut(line, "//")
			if f := strings.Fields(line); len(f) > 0 {
				out = append(out, unquote(f[0]))
			}
		}
	}
	return out
}

func unquote(s string) string { return strings.Trim(s, "\"`") }

var mavenModule = regexp.MustCompile(`<module>\s*([^<\s]+)\s*</module>`)

// mavenModules is the modules a pom.xml aggregates.
func mavenModules(data []byte) []string {
	var out []string
	for _, m := range mavenModule.FindAllSubmatch(data, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

var gradleInclude = regexp.MustCompile(`(?m)^\s*include\s*\(?([^)\n]*)\)?`)
var gradleName = regexp.MustCompile(`["']([^"']+)["']`)

// gradleIncludes is the project directories a settings.gradle includes
// (":libs:core" is libs/core).
func gradleIncludes(data []byte) []string {
	var out []string
	for _, m := range gradleInclude.FindAllSubmatch(data, -1) {
		for _, n := range gradleName.FindAllSubmatch(m[1], -1) {
			out = append(out, strings.ReplaceAll(strings.TrimPrefix(string(n[1]), ":"), ":", "/"))
		}
	}
	return out
}

// ownPackage says the root of workspace w is a project besides grouping
// its members: only a Maven or Gradle root with sources of its own (the
// others name their root among the members when it is a package).
func (t tree) ownPackage(w Workspace) bool {
	return w.Kind == "java" && t.dirs[join(w.Dir, "src")]
}

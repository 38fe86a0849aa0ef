package layout

import (
	"encoding/json"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/hookd-dev/hookd/rules"
)

func decodeTOML(text string, v any) error {
	_, err := toml.Decode(text, v)
	return err
}

// exts are the source files of each kind of project.
var exts = map[string]string{
	"go":     "go",
	"node":   "{js,jsx,ts,tsx,mjs,cjs,mts,cts,vue,svelte,astro}",
	"python": "py",
	"rust":   "rs",
	"java":   "{java,kt}",
}

// sources are the globs of a project's sources: what its tsconfig.json
// includes for a node project that has one, else every source file of its
// kind in its directory; the projects nested in it are left out. Every
// glob must match a file, or it is dropped.
func (t tree) sources(p Project, kinds map[string][]string) []string {
	ext := exts[p.Kind]
	var globs []string
	if p.Kind == "node" {
		for _, inc := range t.tsInclude(p.Dir) {
			globs = append(globs, includeGlob(p.Dir, inc, ext, t.has))
		}
	}
	if len(globs) == 0 {
		globs = []string{join(p.Dir, "**/*."+ext)}
	}
	var nested []string
	for d := range kinds {
		if d != p.Dir && (p.Dir == "" || strings.HasPrefix(d, p.Dir+"/")) {
			nested = append(nested, "!"+d+"/**")
		}
	}
	sort.Strings(nested)
	var out []string
	for _, g := range dedupe(globs) {
		m, err := rules.CompileGlobs(append([]string{g}, nested...))
		if err != nil {
			continue
		}
		for _, f := range t.list {
			if m.Match(f) && !skipped(path.Dir(f)) {
				out = append(out, g)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	// Only the exclusions that take something away are worth a line.
	for _, n := range nested {
		dir := strings.TrimSuffix(strings.TrimPrefix(n, "!"), "/**")
		all, _ := rules.CompileGlobs(out)
		for _, f := range t.list {
			if strings.HasPrefix(f, dir+"/") && all.Match(f) {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// includeGlob makes one entry of tsconfig's include a glob of sources:
// "src" and "src/**/*" are src/**/*.{ts,…}; a file is itself; a pattern
// keeps its own file part when it names an extension.
func includeGlob(dir, inc, ext string, has map[string]bool) string {
	inc = strings.TrimPrefix(path.Clean(inc), "./")
	if has[join(dir, inc)] {
		return join(dir, inc)
	}
	base := inc
	if i := strings.IndexAny(inc, "*?{["); i >= 0 {
		if e := path.Ext(path.Base(inc)); e != "" && e != ".*" {
			return join(dir, inc) // "src/**/*.tsx": as written
		}
		// "src/**/*" or "src/*": the directory's sources.
		base = strings.TrimSuffix(inc[:i], "/")
		if j := strings.LastIndex(base, "/"); j >= 0 && !strings.HasSuffix(inc[:i], "/") {
			base = base[:j] // "src/comp*": src
		} else if j < 0 && !strings.HasSuffix(inc[:i], "/") {
			base = ""
		}
	}
	if base == "" || base == "." {
		return join(dir, "**/*."+ext)
	}
	return join(dir, base+"/**/*."+ext)
}

// tsInclude is the include list of dir's tsconfig.json (JSON with
// comments), or nil when it has none.
func (t tree) tsInclude(dir string) []string {
	data := t.read(join(dir, "tsconfig.json"))
	if data == nil {
		return nil
	}
	var cfg struct {
		Include []string `json:"include"`
	}
	if json.Unmarshal(StripJSONC(data), &cfg) != nil {
		return nil
	}
	return cfg.Include
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

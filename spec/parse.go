package spec

import (
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hookd-dev/hookd/safefile"
)

// DefaultRoots are where specs are looked for when [specs] roots is unset.
func DefaultRoots() []string { return []string{".kiro/specs", "specs", "openspec"} }

// Place is where a document sits: its format, kind and spec.
type Place struct {
	Format Format
	Kind   Kind
	Spec   string
	Dir    string
	// Project is the nested project the spec belongs to (the directory
	// holding its .kiro/), "" for the repository's own.
	Project string
	// Archived: an OpenSpec change under changes/archive/, done and
	// folded into its capabilities' specs.
	Archived bool
}

// Classify tells whether the repository-relative path is a spec document
// under one of roots, and which. A root's format comes from its name: one
// under ".kiro" is Kiro's, one named "openspec" is OpenSpec's, any other
// holds Spec Kit feature directories.
//
// A .kiro/specs below the root (a monorepo's package, a Kiro multi-root
// workspace) is a project of its own when .kiro/specs is among the roots:
// its specs are specs, named with their project ("web/login"), and what
// they define is cited from inside that project.
func Classify(rel string, roots []string) (Place, bool) {
	rel = path.Clean(filepath.ToSlash(rel))
	if !strings.HasSuffix(rel, ".md") {
		return Place{}, false
	}
	if project, ok := nestedKiro(rel, roots); ok {
		parts := strings.Split(rel[len(project)+len("/.kiro/specs/"):], "/")
		if len(parts) != 2 {
			return Place{}, false
		}
		kind, ok := kiroDocs[parts[1]]
		return Place{Kiro, kind, project + "/" + parts[0], project + "/.kiro/specs/" + parts[0], project, false}, ok
	}
	for _, root := range roots {
		root = strings.Trim(path.Clean(filepath.ToSlash(root)), "/")
		if !strings.HasPrefix(rel, root+"/") {
			continue
		}
		parts := strings.Split(rel[len(root)+1:], "/")
		switch rootFormat(root) {
		case Kiro:
			if len(parts) != 2 {
				return Place{}, false
			}
			kind, ok := kiroDocs[parts[1]]
			return Place{Kiro, kind, parts[0], root + "/" + parts[0], "", false}, ok
		case OpenSpec:
			return classifyOpenSpec(root, parts)
		default:
			if len(parts) != 2 {
				return Place{}, false
			}
			kind, ok := map[string]Kind{"spec.md": Feature, "tasks.md": Tasks, "plan.md": Other}[parts[1]]
			return Place{SpecKit, kind, parts[0], root + "/" + parts[0], "", false}, ok
		}
	}
	return Place{}, false
}

var kiroDocs = map[string]Kind{"requirements.md": Requirements, "bugfix.md": Bugfix, "design.md": Design, "tasks.md": Tasks}

// nestedKiro returns the project of a path under a nested .kiro/specs.
func nestedKiro(rel string, roots []string) (string, bool) {
	if !slices.Contains(roots, ".kiro/specs") {
		return "", false
	}
	i := strings.LastIndex(rel, "/.kiro/specs/")
	if i <= 0 {
		return "", false
	}
	return rel[:i], true
}

func rootFormat(root string) Format {
	switch {
	case strings.Contains("/"+root+"/", "/.kiro/"):
		return Kiro
	case path.Base(root) == "openspec":
		return OpenSpec
	}
	return SpecKit
}

func classifyOpenSpec(root string, parts []string) (Place, bool) {
	n := len(parts)
	switch {
	case parts[0] == "specs" && n >= 3 && parts[n-1] == "spec.md":
		cap := strings.Join(parts[1:n-1], "/")
		return Place{OpenSpec, Feature, cap, root + "/specs/" + cap, "", false}, true
	case parts[0] == "changes" && n >= 3:
		// changes/<name>/… or changes/archive/<date-name>/…
		i := 1
		if parts[1] == "archive" {
			i = 2
		}
		if n < i+2 {
			return Place{}, false
		}
		name, dir := parts[i], root+"/"+strings.Join(parts[:i+1], "/")
		rest := parts[i+1:]
		archived := i == 2
		switch {
		case len(rest) == 1 && rest[0] == "tasks.md":
			return Place{OpenSpec, Tasks, name, dir, "", archived}, true
		case len(rest) == 1 && (rest[0] == "proposal.md" || rest[0] == "design.md"):
			return Place{OpenSpec, Other, name, dir, "", archived}, true
		case len(rest) >= 3 && rest[0] == "specs" && rest[len(rest)-1] == "spec.md":
			return Place{OpenSpec, Delta, name, dir, "", archived}, true
		}
	}
	return Place{}, false
}

// Parse reads one document at a known place. It never fails: a shape it
// does not understand comes back with Unparsed saying why.
func Parse(p Place, rel string, data []byte) *Doc {
	d := &Doc{Format: p.Format, Kind: p.Kind, Spec: p.Spec, Dir: p.Dir, Project: p.Project, Archived: p.Archived, File: filepath.ToSlash(rel),
		Requirements: []Requirement{}, Tasks: []Task{}}
	lines := splitLines(data)
	switch {
	case p.Format == Kiro && p.Kind == Requirements:
		parseKiroRequirements(d, lines)
	case p.Format == Kiro && p.Kind == Bugfix:
		parseKiroBugfix(d, lines)
	case p.Format == Kiro && p.Kind == Design:
		parseKiroDesign(d, lines)
	case p.Kind == Tasks && p.Format == Kiro:
		parseKiroTasks(d, lines)
	case p.Format == SpecKit && p.Kind == Feature:
		parseSpecKitSpec(d, lines)
	case p.Format == SpecKit && p.Kind == Tasks:
		parseSpecKitTasks(d, lines)
	case p.Format == OpenSpec && p.Kind == Feature:
		parseOpenSpecSpec(d, lines)
	case p.Format == OpenSpec && p.Kind == Delta:
		parseOpenSpecDelta(d, lines)
	case p.Format == OpenSpec && p.Kind == Tasks:
		parseOpenSpecTasks(d, lines)
	}
	if d.body == "" {
		d.body = normBody(lines)
	}
	return d
}

// ParseFile classifies and parses a document; ok is false when the path
// is not a spec document under roots.
func ParseFile(root, rel string, roots []string) (d *Doc, ok bool, err error) {
	p, ok := Classify(rel, roots)
	if !ok {
		return nil, false, nil
	}
	data, err := ReadDoc(root, rel)
	if err != nil {
		return nil, true, err
	}
	return Parse(p, rel, data), true, nil
}

// ReadDoc reads a spec document or a file of code for the trace index,
// rel inside the work tree at root: a regular file (a symlink to
// /dev/zero or a FIFO is an error, never an endless read) of at most
// MaxTraceFile bytes, that stays inside root (a symlink out of the
// repository is refused: its contents are not the repository's to hand an
// agent).
func ReadDoc(root, rel string) ([]byte, error) { return safefile.ReadInside(root, rel, MaxTraceFile) }

// Spec is one spec found in a repository.
type Spec struct {
	Name   string   `json:"name"`
	Format Format   `json:"format"`
	Dir    string   `json:"dir"`
	Files  []string `json:"files"`
}

// Find lists the specs among files (repository-relative: the work tree as
// the watcher sees it), the repository's own first, then each nested
// project's, sorted by directory. Archived OpenSpec changes are not
// listed.
func Find(files, roots []string) []Spec {
	byDir := map[string]*Spec{}
	for _, rel := range files {
		pl, ok := Classify(rel, roots)
		if !ok || pl.Archived {
			continue // an archived OpenSpec change is done: folded into its specs
		}
		s := byDir[pl.Dir]
		if s == nil {
			s = &Spec{Name: pl.Spec, Format: pl.Format, Dir: pl.Dir}
			byDir[pl.Dir] = s
		}
		s.Files = append(s.Files, filepath.ToSlash(rel))
	}
	out := make([]Spec, 0, len(byDir))
	for _, s := range byDir {
		sort.Strings(s.Files)
		out = append(out, *s)
	}
	// The repository's own specs first, then each nested project's.
	sort.Slice(out, func(i, j int) bool {
		ni, nj := strings.Contains(out[i].Name, "/"), strings.Contains(out[j].Name, "/")
		if ni != nj {
			return !ni
		}
		return out[i].Dir < out[j].Dir
	})
	return out
}

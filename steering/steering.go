// Package steering owns steering documents and prompt assembly: it loads
// Kiro's `.kiro/steering/*.md` (and `~/.kiro/steering`) and AGENTS.md
// files, selects those that apply to a batch of files and a hook, expands
// `#[[file:path]]` references inside the repository, and renders a hook's
// prompt template over the rule environment.
//
// It is kinder than Kiro where Kiro is known to stumble (docs/kiro.md): comma-separated fileMatchPattern lists match, a pattern without a
// slash matches at any depth, global steering can be fileMatch, and a
// broken front matter is a warning, not a dropped document.
package steering

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/safefile"
)

// MaxDoc bounds one steering document or AGENTS.md file.
const MaxDoc = 256 << 10

// reason says why a file was refused, without repeating its path.
func reason(err error) string {
	var tl *safefile.TooLargeError
	switch {
	case errors.As(err, &tl):
		return fmt.Sprintf("too large (%d bytes, limit %d)", tl.Size, tl.Limit)
	case errors.Is(err, safefile.ErrOutside):
		return "it leads outside the repository (or into .git)"
	case errors.Is(err, safefile.ErrNotRegular):
		return "not a regular file"
	case errors.Is(err, fs.ErrNotExist):
		return "not found"
	}
	return err.Error()
}

// Inclusion says when a steering document applies.
type Inclusion string

// Kiro's inclusion modes.
const (
	Always    Inclusion = "always"
	FileMatch Inclusion = "fileMatch"
	Manual    Inclusion = "manual"
	// Auto documents apply when "the request matches the description";
	// hookd has no request to match, so they apply when a hook names them,
	// as manual ones do.
	Auto Inclusion = "auto"
)

// Doc is one steering document.
type Doc struct {
	// Name is the file's stem ("tech" for tech.md); hooks name manual
	// documents by it.
	Name        string    `json:"name"`
	Path        string    `json:"path"` // repository-relative, or absolute for global ones
	Inclusion   Inclusion `json:"inclusion"`
	Patterns    []string  `json:"patterns,omitempty"`
	Description string    `json:"description,omitempty"`
	Global      bool      `json:"global,omitempty"`
	Body        string    `json:"-"`

	globs rules.Globs
}

// Warning is a problem with a steering file that did not stop it loading.
type Warning struct {
	File    string
	Line    int
	Message string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Message)
	}
	return w.File + ": " + w.Message
}

// Set is the steering of one repository: its documents and, found when
// needed, the AGENTS.md files on the path of the changed files.
type Set struct {
	root string
	Docs []Doc
}

// Load reads the repository's steering and the user's global steering
// (home may be empty). The repository's document wins on a name clash.
func Load(root, home string) (*Set, []Warning) {
	s := &Set{root: root}
	var warns []Warning
	seen := map[string]bool{}
	// Each document is read inside its own tree: the repository's inside
	// the repository, the user's inside the home directory. A symlink out
	// of it, or to a device or a FIFO, is refused with a warning: what is
	// read here goes into prompts, and so to the agent.
	dirs := []struct {
		base   string
		global bool
	}{{root, false}}
	if home != "" {
		dirs = append(dirs, struct {
			base   string
			global bool
		}{home, true})
	}
	for _, d := range dirs {
		names, _ := filepath.Glob(filepath.Join(d.base, ".kiro", "steering", "*.md"))
		sort.Strings(names)
		for _, p := range names {
			name := strings.TrimSuffix(filepath.Base(p), ".md")
			if seen[name] {
				continue
			}
			data, err := safefile.ReadInside(d.base, ".kiro/steering/"+filepath.Base(p), MaxDoc)
			if err != nil {
				warns = append(warns, Warning{File: p, Message: "not read: " + reason(err)})
				continue
			}
			shown := p
			if !d.global {
				shown, _ = filepath.Rel(root, p)
				shown = filepath.ToSlash(shown)
			}
			doc, ws := Parse(shown, data)
			doc.Name, doc.Global = name, d.global
			seen[name] = true
			s.Docs = append(s.Docs, doc)
			warns = append(warns, ws...)
		}
	}
	return s, warns
}

// frontMatter is the YAML Kiro reads; other keys are kept by Kiro and
// ignored here.
type frontMatter struct {
	Inclusion        string    `yaml:"inclusion"`
	FileMatchPattern yaml.Node `yaml:"fileMatchPattern"`
	Description      string    `yaml:"description"`
}

// Parse reads one steering document. A missing front matter means always;
// a broken one is a warning and the document is treated as always.
func Parse(file string, data []byte) (Doc, []Warning) {
	text := strings.ReplaceAll(strings.TrimPrefix(string(data), "\ufeff"), "\r\n", "\n")
	doc := Doc{Path: file, Inclusion: Always, Body: text}
	if !strings.HasPrefix(text, "---\n") {
		return doc, nil
	}
	end := strings.Index(text[4:], "\n---")
	if end < 0 {
		return doc, []Warning{{File: file, Line: 1, Message: "front matter is not closed by ---; the document is always included"}}
	}
	raw := text[4 : 4+end]
	doc.Body = strings.TrimLeft(text[4+end+4:], "\n")
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(raw), &fm); err != nil {
		return doc, []Warning{{File: file, Line: 1 + yamlLine(err), Message: "front matter: " + yamlMessage(err) + "; the document is always included"}}
	}
	doc.Description = fm.Description
	patterns, err := patternsOf(&fm.FileMatchPattern)
	if err != nil {
		return doc, []Warning{{File: file, Line: 1 + fm.FileMatchPattern.Line, Message: err.Error() + "; the document is always included"}}
	}
	var warns []Warning
	switch strings.ToLower(strings.TrimSpace(fm.Inclusion)) {
	case "", "always":
		doc.Inclusion = Always
	case "filematch":
		doc.Inclusion = FileMatch
	case "manual":
		doc.Inclusion = Manual
	case "auto":
		doc.Inclusion = Auto
	default:
		// Unknown values ("conditional", "never"): follow the evident intent.
		switch {
		case len(patterns) > 0:
			doc.Inclusion = FileMatch
		case strings.EqualFold(fm.Inclusion, "never"):
			doc.Inclusion = Manual
		default:
			doc.Inclusion = Always
		}
		warns = append(warns, Warning{File: file, Message: fmt.Sprintf("unknown inclusion %q (always, fileMatch, manual or auto); read as %s", fm.Inclusion, doc.Inclusion)})
	}
	if doc.Inclusion == FileMatch {
		if len(patterns) == 0 {
			warns = append(warns, Warning{File: file, Message: "inclusion fileMatch without fileMatchPattern; the document is always included"})
			doc.Inclusion = Always
			return doc, warns
		}
		g, err := rules.CompileGlobs(patterns)
		if err != nil {
			warns = append(warns, Warning{File: file, Message: "fileMatchPattern: " + err.Error() + "; the document is always included"})
			doc.Inclusion = Always
			return doc, warns
		}
		doc.Patterns, doc.globs = patterns, g
	}
	return doc, warns
}

// patternsOf reads fileMatchPattern: a string, a comma list, braces, or a
// YAML list of any of those.
func patternsOf(n *yaml.Node) ([]string, error) {
	var items []string
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		items = []string{n.Value}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("fileMatchPattern: a list of strings, please")
			}
			items = append(items, c.Value)
		}
	default:
		return nil, fmt.Errorf("fileMatchPattern: a string or a list of strings, please")
	}
	var out []string
	for _, it := range items {
		for _, p := range splitTopLevel(it) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// splitTopLevel splits a comma list, leaving commas inside braces to the
// glob ("*.ts,*.tsx" is two patterns, "*.{ts,tsx}" one).
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func yamlLine(err error) int {
	var line int
	if _, scanErr := fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &line); scanErr == nil {
		return line
	}
	return 0
}

func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
		msg = msg[i+2:]
	}
	return msg
}

// Select returns the documents that apply to a batch: always, fileMatch
// when a file matches, and those the hook names (manual, auto, or any
// other). AGENTS.md at the root and in each folder on the path of the
// files come first, nearest last. An AGENTS.md that cannot be read inside
// the repository is a warning.
func (s *Set) Select(files []string, named []string) ([]Doc, []Warning) {
	out, warns := s.agents(files)
	for _, d := range s.Docs {
		switch {
		case contains(named, d.Name):
		case d.Inclusion == Always:
		case d.Inclusion == FileMatch && anyMatch(d.globs, files):
		default:
			continue
		}
		out = append(out, d)
	}
	return out, warns
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func anyMatch(g rules.Globs, files []string) bool {
	for _, f := range files {
		if g.Match(f) {
			return true
		}
	}
	return false
}

// agents finds AGENTS.md at the root and in the folders leading to the
// files, each once, outermost first.
func (s *Set) agents(files []string) ([]Doc, []Warning) {
	dirs := map[string]bool{".": true}
	for _, f := range files {
		for d := path.Dir(filepath.ToSlash(f)); d != "." && d != "/" && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var list []string
	for d := range dirs {
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool {
		if a, b := strings.Count(list[i], "/"), strings.Count(list[j], "/"); list[i] == "." || list[j] == "." || a != b {
			return list[i] == "." || (list[j] != "." && a < b)
		}
		return list[i] < list[j]
	})
	var out []Doc
	var warns []Warning
	for _, d := range list {
		rel := path.Join(d, "AGENTS.md")
		if _, err := os.Lstat(filepath.Join(s.root, filepath.FromSlash(rel))); err != nil {
			continue
		}
		data, err := safefile.ReadInside(s.root, rel, MaxDoc)
		if err != nil {
			warns = append(warns, Warning{File: rel, Message: "not read: " + reason(err)})
			continue
		}
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		out = append(out, Doc{Name: "AGENTS", Path: rel, Inclusion: Always, Body: string(data)})
	}
	return out, warns
}

package spec

import (
	"sort"
	"strings"
)

// Fix is one ambiguous citation written down as scoped: the line as it is
// and as it would be.
type Fix struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Spec string `json:"spec"`
	// Why is the step that suggested the spec (path, name, stem, imports,
	// file).
	Why string `json:"why"`
	Old string `json:"old"`
	New string `json:"new"`
}

var (
	// fixKeyword is where a spec's name goes: "Requirements: 1.1" becomes
	// "Requirements (login): 1.1", which reRequires reads as named.
	fixKeyword = lazyRegexp(`(?i)\b(Requirements?|Reqs?\.?|需求|要件)(\s*[:：]?\s*#?\d)`)
	// fixExplicit is a Spec Kit id with no keyword: "(FR-004)" becomes
	// "(spec#FR-004)".
	fixExplicit = lazyRegexp(`(^|[^#\w-])((?:FR|SC|NFR)-\d{3}[a-z]?\b|US\d+/AC\d+\b)`)
)

// Fixes are the ambiguous citations whose file the spec's own documents
// name (by path, name, stem or what it imports), or whose file's other
// citations are scoped to it, each rewritten to name that spec; data
// returns a file's bytes. Weaker suggestions (shared words, a directory,
// the text) are not offered: a person scopes those. Sorted by file and
// line; a citation whose line cannot be rewritten is left out.
func (x *Index) Fixes(data func(file string) ([]byte, error)) []Fix {
	var out []Fix
	byFile := map[string][]Link{}
	for _, l := range x.Links("") {
		if l.Ambiguous() && l.Likely != "" && strongHint(l.Why) {
			byFile[l.File] = append(byFile[l.File], l)
		}
	}
	for file, links := range byFile {
		b, err := data(file)
		if err != nil {
			continue
		}
		lines := strings.SplitAfter(string(b), "\n")
		for _, l := range links {
			if l.Line < 1 || l.Line > len(lines) {
				continue
			}
			old := strings.TrimRight(lines[l.Line-1], "\r\n")
			name := l.Likely
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:] // a nested project's spec, named within it
			}
			repl := rewrite(old, name)
			if repl == old {
				continue
			}
			out = append(out, Fix{File: file, Line: l.Line, Spec: l.Likely, Why: l.Why, Old: old, New: repl})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// rewrite names spec in every citation of line.
func rewrite(line, spec string) string {
	if fixKeyword().MatchString(line) {
		return fixKeyword().ReplaceAllString(line, "${1} ("+escapeRepl(spec)+")${2}")
	}
	return fixExplicit().ReplaceAllString(line, "${1}"+escapeRepl(spec)+"#${2}")
}

func escapeRepl(s string) string { return strings.ReplaceAll(s, "$", "$$") }

// Apply writes fixes into a file's content: the lines named, if they still
// say what the fix read.
func Apply(content []byte, fixes []Fix) []byte {
	lines := strings.SplitAfter(string(content), "\n")
	for _, f := range fixes {
		if f.Line < 1 || f.Line > len(lines) {
			continue
		}
		cur := lines[f.Line-1]
		body := strings.TrimRight(cur, "\r\n")
		if body != f.Old {
			continue
		}
		lines[f.Line-1] = f.New + cur[len(body):]
	}
	return []byte(strings.Join(lines, ""))
}

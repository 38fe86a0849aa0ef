package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
)

// Link is one place that cites requirements: a task, a design property,
// an OpenSpec change, or a citation in code or a test, with every id it
// cites. Impact answers with one id of each; a trace report needs all.
type Link struct {
	Spec string `json:"spec"`
	File string `json:"file"`
	Line int    `json:"line"`
	Kind string `json:"kind"`
	// Cites are the ids it cites, as resolved (ranges expanded, a
	// property tag's requirements).
	Cites []string `json:"cites"`
	// Status is a task's.
	Status Status `json:"status,omitempty"`
	// Task is a task's id, Title its title or the property's.
	Task  string `json:"task,omitempty"`
	Title string `json:"title,omitempty"`
	// Why is the evidence that scoped it (named, explicit, folder,
	// config, project, only); for an ambiguous citation, the step that
	// suggested Likely.
	Why string `json:"why,omitempty"`
	// Candidates are, for an ambiguous citation (nothing names its spec,
	// and more than one spec defines what it cites), the specs it could
	// mean (Spec is then empty).
	Candidates []string `json:"candidates,omitempty"`
	// Likely is, for an ambiguous citation, the spec a heuristic
	// suggests: never a decision.
	Likely string `json:"likely,omitempty"`
}

// Ambiguous reports whether the link is an ambiguous citation.
func (l Link) Ambiguous() bool { return l.Spec == "" && len(l.Candidates) > 0 }

// Links lists every place citing requirements of the named spec (every
// spec when name is empty), scoped as Impact scopes them, sorted by file
// and line, unscoped ones (Spec empty) last.
func (x *Index) Links(name string) []Link {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.links(name)
}

// links is Links with x.mu read-held.
func (x *Index) links(name string) []Link {
	out := []Link{}
	designs := x.designs()
	for _, d := range x.docs {
		if name != "" && d.Spec != name && !(d.Kind == Delta && deltaCapability(d) == name) || d.Archived {
			continue
		}
		switch d.Kind {
		case Tasks:
			for _, t := range d.Tasks {
				if len(t.Requirements) > 0 {
					out = append(out, Link{Spec: d.Spec, File: d.File, Line: t.Line, Kind: CiteTask, Cites: t.Requirements, Status: t.Status, Task: t.ID, Title: t.Title})
				}
			}
		case Design:
			for _, p := range d.Properties {
				if len(p.Validates) > 0 {
					out = append(out, Link{Spec: d.Spec, File: d.File, Line: p.Line, Kind: CiteDesign, Cites: p.Validates, Task: p.ID, Title: p.Title})
				}
			}
		case Delta:
			for _, r := range append(slices.Clone(d.Delta.Modified), d.Delta.Removed...) {
				out = append(out, Link{Spec: d.Spec, File: d.File, Line: r.Line, Kind: CiteChange, Cites: []string{r.ID}, Title: r.Title})
			}
		}
	}
	sc := x.scoper()
	var unscoped []Link
	for file, fr := range x.files {
		if x.set.excluded(file) || sc.specNote(file) {
			continue
		}
		kind := CiteCode
		if fr.test {
			kind = CiteTest
		}
		for _, s := range x.scopeFile(sc, file, fr, designs) {
			if len(s.cited) == 0 {
				continue
			}
			l := Link{Spec: s.spec, File: file, Line: s.ref.line, Kind: kind, Cites: s.cited, Why: s.why}
			switch {
			case s.spec != "":
				if name == "" || strings.EqualFold(s.spec, name) {
					out = append(out, l)
				}
			case len(s.cands) > 0 && (name == "" || slices.Contains(s.cands, name)):
				l.Candidates, l.Likely, l.Why = s.cands, s.likely, s.likelyWhy
				unscoped = append(unscoped, l)
			}
		}
	}
	byPlace(out)
	byPlace(unscoped)
	return append(out, unscoped...)
}

func byPlace(s []Link) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].File != s[j].File {
			return s[i].File < s[j].File
		}
		return s[i].Line < s[j].Line
	})
}

// designs maps each spec name (lower case) to its design, for property
// tags. x.mu is read-held.
func (x *Index) designs() map[string]*Doc {
	designs := map[string]*Doc{}
	for _, d := range x.docs {
		if d.Kind == Design {
			designs[strings.ToLower(d.Spec)] = d
		}
	}
	return designs
}

// defined maps each spec (an OpenSpec change's delta under its
// capability) to the ids its documents define. x.mu is read-held.
func (x *Index) defined() map[string]map[string]bool {
	defined := map[string]map[string]bool{}
	for _, d := range x.docs {
		spec := d.Spec
		if d.Kind == Delta {
			spec = deltaCapability(d)
		}
		if defined[spec] == nil {
			defined[spec] = map[string]bool{}
		}
		for _, id := range d.IDs() {
			defined[spec][id] = true
		}
	}
	return defined
}

// Defined lists, per spec, the ids it defines (requirements and their
// criteria, tasks, properties), in natural order: what `hookd impact` and
// `hookd trace` can answer, for their errors and shell completion.
func (x *Index) Defined() map[string][]string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := map[string][]string{}
	for name, set := range x.defined() {
		ids := make([]string, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(a, b int) bool { return idLess(ids[a], ids[b]) })
		out[name] = ids
	}
	return out
}

// idLess orders ids as a reader lists them: 1, 1.1, 1.2, 2, 10, FR-002;
// each dotted part naturally.
func idLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(pa), len(pb)) {
		if pa[i] != pb[i] {
			return naturalLess(pa[i], pb[i])
		}
	}
	return len(pa) < len(pb)
}

// Dangling lists the citations of ids their spec does not define
// (typically left behind by a renumbering or a removal), of the named
// spec or of every spec; each Link's Cites are the missing ids only.
//
// A task or design property belongs to its own spec. A citation in code
// or a test belongs to the spec evidence scopes it to (it names it, it is
// in its folder, [trace] scope), else, in a project with a single spec,
// to that one when it is in code or a test (not prose, where
// "requirements: 3.8" may be a Python version). An ambiguous citation is
// never dangling: a dangling link is a finding to act on, never a guess.
// A spec that defines no ids (its documents unparsed) has nothing
// dangling.
func (x *Index) Dangling(name string) []Link {
	x.mu.RLock()
	defer x.mu.RUnlock()
	defined := x.defined()
	missing := func(spec string, cites []string) []string {
		set := defined[spec]
		if len(set) == 0 {
			return nil
		}
		var out []string
		for _, id := range cites {
			if !set[id] && !anyUnder(set, id) {
				out = append(out, id)
			}
		}
		return out
	}
	var out []Link
	for _, d := range x.docs {
		if (name != "" && d.Spec != name) || (d.Kind != Tasks && d.Kind != Design) || d.Archived {
			continue
		}
		for _, t := range d.Tasks {
			if m := missing(d.Spec, t.Requirements); len(m) > 0 {
				out = append(out, Link{Spec: d.Spec, File: d.File, Line: t.Line, Kind: CiteTask, Cites: m, Status: t.Status, Task: t.ID, Title: t.Title})
			}
		}
		for _, p := range d.Properties {
			if m := missing(d.Spec, p.Validates); len(m) > 0 {
				out = append(out, Link{Spec: d.Spec, File: d.File, Line: p.Line, Kind: CiteDesign, Cites: m, Task: p.ID, Title: p.Title})
			}
		}
	}
	sc := x.scoper()
	designs := x.designs()
	for file, fr := range x.files {
		if x.set.excluded(file) || sc.specNote(file) {
			continue
		}
		kind := CiteCode
		if fr.test {
			kind = CiteTest
		}
		only := ""
		project := sc.projectOf(file)
		for _, e := range sc.specs {
			if e.project == project && len(e.ids) > 0 {
				only = pick(only == "", e.name, "-")
			}
		}
		for _, s := range x.scopeFile(sc, file, fr, designs) {
			spec := s.spec
			if spec == "" && len(s.cands) == 0 && s.ref.property == "" && only != "" && only != "-" && !isText(file) {
				// The scoper drops what no spec here defines; in a
				// project of one spec, code citing it means that spec.
				spec, s.why = only, ScopeProject
			}
			if spec == "" || (name != "" && !strings.EqualFold(spec, name)) {
				continue
			}
			if m := missing(spec, s.ref.ids); len(m) > 0 {
				out = append(out, Link{Spec: spec, File: file, Line: s.ref.line, Kind: kind, Cites: m, Why: s.why})
			}
		}
	}
	byPlace(out)
	return out
}

func pick(ok bool, a, b string) string {
	if ok {
		return a
	}
	return b
}

// Span is the lines a requirement or criterion takes in its document,
// first to last: a requirement from its heading to the line before the
// next one (its last criterion, and what continues it, for the last), a
// criterion to the line before the next criterion. ok is false when the
// document does not define id.
func (d *Doc) Span(id string, lines int) (first, last int, ok bool) {
	for i, r := range d.Requirements {
		end := lines
		if i+1 < len(d.Requirements) && d.Requirements[i+1].Line > r.Line {
			end = d.Requirements[i+1].Line - 1
		}
		if r.ID == id {
			return r.Line, end, true
		}
		for j, c := range r.Criteria {
			if c.ID != id {
				continue
			}
			cend := end
			if j+1 < len(r.Criteria) && r.Criteria[j+1].Line > c.Line {
				cend = r.Criteria[j+1].Line - 1
			}
			return c.Line, max(c.Line, cend), true
		}
	}
	return 0, 0, false
}

// Fingerprint is a digest of what a requirement or criterion says, blind
// to re-wrapping and spacing: what a review of a link to it records, so
// the review holds until the text changes. "" when the document does not
// define id.
func (d *Doc) Fingerprint(id string) string {
	var text string
	for _, r := range d.Requirements {
		if r.ID == id {
			parts := []string{r.Title, r.text}
			for _, c := range r.Criteria {
				parts = append(parts, c.ID, c.norm)
			}
			text = strings.Join(parts, "\n")
			break
		}
		for _, c := range r.Criteria {
			if c.ID == id {
				text = c.norm
			}
		}
	}
	if text == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(normSpace(text)))
	return hex.EncodeToString(sum[:8])
}

// Covers reports whether a citation of cited is one of id: the same id, a
// criterion of requirement id, or the requirement of criterion id.
func Covers(id, cited string) bool { return covers(id, cited) }

// DeltaCapability is the capability an OpenSpec change's delta document
// changes ("" for any other document).
func DeltaCapability(d *Doc) string {
	if d == nil || d.Kind != Delta {
		return ""
	}
	return deltaCapability(d)
}

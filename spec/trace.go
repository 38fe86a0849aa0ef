package spec

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/hookd-dev/hookd/event"
)

// Citation kinds.
const (
	CiteTask   = "task"
	CiteDesign = "design"
	CiteCode   = "code"
	CiteTest   = "test"
	CiteChange = "change" // an OpenSpec change whose delta names the requirement
)

// MaxTraceFile is the largest file scanned for citations; bigger files
// are data, not code.
const MaxTraceFile = 1 << 20

// The default recognisers of citations (docs/specs.md, "The trace index and impact"),
// in any comment syntax.
var (
	reValidates = regexp.MustCompile(`(?i)\bValidates\**\s*[:：]?\s*\**\s*Requirements?\s+([0-9][0-9.,\s\-–]*)`)
	reFeature   = regexp.MustCompile(`(?i)\bFeature:\s*([a-z0-9][a-z0-9_-]*)(?:\s*,\s*Property\s+(\d+))?`)
	reProperty  = regexp.MustCompile(`(?i)@Tag\("Property:\s*(\d+)"\)`)
	reRequires  = regexp.MustCompile(`(?i)\b(?:Requirements?|需求|要件)(?:\s*[(（]([a-z0-9][a-z0-9_-]*)[)）])?\s*[:：]?\s*((?:\d+(?:\.\d+)?(?:\s*[-–]\s*\d+(?:\.\d+)?)?(?:\s*[,、]\s*|\s+|$))+)`)
	reExplicit  = regexp.MustCompile(`\b(?:FR|SC|NFR)-\d{3}[a-z]?\b|\bUS\d+/AC\d+\b`)
	reSpecPath  = regexp.MustCompile(`(?:\.kiro/specs|specs)/([A-Za-z0-9][A-Za-z0-9_.-]*)`)
)

// traceHints are byte strings one of which every citation the default
// recognisers find contains: a cheap test, run before any regexp, that a
// file or line may cite anything at all.
var traceHints = [][]byte{[]byte("equirement"), []byte("EQUIREMENT"), []byte("alidates"), []byte("ALIDATES"),
	[]byte("eature:"), []byte("EATURE:"), []byte("R-"), []byte("C-"), []byte("/AC"), []byte("需求"), []byte("要件")}

func mayCite(b []byte) bool {
	for _, h := range traceHints {
		if bytes.Contains(b, h) {
			return true
		}
	}
	return false
}

// ref is one citation found in a file, before scoping.
type ref struct {
	line  int
	ids   []string
	scope string // a spec named on the spot: "Feature: x", "Requirements (x):"
	// property is "x#N" for a Kiro property tag, resolved through x's
	// design; ids are then empty.
	property string
}

// fileRefs is what one non-spec file cites.
type fileRefs struct {
	refs  []ref
	scope string // a spec the file names by path, e.g. ".kiro/specs/x"
	test  bool
}

// Index knows every spec document and every place that cites a
// requirement. It is built once and then kept current file by file; all
// methods are safe for concurrent use.
type Index struct {
	roots    []string
	patterns []*regexp.Regexp

	mu    sync.RWMutex
	docs  map[string]*Doc
	files map[string]fileRefs
	// touched are the files updated while a Build runs: the build's older
	// read of them must not overwrite the update.
	touched map[string]bool
}

// NewIndex makes an empty index for specs under roots; patterns are extra
// recognisers ([trace] patterns): regexps whose first group holds the
// cited ids, and whose group named "spec", if any, the spec.
func NewIndex(roots, patterns []string) (*Index, error) {
	x := &Index{roots: roots, docs: map[string]*Doc{}, files: map[string]fileRefs{}}
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("trace pattern %q: %w", p, err)
		}
		if re.NumSubexp() < 1 {
			return nil, fmt.Errorf("trace pattern %q: needs a group around the ids", p)
		}
		x.patterns = append(x.patterns, re)
	}
	return x, nil
}

// Build reads the files (repository-relative) under root in parallel and
// indexes them. It stops early when ctx is done.
func (x *Index) Build(ctx context.Context, root string, files []string) error {
	x.mu.Lock()
	x.touched = map[string]bool{}
	x.mu.Unlock()
	defer func() {
		x.mu.Lock()
		x.touched = nil
		x.mu.Unlock()
	}()
	work := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rel := range work {
				if data, err := ReadDoc(filepath.Join(root, filepath.FromSlash(rel))); err == nil {
					x.update(rel, data, true)
				}
			}
		}()
	}
	defer wg.Wait()
	defer close(work)
	for _, f := range files {
		select {
		case work <- f:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Update indexes a file's current content, replacing what it held. It
// returns the parsed document when the file is a spec document, and the
// version it replaced (nil when new).
func (x *Index) Update(rel string, data []byte) (doc, prev *Doc) {
	return x.update(rel, data, false)
}

func (x *Index) update(rel string, data []byte, build bool) (doc, prev *Doc) {
	rel = filepath.ToSlash(rel)
	p, isDoc := Classify(rel, x.roots)
	var fr fileRefs
	if isDoc {
		doc = Parse(p, rel, data)
	} else {
		fr = x.scan(rel, data)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case x.touched == nil:
	case build && x.touched[rel]:
		return nil, nil
	case !build:
		x.touched[rel] = true
	}
	if isDoc {
		prev = x.docs[rel]
		x.docs[rel] = doc
		return doc, prev
	}
	if len(fr.refs) == 0 {
		delete(x.files, rel)
	} else {
		x.files[rel] = fr
	}
	return nil, nil
}

// Remove forgets a deleted file, returning its document if it was one.
func (x *Index) Remove(rel string) *Doc {
	rel = filepath.ToSlash(rel)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.touched != nil {
		x.touched[rel] = true
	}
	d := x.docs[rel]
	delete(x.docs, rel)
	delete(x.files, rel)
	return d
}

// Roots are the spec roots the index classifies documents by.
func (x *Index) Roots() []string { return x.roots }

// Doc returns the indexed document at rel, or nil.
func (x *Index) Doc(rel string) *Doc {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.docs[filepath.ToSlash(rel)]
}

// Docs returns every indexed document, sorted by path.
func (x *Index) Docs() []*Doc {
	x.mu.RLock()
	out := make([]*Doc, 0, len(x.docs))
	for _, d := range x.docs {
		out = append(out, d)
	}
	x.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// scan finds the citations in one non-spec file.
func (x *Index) scan(rel string, data []byte) fileRefs {
	fr := fileRefs{test: IsTest(rel)}
	if len(data) == 0 || bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 || !mayCite(data) && len(x.patterns) == 0 {
		return fr
	}
	if m := reSpecPath.FindSubmatch(data); m != nil {
		fr.scope = strings.TrimRight(string(m[1]), ".") // a full stop ends the sentence, not the name
	}
	feature, featureLine := "", 0
	for _, l := range splitLines(data) {
		t := l.text
		if strings.TrimSpace(t) == "" {
			feature = "" // a tag's scope ends with its comment block
			continue
		}
		if len(x.patterns) == 0 && !mayCite([]byte(t)) {
			continue
		}
		r := ref{line: l.n}
		if m := reFeature.FindStringSubmatch(t); m != nil {
			feature, featureLine = strings.ToLower(m[1]), l.n
			if m[2] != "" {
				fr.refs = append(fr.refs, ref{line: l.n, scope: feature, property: feature + "#" + m[2]})
			}
			if m := reProperty.FindStringSubmatch(t); m != nil {
				fr.refs = append(fr.refs, ref{line: l.n, scope: feature, property: feature + "#" + m[1]})
			}
		}
		if feature != "" && l.n-featureLine <= 12 {
			r.scope = feature
		}
		for _, m := range reValidates.FindAllStringSubmatch(t, -1) {
			r.ids = append(r.ids, ResolveRefs(splitRefs(m[1]))...)
		}
		for _, m := range reRequires.FindAllStringSubmatch(t, -1) {
			if m[1] != "" {
				r.scope = strings.ToLower(m[1])
			}
			r.ids = append(r.ids, ResolveRefs(splitRefs(strings.TrimSpace(m[2])))...)
		}
		r.ids = append(r.ids, reExplicit.FindAllString(t, -1)...)
		for _, re := range x.patterns {
			for _, m := range re.FindAllStringSubmatch(t, -1) {
				r.ids = append(r.ids, ResolveRefs(splitRefs(m[1]))...)
				if i := re.SubexpIndex("spec"); i > 0 && m[i] != "" {
					r.scope = m[i]
				}
			}
		}
		if len(r.ids) > 0 {
			r.ids = dedupe(r.ids)
			fr.refs = append(fr.refs, r)
		}
	}
	return fr
}

// IsTest tells a test file by the conventions of common languages.
func IsTest(rel string) bool {
	base := path.Base(rel)
	switch {
	case strings.HasSuffix(base, "_test.go"), strings.Contains(base, ".test."), strings.Contains(base, ".spec."),
		strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py"), strings.HasSuffix(base, "_test.py"),
		strings.HasSuffix(strings.TrimSuffix(base, path.Ext(base)), "Test"), strings.HasSuffix(strings.TrimSuffix(base, path.Ext(base)), "Tests"),
		strings.HasSuffix(base, "_spec.rb"), strings.HasSuffix(base, ".t.sol"), strings.Contains(base, ".fuzz."):
		return true
	}
	for _, dir := range strings.Split(path.Dir(rel), "/") {
		switch dir {
		case "test", "tests", "__tests__", "spec", "e2e", "testdata":
			return true
		}
	}
	return false
}

// covers reports whether a citation of cited touches the changed id: the
// same id, a criterion of a cited requirement, or the requirement of a
// cited criterion ("2" and "2.1", "US1" and "US1/AC2").
func covers(changed, cited string) bool {
	return changed == cited ||
		strings.HasPrefix(cited, changed+".") || strings.HasPrefix(changed, cited+".") ||
		strings.HasPrefix(cited, changed+"/") || strings.HasPrefix(changed, cited+"/")
}

// Impact lists every place that cites any of ids of the named spec (any
// spec when name is empty), sorted by file and line. A completed task
// citing one is marked stale. Citations in code that name no spec are
// included with an empty spec: they may mean this one.
func (x *Index) Impact(name string, ids []string) []event.Citation {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := []event.Citation{}
	// hit returns the first cited id that one of ids covers.
	hit := func(cited []string) string {
		for _, c := range cited {
			for _, id := range ids {
				if covers(id, c) {
					return c
				}
			}
		}
		return ""
	}
	designs := map[string]*Doc{}  // spec name → design, for property tags
	namers := map[string]string{} // file → the spec whose tasks name it
	for _, d := range x.docs {
		if d.Kind == Design {
			designs[strings.ToLower(d.Spec)] = d
		}
	}
	for _, d := range x.docs {
		if name != "" && d.Spec != name && !(d.Kind == Delta && deltaCapability(d) == name) {
			continue
		}
		switch d.Kind {
		case Tasks:
			for _, t := range d.Tasks {
				if id := hit(t.Requirements); id != "" {
					out = append(out, event.Citation{Requirement: id, Spec: d.Spec, File: d.File, Line: t.Line, Kind: CiteTask, Stale: t.Status == Done})
				}
			}
		case Design:
			for _, p := range d.Properties {
				if id := hit(p.Validates); id != "" {
					out = append(out, event.Citation{Requirement: id, Spec: d.Spec, File: d.File, Line: p.Line, Kind: CiteDesign})
				}
			}
		case Delta:
			for _, r := range append(append([]Requirement{}, d.Delta.Modified...), d.Delta.Removed...) {
				if id := hit([]string{r.ID}); id != "" {
					out = append(out, event.Citation{Requirement: id, Spec: d.Spec, File: d.File, Line: r.Line, Kind: CiteChange})
				}
			}
		}
	}
	for file, fr := range x.files {
		kind := CiteCode
		if fr.test {
			kind = CiteTest
		}
		for _, r := range fr.refs {
			scope := r.scope
			if scope == "" {
				scope = fr.scope
			}
			if scope == "" {
				if _, ok := namers[file]; !ok {
					namers[file] = x.namer(file)
				}
				scope = namers[file]
			}
			if name != "" && scope != "" && !strings.EqualFold(scope, name) {
				continue
			}
			cited := r.ids
			if r.property != "" {
				feature, n, _ := strings.Cut(r.property, "#")
				if d := designs[feature]; d != nil {
					for _, p := range d.Properties {
						if p.ID == n {
							cited = p.Validates
						}
					}
				}
			}
			if id := hit(cited); id != "" {
				out = append(out, event.Citation{Requirement: id, Spec: scope, File: file, Line: r.line, Kind: kind})
			}
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

// namer is the spec whose tasks name the file's path, if exactly one does.
func (x *Index) namer(file string) string {
	found := ""
	for _, d := range x.docs {
		if d.Kind == Tasks && strings.Contains(d.body, file) {
			if found != "" && found != d.Spec {
				return ""
			}
			found = d.Spec
		}
	}
	return found
}

// deltaCapability is the capability an OpenSpec delta changes, from its
// path: …/specs/<capability>/spec.md.
func deltaCapability(d *Doc) string {
	_, after, ok := strings.Cut(d.File, "/specs/")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(after, "/spec.md")
}

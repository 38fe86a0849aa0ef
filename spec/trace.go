package spec

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/internal/suggest"
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
// A list of ids as people write them: "1.1, 1.2", "(4.6, 13.4)",
// "6.1-6.4", "6.1–6.4", "6.1 to 6.4", "3 and 4".
const (
	idPat    = `\d+(?:\.\d+)?`
	rangePat = idPat + `(?:\s*(?:[-–—~]|\bto\b|\bthrough\b)\s*` + idPat + `)?`
	listPat  = rangePat + `(?:\s*(?:[,，、;]|\band\b|&)\s*` + rangePat + `)*`
	// specIDPat is one id after "spec#": N, N.k, a range of them, or a
	// Spec Kit id.
	specIDPat = `(?:\d+(?:\.\d+)?(?:[-–]\d+(?:\.\d+)?)?|[A-Z]{1,4}-\d{3}[a-z]?|US\d+(?:/AC\d+)?)`
)

var (
	reValidates = lazyRegexp(`(?i)\bValidates\**\s*[:：]?\s*\**\s*Requirements?\s+(` + listPat + `)`)
	reFeature   = lazyRegexp(`(?i)\bFeature:\s*([a-z0-9][a-z0-9_-]*)(?:\s*,\s*Property\s+(\d+))?`)
	reProperty  = lazyRegexp(`(?i)@Tag\("Property:\s*(\d+)"\)`)
	reRequires  = lazyRegexp(`(?i)\b(?:Requirements?|Reqs?\.?|需求|要件)(?:\s*[(（]([a-z0-9][a-z0-9_/-]*)[)）])?\s*[:：]?\s*#?(` + listPat + `)`)
	// reDefines is a heading that defines a requirement: never a citation.
	reDefines  = lazyRegexp(`(?i)^\s*#{1,6}\s*(?:Requirement|需求|要件)s?\s*\d`)
	reExplicit = lazyRegexp(`\b(?:FR|SC|NFR)-\d{3}[a-z]?\b|\bUS\d+/AC\d+\b`)
	reSpecPath = lazyRegexp(`(?:\.kiro/specs|specs)/([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	// reSpecID is "spec#id" as hookd's own commands take it: a spec name,
	// then ids of the Kiro or Spec Kit forms.
	reSpecID = lazyRegexp(`(?:^|[^A-Za-z0-9_./#-])([A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_-]*)?)#(` + specIDPat + `(?:\s*,\s*` + specIDPat + `)*)\b`)
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
	// "spec#2.1", "spec#FR-001", "spec#US1": a word, '#', an id.
	for i := bytes.IndexByte(b, '#'); i >= 0; {
		if i > 0 && i+1 < len(b) && isWordByte(b[i-1]) && (b[i+1] >= '0' && b[i+1] <= '9' || b[i+1] >= 'A' && b[i+1] <= 'Z') {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '#')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// ref is one citation found in a file, before scoping.
type ref struct {
	line int
	ids  []string
	// context are the words of the lines around it (its comment block),
	// for scoping.
	context []string
	// prose counts the words of the comments and text among those lines:
	// what a person wrote about the citation, not code.
	prose int
	scope string // a spec named on the spot: "Feature: x", "Requirements (x):", "x#2.1"
	// explicit says scope came from "spec#id": a name that is no spec here
	// makes it no citation at all ("owner/repo#12" is an issue).
	explicit bool
	// paths are the specs named by path on its line ("Validates: 5.1
	// (.kiro/specs/futures/)").
	paths []string
	// near is the citation's line in lower case: where a spec's name
	// ("aws-quorum-manager spec Requirement 21") names the spec it cites.
	near string
	// at is where on its line the citation starts (-1: not known).
	at int
	// property is "x#N" for a Kiro property tag, resolved through x's
	// design; ids are then empty.
	property string
}

// headerLines are the lines of a file's header: a spec named there by
// path is the whole file's.
const headerLines = 15

// pathMention is a spec named by path at a line (0-based).
type pathMention struct {
	at, col int
	name    string
}

// fileRefs is what one non-spec file cites.
type fileRefs struct {
	refs []ref
	// cut says the file cites more than MaxCitesPerFile ids: the rest
	// were not read (a crafted file must not cost the index unbounded
	// memory).
	cut   bool
	scope string // the one feature the file's header names ("Feature: x")
	// paths is the spec the file's header names by path (".kiro/specs/x",
	// "specs/001-x"), when the file names no other.
	paths []string
	test  bool
	// imports are, per import line, the stems of what it imports
	// (ThemeContext, settings), which the spec that covers the file names
	// in its documents.
	imports [][]string
	// content are the words the file uses most (at most 60).
	content []string
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
	gen   uint64 // counts the changes of docs

	// set is what hookd.toml and .gitattributes say of citations
	// (settings.go).
	set settings

	scopeMu  sync.Mutex
	scope    *scoper // for docs as of scopeGen
	scopeGen uint64
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
				if data, err := ReadDoc(root, rel); err == nil {
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
	switch rel {
	case "hookd.toml":
		x.set.readHookdToml(data)
	case ".gitattributes":
		x.set.readGitattributes(data)
	}
	if isDoc {
		prev = x.docs[rel]
		x.docs[rel] = doc
		x.gen++
		return doc, prev
	}
	if len(fr.refs) == 0 {
		delete(x.files, rel)
	} else {
		x.files[rel] = fr
	}
	return nil, nil
}

// Cut lists the files whose citations were cut off at MaxCitesPerFile,
// sorted: what the index does not fully know, for a warning.
func (x *Index) Cut() []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []string
	for rel, fr := range x.files {
		if fr.cut {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

// Remove forgets a deleted file, returning its document if it was one.
func (x *Index) Remove(rel string) *Doc {
	rel = filepath.ToSlash(rel)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.touched != nil {
		x.touched[rel] = true
	}
	switch rel {
	case "hookd.toml":
		x.set.readHookdToml(nil)
	case ".gitattributes":
		x.set.readGitattributes(nil)
	}
	d := x.docs[rel]
	if d != nil {
		x.gen++
	}
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

// MaxCitesPerFile bounds the ids one file's citations may add to the
// index; past it, the file's further lines are not read, and the index
// says so (Cut). Real files cite a few dozen.
const MaxCitesPerFile = 5000

// scan finds the citations in one non-spec file.
func (x *Index) scan(rel string, data []byte) fileRefs {
	fr := fileRefs{test: IsTest(rel)}
	if len(data) == 0 || bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 || !mayCite(data) && len(x.patterns) == 0 {
		return fr
	}
	lines := splitLines(data)
	// The specs the file names by path, and where: a path names the spec
	// of the citations beside it, and of the whole file only in its
	// header and when the file names no other (a README that points at
	// one spec's design further down may cite another's requirement at
	// its top).
	var mentions []pathMention
	if bytes.Contains(data, []byte("specs/")) {
		for i, l := range lines {
			if !strings.Contains(l.text, "specs/") {
				continue
			}
			for _, m := range reSpecPath().FindAllStringSubmatchIndex(l.text, 10) {
				name := strings.TrimRight(l.text[m[2]:m[3]], ".") // a full stop ends the sentence, not the name
				mentions = append(mentions, pathMention{i, m[0], name})
			}
			if len(mentions) > 200 {
				break
			}
		}
		one := true
		for _, m := range mentions {
			one = one && m.name == mentions[0].name
		}
		if len(mentions) > 0 && one && mentions[0].at < headerLines {
			fr.paths = []string{mentions[0].name}
		}
	}
	feature, featureLine := "", 0
	features, firstFeature := map[string]bool{}, 0
	prose := isText(rel)
	// "spec#id" in data (a saved `hookd trace --format json`, an HTML
	// report, a lock file) is what a tool wrote, not a citation.
	isdata := isData(rel)
	cites := 0
	for i, l := range lines {
		t := l.text
		if strings.TrimSpace(t) == "" {
			feature = "" // a tag's scope ends with its comment block
			continue
		}
		if len(x.patterns) == 0 && !mayCite([]byte(t)) {
			continue
		}
		r := ref{line: l.n}
		// Each recogniser runs only on a line that holds its word: most
		// lines that pass mayCite hold one of them at most.
		low := strings.ToLower(t)
		if m := matchIf(strings.Contains(low, "feature:"), reFeature(), t); m != nil {
			feature, featureLine = strings.ToLower(m[1]), l.n
			if len(features) == 0 {
				firstFeature = l.n
			}
			features[feature] = true
			if m[2] != "" {
				fr.refs = append(fr.refs, ref{line: l.n, scope: feature, property: feature + "#" + m[2]})
			}
			if m := reProperty().FindStringSubmatch(t); m != nil {
				fr.refs = append(fr.refs, ref{line: l.n, scope: feature, property: feature + "#" + m[1]})
			}
		}
		if feature != "" && l.n-featureLine <= 12 {
			r.scope = feature
		}
		if strings.Contains(t, "#") && reDefines().MatchString(t) {
			continue // "### Requirement 3: …" in a document defines it
		}
		r.at = -1
		if strings.Contains(low, "validates") {
			for _, m := range idLists(reValidates(), t) {
				r.ids = append(r.ids, ResolveRefs(splitRefs(t[m[2]:m[3]]))...)
				r.at = firstAt(r.at, m[0])
			}
		}
		if strings.Contains(low, "req") || strings.Contains(t, "需求") || strings.Contains(t, "要件") {
			for _, m := range idLists(reRequires(), t) {
				r.at = firstAt(r.at, m[0])
				if m[2] >= 0 {
					r.scope = strings.ToLower(t[m[2]:m[3]])
				}
				r.ids = append(r.ids, ResolveRefs(splitRefs(strings.TrimSpace(t[m[4]:m[5]])))...)
			}
		}
		if strings.Contains(t, "R-") || strings.Contains(t, "C-") || strings.Contains(t, "/AC") {
			r.ids = append(r.ids, reExplicit().FindAllString(t, -1)...)
		}
		if strings.Contains(t, "#") && !isdata {
			for _, m := range reSpecID().FindAllStringSubmatch(t, -1) {
				// "login#2.1": the spec on the spot. One citation names one
				// spec; a second on the line is a citation of its own.
				if r.scope != "" && !strings.EqualFold(r.scope, m[1]) && len(r.ids) > 0 {
					continue
				}
				r.scope, r.explicit = strings.ToLower(m[1]), true
				r.ids = append(r.ids, ResolveRefs(splitRefs(m[2]))...)
			}
		}
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
			r.context, r.prose = contextWords(lines, i, prose)
			// A path on the citation's line, or on the next when the
			// citation's parenthesis goes on there ("(Requirement 17,\n
			// .kiro/specs/x/)"), names its spec; one a line away names
			// what that line is about.
			open := strings.LastIndex(t, "(") > strings.LastIndex(t, ")")
			at := max(r.at, 0)
			for _, m := range mentions {
				// On its line: after the citation, or before it with no
				// other clause between ("(.kiro/specs/x/ Requirement 8.1)",
				// not "… in .kiro/specs/x/; Requirement 8.1 in …").
				mine := m.at == i && (m.col > at || !strings.ContainsAny(t[m.col:at], ";") && !strings.Contains(strings.ToLower(t[m.col:at]), "requirement"))
				// Or at the start of the next line, the parenthesis going on.
				next := m.at == i+1 && open && m.col <= len(lines[i+1].text)-len(strings.TrimLeft(lines[i+1].text, " \t/*#-`(."))+1
				if (mine || next) && !slices.Contains(r.paths, m.name) {
					r.paths = append(r.paths, m.name)
				}
			}
			r.near = low
			fr.refs = append(fr.refs, r)
			if cites += len(r.ids); cites > MaxCitesPerFile {
				fr.cut = true
				break
			}
		}
	}
	if fr.scope == "" && len(features) == 1 && firstFeature <= 40 {
		for f := range features {
			fr.scope = f // one feature, named in the file's header: the whole file's
		}
	}
	if len(fr.refs) > 0 {
		fr.imports = importStems(lines)
		fr.content = topWords(data, 60)
	}
	return fr
}

// firstAt is the earlier of two offsets, a being -1 for none yet.
func firstAt(a, b int) int {
	if a < 0 || b < a {
		return b
	}
	return a
}

// matchIf is re's submatch of t when may holds (a cheap test that t can
// match at all), else nil.
func matchIf(may bool, re *regexp.Regexp, t string) []string {
	if !may {
		return nil
	}
	return re.FindStringSubmatch(t)
}

// topWords are the n words a text uses most, most used first.
func topWords(data []byte, n int) []string {
	count := map[string]int{}
	for _, w := range nameWordsAll(string(data[:min(len(data), 64<<10)])) {
		count[w]++
	}
	out := make([]string, 0, len(count))
	for w := range count {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool {
		if count[out[i]] != count[out[j]] {
			return count[out[i]] > count[out[j]]
		}
		return out[i] < out[j]
	})
	return out[:min(n, len(out))]
}

// reImport is a line that imports something, in the common languages.
var reImport = lazyRegexp(`^\s*(?:import\b|from\s+\S+\s+import\b|export\s.*\bfrom\b|.*\brequire\(|use\s|#include\b|using\s)`)

// reModule is the quoted module an import line names, in the languages
// that quote it (JavaScript, TypeScript, Go, C, PHP, Rust's mod paths are
// not quoted and always count).
var reModule = lazyRegexp(`(?:from|require\(|import|#include)\s*['"<]([^'">]+)['">]`)

// localModule reports whether a quoted module is the project's own: a
// relative path, an alias of the source root, or a path with a directory
// the way Go and C name their own packages and headers.
func localModule(m string) bool {
	for _, p := range []string{".", "/", "@/", "~/", "#", "src/", "$lib/"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return strings.Contains(m, "/") && !strings.HasPrefix(m, "@")
}

// importKeywords are the words of an import line that name nothing.
var importKeywords = map[string]bool{"import": true, "export": true, "from": true, "require": true, "include": true,
	"using": true, "static": true, "default": true, "type": true, "typeof": true, "const": true, "use": true}

// importStems are, per import line, the stems of the names it holds.
func importStems(lines []line) [][]string {
	var out [][]string
	for _, l := range lines {
		if !reImport().MatchString(l.text) {
			continue
		}
		if m := reModule().FindStringSubmatch(l.text); m != nil && !localModule(m[1]) {
			continue // a library ('vitest', 'react'), not a part of the project
		}
		var stems []string
		for _, tok := range nameToken().FindAllString(l.text, -1) {
			if importKeywords[tok] {
				continue
			}
			if s := stem(path.Base(tok)); s != "" && !slices.Contains(stems, s) {
				stems = append(stems, s)
			}
		}
		if len(stems) > 0 {
			out = append(out, stems)
		}
		if len(out) >= 50 {
			break
		}
	}
	return out
}

// contextWords are the words of the lines near line i, which say what a
// citation is about: three either side, and the start of the paragraph or
// comment block it ends (a test's header says what it tests), up to
// twelve lines above; and how many of them are prose (every line when
// prose is set: a document).
func contextWords(lines []line, i int, prose bool) ([]string, int) {
	from, to := max(i-3, 0), min(i+4, len(lines))
	for from > 0 && i-from < 12 && strings.TrimSpace(lines[from-1].text) != "" {
		from--
	}
	var text, said strings.Builder
	for j := from; j < to; j++ {
		text.WriteString(lines[j].text)
		text.WriteByte(' ')
		if prose || isComment(lines[j].text) {
			said.WriteString(lines[j].text)
			said.WriteByte(' ')
		}
	}
	w := nameWords(text.String())
	return w[:min(len(w), 60)], len(nameWords(said.String()))
}

// isText tells a file of prose, every line of which a person wrote to be
// read.
func isText(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".md", ".markdown", ".txt", ".rst", ".adoc", ".org":
		return true
	}
	return false
}

// isData tells a file of data, which no one annotates by hand.
func isData(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".json", ".html", ".htm", ".xml", ".csv", ".sarif", ".lock", ".svg", ".map":
		return true
	}
	return false
}

// isComment tells a line of comment in the common languages.
func isComment(t string) bool {
	t = strings.TrimSpace(t)
	for _, p := range []string{"//", "#", "*", "/*", "--", "<!--", `"""`, "'''", ";"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// idLists finds re's matches in t whose id list ends where a word does:
// "Requirement 3D" cites nothing, "(Requirement 4.6, 13.4)" cites both.
func idLists(re *regexp.Regexp, t string) [][]int {
	var out [][]int
	for _, m := range re.FindAllStringSubmatchIndex(t, -1) {
		end := m[len(m)-1]
		if end < len(t) {
			if c := t[end]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' {
				continue
			}
		}
		out = append(out, m)
	}
	return out
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
	return changed == cited || under(cited, changed) || under(changed, cited)
}

// under reports whether id is a criterion of req: req, then "." or "/";
// or a lettered part of a Spec Kit requirement ("FR-002a" of "FR-002").
func under(id, req string) bool {
	if len(id) <= len(req) || id[:len(req)] != req {
		return false
	}
	c := id[len(req)]
	return c == '.' || c == '/' || len(id) == len(req)+1 && c >= 'a' && c <= 'z' && reExplicit().MatchString(req)
}

// scoper returns the scoping of citations for the documents as they are.
// x.mu is read-held.
func (x *Index) scoper() *scoper {
	x.scopeMu.Lock()
	defer x.scopeMu.Unlock()
	if x.scope == nil || x.scopeGen != x.gen {
		x.scope, x.scopeGen = newScoper(x.docs), x.gen
	}
	return x.scope
}

// Impact lists every place that cites any of ids of the named spec (any
// spec when name is empty), sorted by file and line: tasks, design
// properties, OpenSpec changes, and code and tests scoped to that spec
// (see scope.go). A completed task citing one is marked stale. A place in
// code that cites the ids but that nothing scopes to one spec comes last,
// with Spec empty and Candidates saying which specs it could mean, when
// the named spec is among them.
//
// A spec's name given as an id with no spec named (`hookd impact login`),
// that no spec defines as an id, stands for the whole spec: every place
// that cites any of its requirements.
func (x *Index) Impact(name string, ids []string) []event.Citation {
	out := []event.Citation{}
	if name == "" {
		x.mu.RLock()
		defined := x.defined()
		x.mu.RUnlock()
		var rest []string
		for _, id := range ids {
			if defined[id] != nil && !definesAnywhere(defined, id) {
				out = append(out, x.Impact(id, topLevel(defined[id]))...)
			} else {
				rest = append(rest, id)
			}
		}
		if len(rest) == 0 {
			return out
		}
		ids = rest
	}
	ids = slices.Clone(ids)
	for i, id := range ids {
		ids[i] = x.ResolveID(name, id)
	}
	for _, l := range x.Links(name) {
		id := firstCovered(ids, l.Cites)
		if id == "" {
			continue
		}
		out = append(out, event.Citation{Requirement: id, Spec: l.Spec, File: l.File, Line: l.Line, Kind: l.Kind,
			Stale: l.Kind == CiteTask && l.Status == Done, Why: l.Why, Candidates: l.Candidates, Likely: l.Likely})
	}
	return out
}

// firstCovered is the first of cited that one of ids covers, or "".
func firstCovered(ids, cited []string) string {
	for _, c := range cited {
		for _, id := range ids {
			if covers(id, c) {
				return c
			}
		}
	}
	return ""
}

// scoped is one citation of a file, with what it cites and its scope.
type scoped struct {
	ref   ref
	cited []string
	scoping
}

// scopeFile scopes every citation of one file, each on its own (see
// scope.go). An ambiguous citation is then suggested the spec the file's
// scoped citations all mean ("file"), or else the one most of its other
// suggestions name; it stays ambiguous.
func (x *Index) scopeFile(sc *scoper, file string, fr fileRefs, designs map[string]*Doc) []scoped {
	out := make([]scoped, 0, len(fr.refs))
	firm := map[string]bool{}
	configured := x.set.scopeOf(file)
	for _, r := range fr.refs {
		cited := r.ids
		named := r.scope
		header := fr.paths
		if fr.scope != "" {
			header = append(slices.Clone(header), fr.scope)
		}
		if r.property != "" {
			feature, n, _ := strings.Cut(r.property, "#")
			if d := designs[strings.ToLower(sc.resolve(feature, sc.projectOf(file)))]; d != nil {
				for _, p := range d.Properties {
					if p.ID == n {
						cited = p.Validates
					}
				}
			}
		}
		sp := sc.scope(file, named, r.paths, header, configured, cited, r, fr.imports, fr.content)
		if sp.spec != "" && evidence(sp.why) && sp.why != ScopeOnly {
			firm[sp.spec] = true
		}
		out = append(out, scoped{ref: r, cited: cited, scoping: sp})
	}
	follow, why := "", "file"
	if len(firm) == 1 {
		for spec := range firm {
			follow = spec
		}
	} else if len(firm) == 0 {
		follow, why = majority(out), "file"
	}
	if follow == "" {
		return out
	}
	for i, s := range out {
		if s.spec != "" || !slices.Contains(s.cands, follow) || s.likely == follow {
			continue
		}
		if s.ref.prose >= 4 && sc.says(file, follow, s.cited, s.ref.context) == 0 {
			continue // says nothing the followed spec does (see scope.go)
		}
		if s.likely == "" || !strongHint(s.likelyWhy) {
			out[i].likely, out[i].likelyWhy = follow, why
		}
	}
	return out
}

// majority is the spec a file's ambiguous citations are mostly
// suggested: at least two of them, and twice as many as any other.
func majority(refs []scoped) string {
	n := map[string]int{}
	for _, r := range refs {
		if r.likely != "" {
			n[r.likely]++
		}
	}
	best, first, second := leader(n)
	if first < 2 || first < 2*second {
		return ""
	}
	return best
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

// Check says whether a query of Impact names what exists: the spec (when
// named) and each id in it (in any spec when none is named). Its error
// names what does exist, so a typo is told, not answered with nothing.
func (x *Index) Check(name string, ids []string) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	defined := x.defined()
	if name != "" && defined[name] == nil {
		names := make([]string, 0, len(defined))
		for n := range defined {
			names = append(names, n)
		}
		// The repository's own first, then each nested project's.
		sort.Slice(names, func(i, j int) bool {
			if ni, nj := strings.Count(names[i], "/"), strings.Count(names[j], "/"); ni != nj {
				return ni < nj
			}
			return names[i] < names[j]
		})
		if len(names) == 0 {
			return fmt.Errorf("no spec named %q: there are no specs here (under %s)", name, strings.Join(x.roots, ", "))
		}
		msg := fmt.Sprintf("no spec named %q", name)
		if near := suggest.Nearest(name, names, max(3, len(name)/4+1)); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return fmt.Errorf("%s; the specs here: %s", msg, listSome(names, 12))
	}
	for _, id := range ids {
		if name == "" && defined[id] != nil && !definesAnywhere(defined, id) {
			continue // a spec's name alone: every requirement of it
		}
		id = x.resolveID(name, id)
		found := false
		for spec, set := range defined {
			if (name == "" || spec == name) && (set[id] || anyUnder(set, id)) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		if name == "" {
			return fmt.Errorf("no spec defines %q", id)
		}
		var top []string
		for i := range defined[name] {
			if !strings.Contains(i, ".") && !strings.Contains(i, "/") || x.formatOf(name) == OpenSpec {
				top = append(top, i)
			}
		}
		sort.Slice(top, func(a, b int) bool { return naturalLess(top[a], top[b]) })
		if len(top) == 0 {
			return fmt.Errorf("%s has no requirement %q; it defines no ids", name, id)
		}
		// Each format's ids as that format writes them.
		switch x.formatOf(name) {
		case OpenSpec:
			msg := fmt.Sprintf("%s has no requirement %q", name, id)
			if near := suggest.Nearest(strings.ToLower(id), lowerAll(top), max(3, len(id)/4+1)); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			return fmt.Errorf("%s; its requirements (by name, in any case, or as a slug like %q) are %s", msg, Slug(top[0]), listSome(top, 12))
		case SpecKit:
			return fmt.Errorf("%s has no requirement %q; it defines %s (and USn/ACk for a story's acceptance scenarios)", name, id, listSome(top, 20))
		}
		return fmt.Errorf("%s has no requirement %q; its requirements are %s (their criteria are N.k)", name, id, listSome(top, 20))
	}
	return nil
}

// definesAnywhere reports whether some spec defines id (or a criterion of
// it): then id is an id, even where a spec has that name too.
func definesAnywhere(defined map[string]map[string]bool, id string) bool {
	for _, set := range defined {
		if set[id] || anyUnder(set, id) {
			return true
		}
	}
	return false
}

// topLevel is the ids of set that are no criterion of another (the
// requirements, not N.k), which cover everything below them.
func topLevel(set map[string]bool) []string {
	var out []string
	for id := range set {
		if !strings.Contains(id, ".") && !strings.Contains(id, "/") {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(a, b int) bool { return naturalLess(out[a], out[b]) })
	return out
}

// formatOf is the format of the named spec's documents. x.mu is read-held.
func (x *Index) formatOf(name string) Format {
	for _, d := range x.docs {
		if d.Spec == name && d.Kind != Delta {
			return d.Format
		}
	}
	return ""
}

// ResolveID is the id the named spec defines that id means: id itself,
// or, for an OpenSpec spec whose ids are requirement names, the one named
// so in any case or by its slug ("user-login" for "User Login"). An id
// that means none comes back as it is.
func (x *Index) ResolveID(name, id string) string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.resolveID(name, id)
}

// resolveID is ResolveID with x.mu read-held.
func (x *Index) resolveID(name, id string) string {
	if name == "" {
		return id
	}
	var match string
	for _, d := range x.docs {
		if d.Spec != name || d.Format != OpenSpec || d.Kind != Feature {
			continue
		}
		for _, r := range d.Requirements {
			switch {
			case r.ID == id:
				return id
			case strings.EqualFold(r.ID, id) || Slug(r.ID) == Slug(id):
				match = r.ID
			}
		}
	}
	if match != "" {
		return match
	}
	return id
}

// Slug is a requirement name as a path or a URL writes it: lower case,
// words joined by '-' ("User Login" is user-login).
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

func lowerAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strings.ToLower(x)
	}
	return out
}

// anyUnder reports whether set has a criterion of requirement id.
func anyUnder(set map[string]bool, id string) bool {
	for i := range set {
		if under(i, id) {
			return true
		}
	}
	return false
}

func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" … and %d more", len(items)-n)
}

// naturalLess orders "2" before "10".
func naturalLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

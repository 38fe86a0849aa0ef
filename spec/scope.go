package spec

import (
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Scoping a citation
//
// Kiro's ids are numbers, and every spec has a Requirement 3: "Tests
// Requirements: 3.1, 3.2" in a test means nothing until it is known which
// spec it cites. A citation is scoped by the best evidence there is, in
// this order, and each step only narrows the candidates the one before
// left:
//
//  1. named: the citation or its file names a spec ("Requirements (login):",
//     "Feature: login", a .kiro/specs/login path in the file);
//  2. project: a file inside a nested project (a directory with its own
//     .kiro/) cites that project's specs, a file outside any only the
//     repository's own;
//  3. ids: only specs that define every id cited stay (a citation of 3.12
//     is none of the specs whose Requirement 3 has fewer criteria);
//  4. path, name, stem: the one spec whose documents name the file, by its
//     path, then its file name, then its stem ("PageEditor" for
//     PageEditor.test.tsx);
//  5. imports: the spec whose documents name what the file imports
//     (ThemeContext, PageSelector), the names fewer specs use counting
//     more;
//  6. words: the spec whose name shares more words with the file's path
//     than any other does ("search-e2e.test.ts" and global-search-system);
//  7. content: the same, with the words of the whole file;
//  8. dir: the one spec whose documents name files in the file's
//     directory;
//  9. text: the spec whose cited requirements' text shares two words or
//     more with the file's path and the lines around the citation, and
//     more than any other does ("SEO Metadata … Tests Requirements: 3.2"
//     cites the spec whose Requirement 3 is "SEO Optimization").
//
// A citation scoped only by dir, words, content or text, or not at all,
// then follows its file: when the file's other citations are scoped by strong evidence (1
// to 5) to one spec that is among its candidates, it is that spec's
// ("file"); else, when the file's weakly scoped citations mostly (twice as
// often as any other, two at least) mean one spec, so does it.
//
// One candidate left, at any step, is the spec, unless what its cited
// requirements say contradicts it: when another candidate's cited
// requirements share clearly more words with the lines around the
// citation (LoginForm.test.tsx named by an e-commerce spec, but "login
// form … login flow" is what the auth spec's Requirement 2 says), the
// step does not decide. More than one after the last is an unscoped
// citation, reported apart with its candidates: a
// place a user can act on, never a guess.

// specEntry is what scoping knows of one spec.
type specEntry struct {
	name    string // full name: "login", "web/login" for a nested project's
	dir     string // its folder
	short   string // the name within its project
	project string
	ids     map[string]bool
	words   []string
	// text holds, per id, the words of what it says: a requirement's
	// title, story and criteria; a criterion's text and its requirement's
	// title.
	text map[string][]string
}

// scoper answers, for one generation of the index's documents, which spec a
// citation means.
type scoper struct {
	specs    map[string]*specEntry
	projects []string // nested projects, longest first
	// byPath, byBase and byStem map what spec documents name to the specs
	// that name it: a project-relative path, a file name, a stem; byDir
	// the directories of the files they name.
	byPath, byBase, byStem, byDir map[string][]string
}

// nameToken is what, in a spec document, may name a file: a path, a file
// name, an identifier.
var nameToken = lazyRegexp(`[A-Za-z0-9_][A-Za-z0-9_.\-/]*[A-Za-z0-9_]`)

func newScoper(docs map[string]*Doc) *scoper {
	s := &scoper{specs: map[string]*specEntry{}, byPath: map[string][]string{}, byBase: map[string][]string{}, byStem: map[string][]string{}, byDir: map[string][]string{}}
	projects := map[string]bool{}
	add := func(m map[string][]string, key, spec string) {
		if key != "" && !slices.Contains(m[key], spec) {
			m[key] = append(m[key], spec)
		}
	}
	for _, d := range docs {
		if d.Kind == Delta || d.Format == OpenSpec && d.Kind != Feature {
			continue // a change names its capabilities' requirements; it is no spec
		}
		e := s.specs[d.Spec]
		if e == nil {
			short := strings.TrimPrefix(d.Spec, d.Project+"/")
			if d.Project == "" {
				short = d.Spec
			}
			e = &specEntry{name: d.Spec, dir: d.Dir, short: short, project: d.Project, ids: map[string]bool{}, words: nameWords(short), text: map[string][]string{}}
			s.specs[d.Spec] = e
		}
		if d.Project != "" {
			projects[d.Project] = true
		}
		for _, id := range d.IDs() {
			e.ids[id] = true
		}
		for _, r := range d.Requirements {
			all := r.Title + " " + r.text
			for _, c := range r.Criteria {
				all += " " + c.Text
				e.text[c.ID] = nameWords(r.Title + " " + c.Text)
			}
			e.text[r.ID] = nameWords(all)
		}
		for _, tok := range nameToken().FindAllString(d.body, -1) {
			tok = strings.Trim(tok, "./")
			if strings.Contains(tok, "/") {
				p := strings.TrimPrefix(tok, d.Project+"/")
				add(s.byPath, p, d.Spec)
				if strings.Contains(path.Base(p), ".") { // a file's, not a directory's
					add(s.byDir, path.Dir(p), d.Spec)
				}
			}
			base := path.Base(tok)
			if strings.Contains(base, ".") {
				add(s.byBase, nameKey(base), d.Spec)
			}
			add(s.byStem, stem(base), d.Spec)
		}
	}
	for p := range projects {
		s.projects = append(s.projects, p)
	}
	sort.Slice(s.projects, func(i, j int) bool { return len(s.projects[i]) > len(s.projects[j]) })
	return s
}

// projectOf is the nested project a file is in, "" for none.
func (s *scoper) projectOf(file string) string {
	for _, p := range s.projects {
		if strings.HasPrefix(file, p+"/") {
			return p
		}
	}
	return ""
}

// resolve finds the spec a name given in a file means: one of the file's
// project by its name there, else one by its full name.
func (s *scoper) resolve(name, project string) string {
	for _, e := range s.specs {
		if e.project == project && strings.EqualFold(e.short, name) {
			return e.name
		}
	}
	for _, e := range s.specs {
		if strings.EqualFold(e.name, name) {
			return e.name
		}
	}
	return ""
}

// scoping is what scope decided of one citation: the spec and the
// evidence (why), or, for an ambiguous citation, the specs it could mean
// and the one a heuristic suggests (likely, with the step that suggested
// it in likelyWhy), which decides nothing.
type scoping struct {
	spec, why         string
	cands             []string
	likely, likelyWhy string
}

// Evidence: what may scope a citation (docs/specs.md, "Scoped and
// ambiguous"). Anything else only suggests.
const (
	ScopeNamed    = "named"    // the citation or the file's header names the spec
	ScopeExplicit = "explicit" // "spec#id"
	ScopeFolder   = "folder"   // the file is in the spec's own folder
	ScopeConfig   = "config"   // [trace] scope names the spec for the file's folder
	ScopeProject  = "project"  // the project has one spec
	ScopeOnly     = "only"     // one spec alone defines what it cites
)

// scope decides which spec a citation r of ids in file means. named is a
// spec the citation or its file's header names ("" for none), paths the
// specs the file names by path, configured the spec [trace] scope gives
// its folder.
func (s *scoper) scope(file, named string, paths, headerPaths []string, configured string, ids []string, r ref, imports [][]string, content []string) scoping {
	context := r.context
	project := s.projectOf(file)
	if named == "" {
		// A spec's name written beside the citation ("aws-quorum-manager
		// spec Requirement 21") names it.
		if n := s.namedNear(r.near, project); n != "" {
			return scoping{spec: n, why: ScopeNamed}
		}
	}
	if named != "" {
		if n := s.resolve(named, project); n != "" {
			return scoping{spec: n, why: pick(r.explicit, ScopeExplicit, ScopeNamed)}
		}
		if r.explicit {
			return scoping{} // "issue#12": no spec of this name, no citation
		}
		return scoping{spec: named, why: ScopeNamed} // a spec that is not here: cited all the same
	}
	if n := s.inFolder(file); n != "" {
		return scoping{spec: n, why: ScopeFolder}
	}
	if configured != "" {
		if n := s.resolve(configured, project); n != "" {
			return scoping{spec: n, why: ScopeConfig}
		}
		return scoping{spec: configured, why: ScopeConfig}
	}
	var byPath []string
	for _, p := range paths {
		if n := s.resolve(p, project); n != "" && !slices.Contains(byPath, n) {
			byPath = append(byPath, n)
		}
	}
	if len(byPath) == 1 {
		return scoping{spec: byPath[0], why: ScopeNamed}
	}
	// A spec named by path in the file's header (and nowhere else in it)
	// is the file's, for the citations of ids it defines: one of an id it
	// does not is likely another spec's, which the prose names in words.
	if len(byPath) == 0 && len(headerPaths) > 0 {
		var hs []string
		for _, h := range headerPaths {
			if n := s.resolve(h, project); n != "" && !slices.Contains(hs, n) {
				hs = append(hs, n)
			}
		}
		if len(hs) == 1 && len(s.defining(hs, ids, true)) == 1 {
			return scoping{spec: hs[0], why: ScopeNamed}
		}
	}
	var cands []string
	for _, e := range s.specs {
		if e.project == project && len(e.ids) > 0 {
			cands = append(cands, e.name)
		}
	}
	sort.Strings(cands)
	inProject := len(cands)
	if all := s.defining(cands, ids, true); len(all) > 0 {
		cands = all
	} else if cands = s.defining(cands, ids, false); len(cands) == 0 {
		return scoping{} // no spec here has what it cites: it cites nothing
	}
	if inProject == 1 {
		return scoping{spec: cands[0], why: ScopeProject}
	}
	rel := strings.TrimPrefix(file, project+"/")
	if project == "" {
		rel = file
	}
	base := path.Base(file)
	fw := nameWords(strings.TrimSuffix(rel, path.Ext(rel)))
	near := append(slices.Clone(fw), context...)
	text := s.textScores(cands, ids, near)
	// Where the lines around a citation say what it is about, and what a
	// spec's cited requirements say shares none of it ("rsyslog … log
	// forwarding (Requirements: 10.4, 11.6)" and a spec whose 11 is "Vue 3
	// Migration"), no evidence but a name makes it that spec's: it likely
	// cites one that is not here, and is listed apart.
	silent := func(pick string) bool { return r.prose >= 4 && text[pick] == 0 }
	if len(cands) == 1 {
		if silent(cands[0]) {
			return scoping{cands: cands}
		}
		return scoping{spec: cands[0], why: ScopeOnly}
	}
	// From here on nothing is evidence: more than one spec defines what it
	// cites, and nothing names which. What follows suggests one, for a
	// person (or `hookd trace fix`) to confirm.
	likely := func(spec, why string) scoping { return scoping{cands: cands, likely: spec, likelyWhy: why} }
	// A step's pick stands unless what the cited requirements say
	// contradicts it: another candidate's say clearly more of what the
	// lines around the citation are about.
	// What the file is called or says is contradicted by more than where
	// it is.
	contradictedBy := func(least, margin float64) func(string) bool {
		return func(pick string) bool {
			for c, n := range text {
				if c != pick && n >= least && n >= text[pick]+margin {
					return true
				}
			}
			return false
		}
	}
	contradicted, weakly, byWords := contradictedBy(1.5, 1.5), contradictedBy(1, 1), contradictedBy(1.5, 1)
	contradicted, weakly, byWords = orSilent(contradicted, silent), orSilent(weakly, silent), orSilent(byWords, silent)
	for _, step := range []struct {
		why   string
		named []string
	}{{"path", s.byPath[rel]}, {"name", s.byBase[nameKey(base)]}, {"stem", s.byStem[stem(base)]}} {
		if hit := intersect(cands, step.named); len(hit) == 1 && !contradicted(hit[0]) {
			return likely(hit[0], step.why)
		}
	}
	// What the file imports, weighed by how few specs name it.
	if best := s.byImports(cands, imports); best != "" && !contradicted(best) {
		return likely(best, "imports")
	}
	if best := unique(cands, 1, func(c string) int { return shared(s.specs[c].words, fw) }); best != "" && !byWords(best) {
		return likely(best, "words")
	}
	if best := unique(cands, 1, func(c string) int { return shared(s.specs[c].words, content) }); best != "" && !contradicted(best) {
		return likely(best, "content")
	}
	// Beside the files one spec names, and no other: weaker than words,
	// for a directory of tests holds every spec's.
	if hit := intersect(cands, s.byDir[path.Dir(rel)]); len(hit) == 1 && !weakly(hit[0]) {
		return likely(hit[0], "dir")
	}
	if best := clearBest(text, 1.5, 1); best != "" {
		return likely(best, "text")
	}
	return scoping{cands: cands}
}

// namedNear is the one spec of the project whose name is written in
// near, as a word of its own ("billing-sync", never "sync" inside
// "async"); "" for none or more than one. Names of one word are too
// common in prose to be read as a spec's.
func (s *scoper) namedNear(near, project string) string {
	if near == "" {
		return ""
	}
	found := ""
	for _, e := range s.specs {
		if e.project != project || !strings.ContainsAny(e.short, "-_") || len(e.short) < 6 {
			continue
		}
		name := strings.ToLower(e.short)
		for at := 0; ; {
			i := strings.Index(near[at:], name)
			if i < 0 {
				break
			}
			i += at
			end := i + len(name)
			if (i == 0 || !isWordByte(near[i-1]) && near[i-1] != '/') && (end == len(near) || !isWordByte(near[end])) {
				if found != "" && found != e.name {
					return ""
				}
				found = e.name
				break
			}
			at = end
		}
	}
	return found
}

// specNote reports whether the file is prose in a spec's own folder (a
// Spec Kit checklist, research.md, data-model.md, a Kiro spec's notes):
// the spec's documents, not code or tests that cover it.
func (s *scoper) specNote(file string) bool {
	return isText(file) && s.inFolder(file) != ""
}

// inFolder is the spec whose own folder holds the file (a Kiro spec's
// notes, a Spec Kit feature's contracts/ and quickstart.md), "" for none.
func (s *scoper) inFolder(file string) string {
	best := ""
	for _, e := range s.specs {
		if e.dir != "" && strings.HasPrefix(file, e.dir+"/") && len(e.dir) > len(best) {
			best = e.name
		}
	}
	return best
}

func orSilent(a, b func(string) bool) func(string) bool {
	return func(pick string) bool { return a(pick) || b(pick) }
}

// says is how much what spec's cited requirements say shares with a
// citation's file name and context, 0 for nothing.
func (s *scoper) says(file, spec string, ids, context []string) float64 {
	rel := strings.TrimPrefix(file, s.projectOf(file)+"/")
	near := append(nameWords(strings.TrimSuffix(rel, path.Ext(rel))), context...)
	return s.textScores([]string{spec}, ids, near)[spec]
}

// textScores weigh, for each candidate, the words its cited requirements
// share with near: each word counts one over the number of candidates
// whose cited requirements have it too, so "user" or "data", which every
// spec says, weighs next to nothing and "reset" in one spec's only, a
// whole word.
func (s *scoper) textScores(cands, ids, near []string) map[string]float64 {
	said := map[string][]string{}
	df := map[string]int{}
	for _, c := range cands {
		var words []string
		if e := s.specs[c]; e != nil {
			for _, id := range ids {
				words = append(words, e.text[id]...)
			}
		}
		words = slices.Compact(slices.Sorted(slices.Values(words)))
		words = slices.DeleteFunc(words, func(w string) bool { return !slices.Contains(near, w) })
		said[c] = words
		for _, w := range words {
			df[w]++
		}
	}
	scores := map[string]float64{}
	for c, words := range said {
		for _, w := range words {
			scores[c] += 1 / float64(df[w])
		}
	}
	return scores
}

// clearBest is the candidate that scores at least least, and by margin
// more than any other.
func clearBest(scores map[string]float64, least, margin float64) string {
	best, first, second := leader(scores)
	if first < least || first-second < margin {
		return ""
	}
	return best
}

// leader is the key of m with the highest value, with that value and the
// runner-up's (a tie leaves them equal, which no caller takes for a lead).
func leader[V int | float64](m map[string]V) (best string, first, second V) {
	for k, v := range m {
		switch {
		case v > first:
			best, first, second = k, v, first
		case v > second:
			second = v
		}
	}
	return best, first, second
}

// byImports is the candidate whose documents name the most of what the
// file imports: each import line counts one, shared among the candidates
// that name something it imports, so that one named by many specs, or a
// line of many names (useMetadata from MetadataContext), counts no more
// than a line naming one component. It must reach one line of its own and
// beat every other candidate by as much.
func (s *scoper) byImports(cands []string, imports [][]string) string {
	score := map[string]float64{}
	for _, stems := range imports {
		var named []string
		for _, im := range stems {
			for _, c := range intersect(cands, s.byStem[im]) {
				if !slices.Contains(named, c) {
					named = append(named, c)
				}
			}
		}
		if len(named) == 0 || len(named) > 3 {
			continue // named by no candidate, or by too many to tell
		}
		for _, c := range named {
			score[c] += 1 / float64(len(named))
		}
	}
	return clearBest(score, 1, 1)
}

// evidence reports whether a scoping step is evidence: the citation is
// scoped. Every other step only suggests.
func evidence(why string) bool {
	switch why {
	case ScopeNamed, ScopeExplicit, ScopeFolder, ScopeConfig, ScopeProject, ScopeOnly:
		return true
	}
	return false
}

// strongHint reports whether a suggestion is one `hookd trace fix` may
// offer to write down: the file is named by the spec's documents, by
// path, name, stem or what it imports, or the file's other citations are
// scoped to it. (A word in common, a directory, the text is not.)
func strongHint(why string) bool {
	switch why {
	case "path", "name", "stem", "imports", "file":
		return true
	}
	return false
}

// shared counts the words of a that b has too.
func shared(a, b []string) int {
	n := 0
	for _, w := range slices.Compact(slices.Sorted(slices.Values(a))) {
		if slices.Contains(b, w) {
			n++
		}
	}
	return n
}

// unique is the candidate that scores most, when it scores at least least
// and no other scores as much.
func unique(cands []string, least int, score func(string) int) string {
	best, bestN, tie := "", 0, false
	for _, c := range cands {
		switch n := score(c); {
		case n > bestN:
			best, bestN, tie = c, n, false
		case n == bestN:
			tie = true
		}
	}
	if bestN < least || tie {
		return ""
	}
	return best
}

// defining keeps the specs that define every id (all) or any of them.
func (s *scoper) defining(cands, ids []string, all bool) []string {
	var out []string
	for _, c := range cands {
		e := s.specs[c]
		n := 0
		for _, id := range ids {
			if e.ids[id] {
				n++
			}
		}
		if (all && n == len(ids)) || (!all && n > 0) {
			out = append(out, c)
		}
	}
	return out
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// plainWords say nothing about which spec a file belongs to.
var plainWords = map[string]bool{
	"src": true, "lib": true, "app": true, "apps": true, "test": true, "tests": true, "spec": true, "specs": true,
	"integration": true, "unit": true, "e2e": true, "system": true, "feature": true, "features": true,
	"component": true, "components": true, "page": true, "pages": true, "index": true, "main": true, "utils": true,
	"util": true, "types": true, "common": true, "core": true, "frontend": true, "backend": true, "api": true,
	"service": true, "services": true, "module": true, "modules": true, "the": true, "and": true, "for": true,
	"management": true, "final": true, "new": true, "kiro": true, "internal": true, "pkg": true, "cmd": true,
	// The words of a citation itself say nothing of what it cites.
	"requirement": true, "requirements": true, "validates": true, "validate": true, "property": true,
	"properties": true, "acceptance": true, "criteria": true, "criterion": true,
}

// nameWords splits a name or path into its lower-case words ("landing-page"
// and "LandingPage" are both landing, page), without plain ones, each once.
func nameWords(s string) []string {
	var out []string
	for _, w := range nameWordsAll(s) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// nameWordsAll is nameWords with every use of a word.
func nameWordsAll(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if w := strings.ToLower(string(cur)); len(w) >= 3 && !plainWords[w] {
			out = append(out, wordStem(w))
		}
		cur = cur[:0]
	}
	// Chinese and Japanese do not space their words: each two characters
	// in a row are a word, enough to tell "采购取消" from "采购申请".
	var cjk []rune
	flushCJK := func() {
		for i := 0; i+1 < len(cjk); i++ {
			out = append(out, string(cjk[i:i+2]))
		}
		cjk = cjk[:0]
	}
	var prev rune
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			flush()
			cjk = append(cjk, r)
			prev = r
			continue
		}
		flushCJK()
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	flushCJK()
	return out
}

// wordStem folds a word's common endings, so that "theming" and "theme",
// "pages" and "page" are one word.
func wordStem(w string) string {
	for _, suffix := range []string{"ing", "ed", "es", "s", "e"} {
		if len(w) > len(suffix)+3 && strings.HasSuffix(w, suffix) {
			return strings.TrimSuffix(w, suffix)
		}
	}
	return w
}

// stem is what a file is about, from its name: extensions and test
// markers gone, lower case ("PageEditor.test.tsx" is pageeditor,
// "test_billing.py" billing). Short or plain stems are "": they name
// nothing in particular.
func stem(base string) string {
	s := strings.ToLower(base)
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	for _, affix := range []string{"_test", "-test", "_spec", "-spec", "test"} {
		s = strings.TrimSuffix(s, affix)
	}
	s = strings.TrimPrefix(s, "test_")
	if len(s) < 5 || plainWords[s] || genericStems[s] {
		return ""
	}
	return s
}

// nameKey is a file name as the name step compares it: lower case, and
// "" for a generic one.
func nameKey(base string) string {
	if stem(base) == "" {
		return ""
	}
	return strings.ToLower(base)
}

// genericStems are file names every project has many of: that a spec
// names its README says nothing of which README a citation is in.
var genericStems = map[string]bool{
	"readme": true, "changelog": true, "contributing": true, "license": true, "index": true, "__init__": true,
	"setup": true, "config": true, "constants": true, "helpers": true, "route": true, "routes": true,
	"layout": true, "loading": true, "error": true, "middleware": true, "schema": true, "styles": true,
	"globals": true, "package": true, "tsconfig": true, "makefile": true, "dockerfile": true,
}

// Package trace owns the traceability report: for every requirement and
// criterion of every spec, what covers it (tasks, design properties, code,
// tests, OpenSpec changes), and the findings a team gates on: uncovered
// requirements, dangling citations, stale tasks and suspect links. It
// judges "changed since" by git blame ([History]) and keeps the reviews
// that clear a suspect link in a committed file ([Reviews]). It renders
// the report as text, JSON, markdown and a self-contained HTML page, and
// checks it against the [trace] policy of hookd.toml.
//
// The citations come from the spec package's index, the one the daemon
// keeps current; this package adds history and judgement, never its own
// reading of the files.
package trace

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hookd-dev/hookd/spec"
)

// Finding kinds.
const (
	Uncovered = "uncovered"
	Dangling  = "dangling"
	Stale     = "stale"
	Suspect   = "suspect"
	// Ambiguous is a citation that names no spec where more than one
	// defines what it cites: a finding only when fail_on asks for it, a
	// repository's way to require every citation scoped.
	Ambiguous = "ambiguous"
)

// FindingKinds are every kind, in the order reports list them.
var FindingKinds = []string{Dangling, Uncovered, Stale, Suspect, Ambiguous}

// CoverKinds are the kinds of place that can be required to cover a
// requirement.
var CoverKinds = []string{spec.CiteTest, spec.CiteCode, spec.CiteTask, spec.CiteDesign}

// Policy is [trace]'s: which kinds of place must cover each requirement,
// whether each criterion must be covered on its own, and which findings
// fail `hookd trace check`.
type Policy struct {
	Require       []string `json:"require"`
	EachCriterion bool     `json:"each_criterion"`
	FailOn        []string `json:"fail_on"`
}

// DefaultPolicy: every requirement has a test; a dangling citation fails.
func DefaultPolicy() Policy {
	return Policy{Require: []string{spec.CiteTest}, FailOn: []string{Dangling}}
}

// Options select and judge a report.
type Options struct {
	// Spec limits the report to one spec; Requirement to one requirement
	// (and its criteria) of it.
	Spec, Requirement string
	Policy            Policy
	// History judges stale and suspect; nil leaves them out (no git).
	History *History
	// Reviews clear suspect and stale links; nil reads them from Root's
	// reviews file.
	Reviews Reviews
	Root    string
	// Stamp, when set, says the work tree has not changed since the last
	// report with the same stamp (a daemon's count of the changes it saw).
	Stamp string
}

// Report is the traceability of the specs.
type Report struct {
	Policy   Policy    `json:"policy"`
	Specs    []Spec    `json:"specs"`
	Findings []Finding `json:"findings"`
	// Ambiguous are the citations that name no spec where more than one
	// spec defines what they cite: listed apart, each with the specs it
	// could mean and the one a heuristic suggests, never judged stale,
	// suspect or dangling, never counted as coverage.
	Ambiguous []spec.Link `json:"ambiguous"`
	Summary   Summary     `json:"summary"`
	// History says whether stale and suspect were judged (a git
	// repository).
	History bool `json:"history"`
	// Blames is how many git blame passes this report ran: at most one
	// per spec document and citing file, none for what a daemon kept.
	Blames int `json:"blames"`
	// Problems are what could not be read (a broken reviews file), each
	// FILE:LINE:COL: what is wrong.
	Problems []string `json:"problems"`
}

// Summary counts.
type Summary struct {
	Requirements int            `json:"requirements"`
	Covered      int            `json:"covered"`
	Findings     map[string]int `json:"findings"`
	Failing      int            `json:"failing"`
}

// Spec is one spec's matrix.
type Spec struct {
	Name    string `json:"name"`
	Format  string `json:"format"`
	Dir     string `json:"dir"`
	Project string `json:"project,omitempty"`
	Rows    []Row  `json:"rows"`
}

// Row is one requirement or criterion and what covers it.
type Row struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	File  string `json:"file"`
	Line  int    `json:"line"`
	// Of is a criterion's requirement ("" for a requirement).
	Of      string  `json:"of,omitempty"`
	Tasks   []Place `json:"tasks"`
	Design  []Place `json:"design"`
	Code    []Place `json:"code"`
	Tests   []Place `json:"tests"`
	Changes []Place `json:"changes"`
	// Covered: every required kind covers it. Missing are those that do
	// not.
	Covered bool     `json:"covered"`
	Missing []string `json:"missing"`
}

// Place is one link of a row.
type Place struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Kind string `json:"kind"`
	// Cites is the id the place cites that makes it this row's.
	Cites    string `json:"cites"`
	Status   string `json:"status,omitempty"`
	Task     string `json:"task,omitempty"`
	Stale    bool   `json:"stale,omitempty"`
	Suspect  bool   `json:"suspect,omitempty"`
	Reviewed bool   `json:"reviewed,omitempty"`
	// Why is the evidence that scoped a citation in code or a test to
	// this spec (docs/specs.md, "Scoped and ambiguous").
	Why string `json:"why,omitempty"`
}

// Finding is one thing to act on, at a place.
type Finding struct {
	Kind        string `json:"kind"`
	Spec        string `json:"spec"`
	Requirement string `json:"requirement"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Message     string `json:"message"`
	// Fails: the policy fails on it.
	Fails bool `json:"fails"`
	// Changed is, for stale and suspect, the commit that last changed the
	// requirement; Fingerprint what it says now, which a review records.
	Changed     string `json:"changed,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	// Why is, for a citation in code or a test, the evidence that scoped
	// it to Spec.
	Why string `json:"why,omitempty"`
}

// Failing is the findings the policy fails on.
func (r *Report) Failing() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Fails {
			out = append(out, f)
		}
	}
	return out
}

// definer is the document that defines an id of a spec.
type definer struct {
	doc *spec.Doc
	req spec.Requirement
}

// Build makes the report of the index's specs.
func Build(ctx context.Context, x *spec.Index, o Options) *Report {
	rep := &Report{Policy: o.Policy, Specs: []Spec{}, Findings: []Finding{}, Ambiguous: []spec.Link{}, History: o.History != nil}
	rep.Summary.Findings = map[string]int{}
	rep.Problems = []string{}
	if o.Reviews == nil && o.Root != "" {
		var probs []error
		o.Reviews, probs = LoadReviews(o.Root)
		for _, p := range probs {
			rep.Problems = append(rep.Problems, p.Error())
		}
	}
	// An OpenSpec requirement may be asked for in any case or as a slug.
	o.Requirement = x.ResolveID(o.Spec, o.Requirement)
	b := &builder{ctx: ctx, x: x, o: o, rep: rep, defs: map[string]map[string]definer{}, bySpec: map[string]*Spec{}, judged: map[string]verdict{}}
	b.addSpecs()

	links := x.Links(o.Spec)
	if o.History != nil {
		o.History.Refresh(ctx, o.Stamp)
		before := o.History.Blames()
		warm(ctx, o.History, links, b.defs)
		defer func() { rep.Blames = o.History.Blames() - before }()
	}
	b.placeLinks(links)
	b.judgeRows()
	b.addDangling()
	b.addAmbiguous()
	b.sortFindings()
	return rep
}

// builder is what Build's steps share while they make one report.
type builder struct {
	ctx context.Context
	x   *spec.Index
	o   Options
	rep *Report
	// defs holds, per spec, the document and requirement that define each
	// of its ids; bySpec the report's specs by name, names them sorted.
	defs   map[string]map[string]definer
	bySpec map[string]*Spec
	names  []string
	// judged remembers each citation's verdict: a place citing an id is
	// judged, and blamed, once however many rows it covers.
	judged map[string]verdict
}

// verdict is what history says of one citation of an id.
type verdict struct{ stale, suspect, reviewed bool }

func (b *builder) want(name string) bool {
	return b.o.Spec == "" || strings.EqualFold(name, b.o.Spec)
}

func (b *builder) wantID(id string) bool {
	return b.o.Requirement == "" || spec.Covers(b.o.Requirement, id)
}

// addSpecs makes a spec of the report, with a row per requirement and
// criterion, for every spec the index holds, and records what each
// defines.
func (b *builder) addSpecs() {
	for _, d := range b.x.Docs() {
		// An OpenSpec change is no spec: its deltas are rows' changes, its
		// tasks and proposal cite nothing, and an archived one is done.
		if d.Kind == spec.Delta || d.Format == spec.OpenSpec && d.Kind != spec.Feature || !b.want(d.Spec) {
			continue
		}
		s := b.bySpec[d.Spec]
		if s == nil {
			s = &Spec{Name: d.Spec, Format: string(d.Format), Dir: d.Dir, Project: d.Project, Rows: []Row{}}
			b.bySpec[d.Spec] = s
			b.defs[d.Spec] = map[string]definer{}
			b.names = append(b.names, d.Spec)
		}
		for _, r := range d.Requirements {
			b.defs[d.Spec][r.ID] = definer{d, r}
			if b.wantID(r.ID) {
				s.Rows = append(s.Rows, Row{ID: r.ID, Title: r.Label(), File: d.File, Line: r.Line})
			}
			if d.Format == spec.OpenSpec {
				continue // scenarios are not citable ids
			}
			for _, c := range r.Criteria {
				b.defs[d.Spec][c.ID] = definer{d, r}
				if b.wantID(c.ID) {
					s.Rows = append(s.Rows, Row{ID: c.ID, Title: c.Text, File: d.File, Line: c.Line, Of: r.ID})
				}
			}
		}
	}
	sort.Strings(b.names)
}

// judge says whether a link's citation of id is stale or suspect, and
// adds the finding when it is.
func (b *builder) judge(l spec.Link, id string) verdict {
	ctx, h := b.ctx, b.o.History
	key := fmt.Sprintf("%s\x00%s\x00%d\x00%s", l.Spec, l.File, l.Line, id)
	if v, ok := b.judged[key]; ok {
		return v
	}
	v := verdict{}
	def, ok := b.defs[l.Spec][id]
	task := l.Kind == spec.CiteTask
	if h == nil || !ok || l.Kind == spec.CiteChange || task && l.Status != spec.Done {
		b.judged[key] = v
		return v
	}
	changed, ok := changedAt(ctx, h, def, id)
	// A file not touched since the requirement changed needs no blame:
	// every line of it is older.
	var touched *Commit
	suspect := false
	if ok {
		switch h.Since(ctx, l.File, changed) {
		case Older:
			suspect = true
		case Mixed:
			if t, known := h.TouchedSince(l.File, l.Line, changed); known {
				suspect = !t
			} else {
				c, ok := h.Last(ctx, l.File, l.Line, l.Line)
				touched, suspect = &c, ok && h.Newer(ctx, changed, c)
			}
		}
	}
	if suspect {
		fp := def.doc.Fingerprint(id)
		if b.o.Reviews.Holds(l.Spec, id, l.File, fp) {
			v.reviewed = true
		} else {
			v.stale, v.suspect = task, !task
			kind := pick(task, Stale, Suspect)
			b.rep.Findings = append(b.rep.Findings, Finding{Kind: kind, Spec: l.Spec, Requirement: id, File: l.File, Line: l.Line, Why: l.Why,
				Message: changedMessage(l, id, changed, touched), Changed: changed.Hash, Fingerprint: fp})
		}
	}
	b.judged[key] = v
	return v
}

// placeLinks adds each citation, judged, to the rows it covers.
func (b *builder) placeLinks(links []spec.Link) {
	for _, l := range links {
		if l.Spec == "" {
			b.rep.Ambiguous = append(b.rep.Ambiguous, l)
			continue
		}
		owner := l.Spec
		if l.Kind == spec.CiteChange {
			owner = spec.DeltaCapability(b.x.Doc(l.File))
		}
		s := b.bySpec[owner]
		if s == nil {
			continue
		}
		for _, id := range l.Cites {
			if !b.wantID(id) {
				continue
			}
			v := verdict{}
			if l.Kind != spec.CiteChange {
				v = b.judge(l, id)
			}
			for i := range s.Rows {
				row := &s.Rows[i]
				if !spec.Covers(row.ID, id) {
					continue
				}
				p := Place{File: l.File, Line: l.Line, Kind: l.Kind, Cites: id, Status: string(l.Status), Task: l.Task,
					Stale: v.stale, Suspect: v.suspect, Reviewed: v.reviewed, Why: l.Why}
				list := row.list(l.Kind)
				if n := len(*list); n > 0 && (*list)[n-1].File == p.File && (*list)[n-1].Line == p.Line {
					continue // one place citing 2.1 and 2.2 covers requirement 2 once
				}
				*list = append(*list, p)
			}
		}
	}
}

// judgeRows says of every row what the policy finds missing, counts the
// covered ones, and adds the specs to the report in order.
func (b *builder) judgeRows() {
	o, rep := b.o, b.rep
	for _, name := range b.names {
		s := b.bySpec[name]
		for i := range s.Rows {
			row := &s.Rows[i]
			row.Missing = []string{}
			for _, l := range []*[]Place{&row.Tasks, &row.Design, &row.Code, &row.Tests, &row.Changes} {
				if *l == nil {
					*l = []Place{} // json: a list, never null
				}
			}
			for _, k := range o.Policy.Require {
				if len(*row.list(k)) == 0 {
					row.Missing = append(row.Missing, k)
				}
			}
			row.Covered = len(row.Missing) == 0
			if row.Of == "" || o.Policy.EachCriterion {
				rep.Summary.Requirements++
				if row.Covered {
					rep.Summary.Covered++
				} else {
					what := pick(row.Of == "", "requirement", "criterion")
					rep.Findings = append(rep.Findings, Finding{Kind: Uncovered, Spec: name, Requirement: row.ID, File: row.File, Line: row.Line,
						Message: fmt.Sprintf("%s %s#%s%s has no %s", what, name, row.ID, titled(row.ID, row.Title), strings.Join(row.Missing, " and no "))})
				}
			}
		}
		rep.Specs = append(rep.Specs, *s)
	}
}

// addDangling adds a finding for every citation of an id its spec does
// not define.
func (b *builder) addDangling() {
	for _, l := range b.x.Dangling(b.o.Spec) {
		for _, id := range l.Cites {
			if !b.wantID(id) {
				continue
			}
			what := map[string]string{spec.CiteTask: "task", spec.CiteDesign: "property", spec.CiteCode: "code", spec.CiteTest: "test"}[l.Kind]
			if l.Task != "" {
				what += " " + l.Task
			}
			b.rep.Findings = append(b.rep.Findings, Finding{Kind: Dangling, Spec: l.Spec, Requirement: id, File: l.File, Line: l.Line, Why: l.Why,
				Message: fmt.Sprintf("%s cites %s#%s, which %s does not define (renumbered or removed?)%s", what, l.Spec, id, l.Spec, nearest(b.defs[l.Spec], id))})
		}
	}
}

// addAmbiguous adds a finding for every ambiguous citation when the
// policy fails on them: a repository that wants every citation scoped.
func (b *builder) addAmbiguous() {
	if !slices.Contains(b.o.Policy.FailOn, Ambiguous) {
		return
	}
	for _, l := range b.rep.Ambiguous {
		b.rep.Findings = append(b.rep.Findings, Finding{Kind: Ambiguous, File: l.File, Line: l.Line,
			Requirement: strings.Join(l.Cites, ", "), Message: AmbiguousMessage(l)})
	}
}

// AmbiguousMessage says what an ambiguous citation could mean and how to
// scope it.
func AmbiguousMessage(l spec.Link) string {
	msg := fmt.Sprintf("%s cites %s without naming its spec, and %s define it", l.Kind, strings.Join(l.Cites, ", "),
		spec.ShortList(l.Candidates, 4))
	if l.Likely != "" {
		msg += fmt.Sprintf("; likely %s (by %s): `hookd trace fix` writes it down", l.Likely, l.Why)
	} else {
		msg += fmt.Sprintf(`; name it there, e.g. "Requirements (%s): %s"`, l.Candidates[0], l.Cites[0])
	}
	return msg
}

// sortFindings orders the findings by kind, file and line, marks those
// the policy fails on, and counts them.
func (b *builder) sortFindings() {
	rep := b.rep
	order := map[string]int{}
	for i, k := range FindingKinds {
		order[k] = i
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		x, y := rep.Findings[i], rep.Findings[j]
		if x.Kind != y.Kind {
			return order[x.Kind] < order[y.Kind]
		}
		if x.File != y.File {
			return x.File < y.File
		}
		return x.Line < y.Line
	})
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.Fails = slices.Contains(b.o.Policy.FailOn, f.Kind)
		rep.Summary.Findings[f.Kind]++
		if f.Fails {
			rep.Summary.Failing++
		}
	}
}

func (r *Row) list(kind string) *[]Place {
	switch kind {
	case spec.CiteTask:
		return &r.Tasks
	case spec.CiteDesign:
		return &r.Design
	case spec.CiteCode:
		return &r.Code
	case spec.CiteTest:
		return &r.Tests
	}
	return &r.Changes
}

// changedAt is the commit that last changed what id says: its lines, and
// for a criterion its requirement's heading too (a criterion's id is its
// requirement's number: renumbering the heading changes what "7.1" is,
// though its own line did not move).
func changedAt(ctx context.Context, h *History, def definer, id string) (Commit, bool) {
	first, last, _ := def.doc.Span(id, math.MaxInt32)
	changed, ok := h.Last(ctx, def.doc.File, first, last)
	if ok && id != def.req.ID {
		if hd, ok := h.Last(ctx, def.doc.File, def.req.Line, def.req.Line); ok && h.Newer(ctx, hd, changed) {
			changed = hd
		}
	}
	return changed, ok
}

// warm reads the history a report needs, in parallel: a blame of each
// spec document (when each requirement last changed), then, per change,
// one diff of the citing files that both predate it and were touched
// since (whether their citing lines were). The other citing files need
// nothing: their age is known from the commits alone.
func warm(ctx context.Context, h *History, links []spec.Link, defs map[string]map[string]definer) {
	judged := func(l spec.Link) bool {
		return l.Spec != "" && l.Kind != spec.CiteChange && (l.Kind != spec.CiteTask || l.Status == spec.Done)
	}
	docs := map[string]bool{}
	for _, l := range links {
		if judged(l) {
			for _, id := range l.Cites {
				if d, ok := defs[l.Spec][id]; ok {
					docs[d.doc.File] = true
				}
			}
		}
	}
	blameAll(ctx, h, docs)
	// Per change, the files that predate it and were touched since: one
	// diff each tells which of their lines were.
	mixed := map[Commit]map[string]bool{}
	for _, l := range links {
		if !judged(l) {
			continue
		}
		for _, id := range l.Cites {
			if d, ok := defs[l.Spec][id]; ok {
				if changed, ok := changedAt(ctx, h, d, id); ok && h.Since(ctx, l.File, changed) == Mixed {
					if mixed[changed] == nil {
						mixed[changed] = map[string]bool{}
					}
					mixed[changed][l.File] = true
				}
			}
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for c, files := range mixed {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			h.Diff(ctx, c, slices.Sorted(maps.Keys(files)))
		})
	}
	wg.Wait()
}

func blameAll(ctx context.Context, h *History, files map[string]bool) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				h.blame(ctx, f)
			}
		}()
	}
	for f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
}

func changedMessage(l spec.Link, id string, changed Commit, touched *Commit) string {
	when := func(c Commit) string {
		if c.Uncommitted() {
			return "in the work tree"
		}
		return fmt.Sprintf("in %s (%s)", c.Hash[:min(7, len(c.Hash))], time.Unix(c.Time, 0).UTC().Format("2006-01-02"))
	}
	if l.Kind == spec.CiteTask {
		msg := fmt.Sprintf("task %s is done, but %s#%s changed %s, after the task was ticked", cmp.Or(l.Task, "(unnumbered)"), l.Spec, id, when(changed))
		if touched != nil {
			msg += " " + when(*touched)
		}
		return msg
	}
	since := "and this file was not touched since"
	if touched != nil {
		since = "after this line was last touched " + when(*touched)
	}
	return fmt.Sprintf("%s#%s changed %s, %s: check it, then `hookd trace review %s`", l.Spec, id, when(changed), since, l.File)
}

func nearest(defined map[string]definer, id string) string {
	if parent, _, ok := strings.Cut(id, "."); ok {
		if _, has := defined[parent]; has {
			return fmt.Sprintf("; requirement %s has no criterion %s", parent, id)
		}
	}
	return ""
}

func titled(id, t string) string {
	if t == "" || strings.EqualFold(t, id) {
		return "" // an OpenSpec requirement's id is its title: name it once
	}
	if r := []rune(t); len(r) > 60 {
		t = string(r[:57]) + "…"
	}
	return " (" + t + ")"
}

func pick[T any](ok bool, a, b T) T {
	if ok {
		return a
	}
	return b
}

package spec

import (
	"context"
	"strconv"
	"strings"

	"github.com/hookd-dev/hookd/gitcmd"
)

// Change is what changed between two versions of one document.
type Change struct {
	// Content is whether the document changed at all, status aside:
	// spacing, line endings and re-wrapping are no change.
	Content bool `json:"content"`
	// Added, Removed and Modified are requirement ids (criterion ids for
	// Kiro's N.k), task ids for a tasks file, "Property N" for a design.
	Added    []string `json:"added"`
	Removed  []string `json:"removed"`
	Modified []string `json:"modified"`
	// Renamed are ids that moved: Kiro renumbering, an OpenSpec rename.
	Renamed []Rename `json:"renamed"`
	// Tasks are the tasks whose status changed.
	Tasks []TaskChange `json:"tasks"`
}

// TaskChange is a task whose checkbox changed.
type TaskChange struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Line         int      `json:"line"`
	From         Status   `json:"from"`
	To           Status   `json:"to"`
	Requirements []string `json:"requirements"`
}

// Changed lists every id the change touches: added, removed, modified
// and both sides of each rename.
func (c Change) Changed() []string {
	out := append(append(append([]string{}, c.Added...), c.Removed...), c.Modified...)
	for _, r := range c.Renamed {
		out = append(out, r.From, r.To)
	}
	return dedupe(out)
}

// Empty is whether nothing at all changed.
func (c Change) Empty() bool { return !c.Content && len(c.Tasks) == 0 }

// Diff compares two versions of a document. A nil old is a new document
// (everything added); a nil new is a deleted one (everything removed).
// An OpenSpec delta is read as the change it states.
func Diff(old, new *Doc) Change {
	c := Change{Added: []string{}, Removed: []string{}, Modified: []string{}, Renamed: []Rename{}, Tasks: []TaskChange{}}
	switch {
	case old == nil && new == nil:
		return c
	case old == nil:
		c.Content = true
		if new.Delta != nil {
			diffDelta(&c, nil, new)
		} else {
			c.Added = append(c.Added, ids(new)...)
		}
		return c
	case new == nil:
		c.Content = true
		c.Removed = append(c.Removed, ids(old)...)
		return c
	}
	c.Content = old.body != new.body
	switch {
	case new.Delta != nil:
		diffDelta(&c, old, new)
	case new.Kind == Tasks:
		diffTasks(&c, old, new)
	case new.Kind == Design:
		diffItems(&c, propItems(old), propItems(new), false)
	case new.Format == Kiro && new.Kind == Requirements:
		diffKiro(&c, old, new)
	default:
		// Spec Kit and OpenSpec ids are written in the file: they are the
		// identity, and only an unchanged body under a new id is a rename.
		diffItems(&c, reqItems(old), reqItems(new), true)
		if new.Format == SpecKit {
			diffStoryScenarios(&c, old, new)
		}
	}
	return c
}

// ids lists what a document defines, for a document added or removed.
func ids(d *Doc) []string {
	switch d.Kind {
	case Tasks:
		var out []string
		for _, t := range d.Tasks {
			out = append(out, t.ID)
		}
		return out
	case Design:
		var out []string
		for _, p := range d.Properties {
			out = append(out, "Property "+p.ID)
		}
		return out
	}
	var out []string
	for _, r := range d.Requirements {
		out = append(out, r.ID)
	}
	return out
}

// item is what the matcher compares: an id, a title that survives
// renumbering, and the normalised content.
type item struct {
	id, title, content string
}

func reqItems(d *Doc) []item {
	// An OpenSpec scenario's name is written, and part of what it says;
	// Kiro's and Spec Kit's criterion ids are positions, which a
	// renumbering moves without changing anything.
	named := d.Format == OpenSpec
	out := make([]item, len(d.Requirements))
	for i, r := range d.Requirements {
		var b strings.Builder
		b.WriteString(r.text)
		for _, c := range r.Criteria {
			if named {
				b.WriteString("\n#### " + normSpace(c.ID))
			}
			b.WriteString("\n" + c.norm)
		}
		out[i] = item{id: r.ID, title: r.Title, content: normSpace(r.Title) + "\n" + b.String()}
	}
	return out
}

func propItems(d *Doc) []item {
	out := make([]item, len(d.Properties))
	for i, p := range d.Properties {
		out[i] = item{id: "Property " + p.ID, title: p.Title, content: p.norm}
	}
	return out
}

// diffItems matches two lists and records what was added, removed,
// modified and renamed, by id.
func diffItems(c *Change, old, new []item, explicit bool) [][2]int {
	pairs := match(old, new, explicit)
	seenOld := make([]bool, len(old))
	seenNew := make([]bool, len(new))
	for _, p := range pairs {
		o, n := old[p[0]], new[p[1]]
		seenOld[p[0]], seenNew[p[1]] = true, true
		if o.id != n.id {
			c.Renamed = append(c.Renamed, Rename{From: o.id, To: n.id})
		}
		if o.content != n.content {
			c.Modified = append(c.Modified, n.id)
		}
	}
	for i, it := range new {
		if !seenNew[i] {
			c.Added = append(c.Added, it.id)
		}
	}
	for i, it := range old {
		if !seenOld[i] {
			c.Removed = append(c.Removed, it.id)
		}
	}
	return pairs
}

// match pairs old items with new ones. Explicit ids pair by id, and only
// an unchanged body under another id is taken for a rename. Positional
// ids (Kiro's) pair by content first, so that an insert is one addition
// and renames rather than a modification of everything after it: same
// content, then same title, then similar text, then the same id.
func match(old, new []item, explicit bool) [][2]int {
	var pairs [][2]int
	usedOld := make([]bool, len(old))
	usedNew := make([]bool, len(new))
	pair := func(i, j int) {
		usedOld[i], usedNew[j] = true, true
		pairs = append(pairs, [2]int{i, j})
	}
	pass := func(ok func(o, n item) bool) {
		for j, n := range new {
			if usedNew[j] {
				continue
			}
			// Prefer the same id among equals, so a duplicate text does
			// not pair across.
			best := -1
			for i, o := range old {
				if !usedOld[i] && ok(o, n) {
					if o.id == n.id {
						best = i
						break
					}
					if best < 0 {
						best = i
					}
				}
			}
			if best >= 0 {
				pair(best, j)
			}
		}
	}
	sameID := func(o, n item) bool { return o.id == n.id }
	sameContent := func(o, n item) bool { return o.content == n.content }
	if explicit {
		pass(sameID)
		pass(sameContent)
		return pairs
	}
	pass(sameContent)
	pass(func(o, n item) bool { return o.title != "" && o.title == n.title })
	pass(func(o, n item) bool { return similar(o.content, n.content) >= 0.5 })
	pass(sameID)
	return pairs
}

// similar is the Jaccard similarity of two texts' word sets.
func similar(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 && len(wb) == 0 {
		return 1
	}
	both := 0
	for w := range wa {
		if wb[w] {
			both++
		}
	}
	return float64(both) / float64(len(wa)+len(wb)-both)
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(s)) {
		out[w] = true
	}
	// Text without spaces (Chinese, Japanese) compares by characters.
	if len(out) <= 2 {
		for _, r := range s {
			out[string(r)] = true
		}
	}
	return out
}

// diffKiro diffs Kiro requirements at two levels: requirements, matched
// so that renumbering is renames, then the criteria of each matched pair,
// whose ids are what tasks cite.
func diffKiro(c *Change, old, new *Doc) {
	oldItems, newItems := reqItems(old), reqItems(new)
	pairs := match(oldItems, newItems, false)
	seenOld := make([]bool, len(oldItems))
	seenNew := make([]bool, len(newItems))
	for _, p := range pairs {
		seenOld[p[0]], seenNew[p[1]] = true, true
		o, n := old.Requirements[p[0]], new.Requirements[p[1]]
		if o.ID != n.ID {
			c.Renamed = append(c.Renamed, Rename{From: o.ID, To: n.ID})
		}
		if normSpace(o.Title) != normSpace(n.Title) || o.text != n.text {
			c.Modified = append(c.Modified, n.ID)
		}
		diffItems(c, critItems(o), critItems(n), false)
	}
	for i, r := range new.Requirements {
		if !seenNew[i] {
			c.Added = append(c.Added, r.ID)
		}
	}
	for i, r := range old.Requirements {
		if !seenOld[i] {
			c.Removed = append(c.Removed, r.ID)
		}
	}
}

func critItems(r Requirement) []item {
	out := make([]item, len(r.Criteria))
	for i, c := range r.Criteria {
		out[i] = item{id: c.ID, content: c.norm}
	}
	return out
}

// diffStoryScenarios adds the Spec Kit acceptance scenarios (USn/ACk,
// positional) of stories present in both versions.
func diffStoryScenarios(c *Change, old, new *Doc) {
	for _, n := range new.Requirements {
		if !strings.HasPrefix(n.ID, "US") {
			continue
		}
		for _, o := range old.Requirements {
			if o.ID == n.ID {
				diffItems(c, critItems(o), critItems(n), false)
			}
		}
	}
	// A story's content includes its scenarios, so an edited scenario
	// modifies both: the story and, more precisely, USn/ACk.
	c.Modified = dedupe(c.Modified)
}

// diffTasks separates status flips (progress) from plan changes.
func diffTasks(c *Change, old, new *Doc) {
	// A task is known by its id, and by its title when it has none; a
	// repeated key counts its occurrences, so duplicates pair in order.
	keys := func(ts []Task) []string {
		n := map[string]int{}
		out := make([]string, len(ts))
		for i, t := range ts {
			k := t.ID
			if k == "" {
				k = "title:" + normSpace(t.Title)
			}
			n[k]++
			out[i] = k + "#" + strconv.Itoa(n[k])
		}
		return out
	}
	oldKeys, newKeys := keys(old.Tasks), keys(new.Tasks)
	before := map[string]Task{}
	for i, t := range old.Tasks {
		before[oldKeys[i]] = t
	}
	seen := map[string]bool{}
	for i, t := range new.Tasks {
		k := newKeys[i]
		seen[k] = true
		o, ok := before[k]
		switch {
		case !ok:
			c.Added = append(c.Added, t.ID)
			continue
		case o.plan != t.plan:
			c.Modified = append(c.Modified, t.ID)
		}
		if o.Status != t.Status {
			c.Tasks = append(c.Tasks, TaskChange{ID: t.ID, Title: t.Title, Line: t.Line, From: o.Status, To: t.Status, Requirements: t.Requirements})
		}
	}
	for i, t := range old.Tasks {
		if !seen[oldKeys[i]] {
			c.Removed = append(c.Removed, t.ID)
		}
	}
}

// diffDelta reads an OpenSpec delta as the change it states: the entries
// that are new, or differ from the last version seen.
func diffDelta(c *Change, old, new *Doc) {
	prev := map[string]string{}
	prevRen := map[Rename]bool{}
	if old != nil && old.Delta != nil {
		for op, rs := range map[string][]Requirement{"a": old.Delta.Added, "m": old.Delta.Modified, "r": old.Delta.Removed} {
			for _, it := range reqItemsOf(rs) {
				prev[op+it.id] = it.content
			}
		}
		for _, r := range old.Delta.Renamed {
			prevRen[r] = true
		}
	}
	stated := func(op string, rs []Requirement, into *[]string) {
		for _, it := range reqItemsOf(rs) {
			if content, ok := prev[op+it.id]; !ok || content != it.content {
				*into = append(*into, it.id)
			}
		}
	}
	stated("a", new.Delta.Added, &c.Added)
	stated("m", new.Delta.Modified, &c.Modified)
	stated("r", new.Delta.Removed, &c.Removed)
	for _, r := range new.Delta.Renamed {
		if !prevRen[r] {
			c.Renamed = append(c.Renamed, r)
		}
	}
}

func reqItemsOf(rs []Requirement) []item { return reqItems(&Doc{Format: OpenSpec, Requirements: rs}) }

// DiffSince compares the document rel of the work tree at root with its
// version at the commit rev (resolved: gitcmd.Commit; "" when there is
// none, as on an unborn branch), and says whether it changed: in its
// requirements or in its tasks' status. d is the document, or its old
// version when it is gone from the work tree.
func DiffSince(ctx context.Context, root, rel, rev string, roots []string) (d *Doc, c Change, changed bool) {
	p, _ := Classify(rel, roots)
	var old, cur *Doc
	if data, err := gitcmd.Show(ctx, root, rev, rel); err == nil && rev != "" {
		old = Parse(p, rel, data)
	}
	if data, err := ReadDoc(root, rel); err == nil {
		cur = Parse(p, rel, data)
	}
	c = Diff(old, cur)
	if !c.Content && len(c.Tasks) == 0 {
		return nil, c, false
	}
	if cur == nil {
		return old, c, true
	}
	return cur, c, true
}

package spec

import (
	"fmt"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// Payload renders a change of document d as the spec event carries it,
// with the places citing what changed (from x).
func Payload(x *Index, d *Doc, c Change) event.Spec {
	p := event.Spec{
		Name: d.Spec, Format: string(d.Format), Kind: string(d.Kind), Dir: d.Dir, File: d.File,
		Added: orEmpty(c.Added), Removed: orEmpty(c.Removed), Modified: orEmpty(c.Modified),
		Renamed: []event.Rename{}, Changed: orEmpty(c.Changed()), Tasks: []event.Task{}, Impacted: []event.Citation{}, Unscoped: []event.Citation{},
	}
	for _, r := range c.Renamed {
		p.Renamed = append(p.Renamed, event.Rename{From: r.From, To: r.To})
	}
	for _, k := range c.Tasks {
		p.Tasks = append(p.Tasks, event.Task{ID: k.ID, Title: k.Title, From: string(k.From), To: string(k.To), Requirements: k.Requirements})
	}
	switch d.Kind {
	case Tasks, Design, Other:
		// Their ids are tasks and properties, which nothing cites.
	default:
		name := d.Spec
		if d.Kind == Delta {
			name = "" // a change names requirements of its capabilities
		}
		p.Impacted, p.Unscoped = SplitUnscoped(x.Impact(name, p.Changed))
	}
	return p
}

// ChangeEvents are the events a document's change from old to doc (either
// nil for a document created or deleted) makes, built on base (its time,
// cause, files): spec.changed when what it says changed, with the places
// citing the changed requirements; spec.task when tasks changed status.
// The daemon and replay make them here, so both say the same.
func ChangeEvents(x *Index, old, doc *Doc, base event.Event) []event.Event {
	c := Diff(old, doc)
	d := doc
	if d == nil {
		d = old
	}
	if d == nil {
		return nil
	}
	var out []event.Event
	if c.Content {
		e := base
		p := Payload(x, d, c)
		e.Kind, e.Spec = event.SpecChanged, &p
		out = append(out, e)
	}
	if len(c.Tasks) > 0 {
		e := base
		p := Payload(x, d, Change{Tasks: c.Tasks})
		e.Kind, e.Spec = event.SpecTask, &p
		out = append(out, e)
	}
	return out
}

// SplitUnscoped separates the places Impact scoped to a spec from those
// it could not (Spec empty, Candidates set).
func SplitUnscoped(cites []event.Citation) (scoped, unscoped []event.Citation) {
	scoped, unscoped = []event.Citation{}, []event.Citation{}
	for _, c := range cites {
		if c.Spec == "" && len(c.Candidates) > 0 {
			unscoped = append(unscoped, c)
		} else {
			scoped = append(scoped, c)
		}
	}
	return scoped, unscoped
}

// ShortList names the first n items and says how many more there are.
func ShortList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// CouldBe says which specs an unscoped citation could mean.
func CouldBe(c event.Citation, n int) string {
	if len(c.Candidates) == 1 {
		return fmt.Sprintf("only %s has the id, but what is written around it is not what that requirement says", c.Candidates[0])
	}
	return fmt.Sprintf("could be any of %d specs (%s)", len(c.Candidates), ShortList(c.Candidates, n))
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Report renders a spec change and the places citing what it
// changed, for people: one line per place, stale tasks flagged.
func Report(s event.Spec) string {
	var b strings.Builder
	name := s.Name
	if name == "" {
		name = s.File
	}
	fmt.Fprintf(&b, "spec %s (%s %s): ", name, s.Format, s.Kind)
	var parts []string
	for _, l := range []struct {
		what string
		ids  []string
	}{{"added", s.Added}, {"removed", s.Removed}, {"modified", s.Modified}} {
		if len(l.ids) > 0 {
			parts = append(parts, l.what+" "+strings.Join(l.ids, ", "))
		}
	}
	if len(s.Renamed) > 0 {
		var rs []string
		for _, r := range s.Renamed {
			rs = append(rs, r.From+"→"+r.To)
		}
		parts = append(parts, "renumbered "+strings.Join(rs, ", "))
	}
	if len(s.Tasks) > 0 {
		parts = append(parts, fmt.Sprintf("%d task(s) changed state", len(s.Tasks)))
	}
	if len(parts) == 0 {
		parts = append(parts, "no requirement changed")
	}
	b.WriteString(strings.Join(parts, "; ") + "\n")
	for _, t := range s.Tasks {
		fmt.Fprintf(&b, "  task %s: %s → %s  %s\n", t.ID, t.From, t.To, t.Title)
	}
	if len(s.Tasks) > 0 && len(s.Changed) == 0 {
		return b.String()
	}
	if len(s.Impacted) == 0 {
		b.WriteString("nothing cites the changed requirements\n")
	} else {
		fmt.Fprintf(&b, "%s them:\n", count(len(s.Impacted), "place cites", "places cite"))
		for _, c := range s.Impacted {
			note := ""
			if c.Stale {
				note = "  (done: possibly stale)"
			}
			fmt.Fprintf(&b, "  %-6s %s:%d  cites %s%s\n", c.Kind, c.File, c.Line, c.Requirement, note)
		}
	}
	if len(s.Unscoped) > 0 {
		fmt.Fprintf(&b, "%s the same ids without naming a spec (not counted above):\n", count(len(s.Unscoped), "place cites", "places cite"))
		for _, c := range s.Unscoped {
			fmt.Fprintf(&b, "  %-6s %s:%d  cites %s: %s\n", c.Kind, c.File, c.Line, c.Requirement, CouldBe(c, 3))
		}
	}
	return b.String()
}

// count says "1 place", "2 places".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Refs are requirement ids of one spec, as a command line names them.
type Refs struct {
	Spec string
	IDs  []string
}

// GroupRefs groups requirement ids given as ID or SPEC#ID by spec; an ID
// alone is of spec (which may be ""). The specs keep the order they first
// come in.
func GroupRefs(args []string, spec string) []Refs {
	var out []Refs
	at := map[string]int{}
	for _, a := range args {
		name, id := spec, a
		if s, i, ok := strings.Cut(a, "#"); ok {
			name, id = s, i
		}
		i, seen := at[name]
		if !seen {
			i = len(out)
			at[name] = i
			out = append(out, Refs{Spec: name})
		}
		out[i].IDs = append(out[i].IDs, id)
	}
	return out
}

package replay

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Text prints the result for a terminal: a line per commit and per spec
// event, then the findings and the count of rejections.
func Text(out io.Writer, res *Result) {
	for _, c := range res.Commits {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(out, "%s %s %s (%s)\n", mark, c.Commit[:7], c.Subject, human.Plural(len(c.Ran), "hook", "hooks"))
		for _, n := range c.NotRun {
			fmt.Fprintf(out, "     not run: %s: %s\n", n.Hook, n.Why)
		}
	}
	for _, s := range res.Specs {
		what := fmt.Sprintf("%d added, %d modified, %d removed, %d renamed", len(s.Spec.Added), len(s.Spec.Modified), len(s.Spec.Removed), len(s.Spec.Renamed))
		if s.Kind == event.SpecTask {
			what = human.Plural(len(s.Spec.Tasks), "task", "tasks") + " changed status"
		}
		fmt.Fprintf(out, "%-12s %s: %s (%s)\n", s.Kind, s.Spec.File, what, human.Plural(len(s.Ran), "hook", "hooks"))
		for _, n := range s.NotRun {
			fmt.Fprintf(out, "     not run: %s: %s\n", n.Hook, n.Why)
		}
	}
	trace.WriteFindings(out, append(slices.Clone(res.Suspect), res.Dangling...))
	fmt.Fprintf(out, "%s, %d rejected by a blocking hook\n", human.Plural(len(res.Commits), "commit", "commits"), res.Rejected)
}

// Markdown prints the pull-request comment: what the range did to the
// specs, and what a reviewer should look at because of it.
func Markdown(w io.Writer, res *Result) {
	short := func(h string) string { return h[:min(7, len(h))] }
	fmt.Fprintf(w, "## hookd: requirements in %s\n\n", mdCode(res.Range))
	fmt.Fprintf(w, "%s from `%s` to `%s`", human.Plural(len(res.Commits), "commit", "commits"), short(res.Base), short(res.Head))
	if res.Rejected > 0 {
		fmt.Fprintf(w, "; **%d rejected by a blocking hook**", res.Rejected)
	}
	fmt.Fprint(w, ".\n\n")
	rows := requirementRows(res.Specs)
	if len(rows) == 0 {
		fmt.Fprintln(w, "No requirement was added, changed, renamed or removed.")
	} else {
		fmt.Fprintln(w, "| spec | requirement | change | cited by |\n|---|---|---|---|")
		for _, r := range rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdText(r.spec), mdText(r.id), mdText(r.change), citedBy(r.cites))
		}
		fmt.Fprint(w, "\n<details><summary>What cites them</summary>\n\n")
		for _, r := range rows {
			if len(r.cites) == 0 {
				continue
			}
			fmt.Fprintf(w, "- **%s#%s** (%s)\n", mdText(r.spec), mdText(r.id), mdText(r.change))
			for _, c := range r.cites {
				note := ""
				if c.Stale {
					note = " (done: possibly stale)"
				}
				fmt.Fprintf(w, "  - %s %s%s\n", mdText(c.Kind), mdCode(fmt.Sprintf("%s:%d", c.File, c.Line)), note)
			}
		}
		fmt.Fprintln(w, "\n</details>")
	}
	var tasks []string
	for _, s := range res.Specs {
		if s.Kind == event.SpecTask {
			for _, t := range s.Spec.Tasks {
				tasks = append(tasks, fmt.Sprintf("- %s task %s: %s → %s", mdText(s.Spec.Name), mdText(t.ID), mdText(t.From), mdText(t.To)))
			}
		}
	}
	if len(tasks) > 0 {
		fmt.Fprintf(w, "\n### Tasks\n\n%s\n", strings.Join(tasks, "\n"))
	}
	section := func(title string, fs []trace.Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n### %s (%d)\n\n", title, len(fs))
		for _, f := range fs {
			fmt.Fprintf(w, "- %s %s\n", mdCode(fmt.Sprintf("%s:%d", f.File, f.Line)), mdText(f.Message))
		}
	}
	section("New suspect links: check them, then `hookd trace review`", res.Suspect)
	section("New dangling citations", res.Dangling)
	if len(res.Suspect)+len(res.Dangling) == 0 {
		fmt.Fprintln(w, "\nNo new suspect or dangling links.")
	}
	var hookLines []string
	for _, c := range res.Commits {
		if !c.OK {
			hookLines = append(hookLines, fmt.Sprintf("- ❌ %s %s: %s failed", mdCode(short(c.Commit)), mdText(c.Subject), mdText(strings.Join(c.Failed, ", "))))
		}
		for _, n := range c.NotRun {
			hookLines = append(hookLines, fmt.Sprintf("- ⚠️ %s: %s did not run: %s", mdCode(short(c.Commit)), mdText(n.Hook), mdText(n.Why)))
		}
	}
	for _, s := range res.Specs {
		for _, h := range s.Ran {
			mark := human.Pick(slices.Contains(s.Failed, h), "❌", "✅")
			hookLines = append(hookLines, fmt.Sprintf("- %s %s on %s ran", mark, mdText(h), mdCode(s.Spec.File)))
		}
		for _, n := range s.NotRun {
			hookLines = append(hookLines, fmt.Sprintf("- ⚠️ %s on %s did not run: %s", mdText(n.Hook), mdCode(s.Spec.File), mdText(n.Why)))
		}
	}
	if len(hookLines) > 0 {
		fmt.Fprintf(w, "\n### Hooks\n\n%s\n", strings.Join(hookLines, "\n"))
	}
	if res.Hooks == NoHooks.String() {
		fmt.Fprintln(w, "\nNo hook was run for this report.")
	}
}

// row is a requirement the range added, changed, renamed or removed, with
// what cites it.
type row struct {
	spec, id, change string
	cites            []event.Citation
}

// requirementRows lists the requirements the spec.changed events of the
// range touched, each with the citations that cover it.
func requirementRows(specs []Spec) []row {
	var rows []row
	for _, s := range specs {
		if s.Kind != event.SpecChanged {
			continue
		}
		p := s.Spec
		byID := map[string][]event.Citation{}
		for _, c := range p.Impacted {
			byID[c.Requirement] = append(byID[c.Requirement], c)
		}
		citing := func(id string) []event.Citation {
			var out []event.Citation
			for cid, cs := range byID {
				if spec.Covers(id, cid) {
					out = append(out, cs...)
				}
			}
			return out
		}
		for _, id := range p.Added {
			rows = append(rows, row{p.Name, id, "added", citing(id)})
		}
		for _, id := range p.Modified {
			rows = append(rows, row{p.Name, id, "changed", citing(id)})
		}
		for _, r := range p.Renamed {
			rows = append(rows, row{p.Name, r.To, "renamed from " + r.From, citing(r.To)})
		}
		for _, id := range p.Removed {
			rows = append(rows, row{p.Name, id, "removed", citing(id)})
		}
	}
	return rows
}

// citedBy counts citations by kind: "1 task, 2 tests".
func citedBy(cs []event.Citation) string {
	if len(cs) == 0 {
		return "nothing"
	}
	n := map[string]int{}
	for _, c := range cs {
		n[c.Kind]++
	}
	var parts []string
	for _, k := range []string{"task", "design", "code", "test", "change"} {
		if n[k] > 0 {
			parts = append(parts, human.Plural(n[k], k, k+"s"))
		}
	}
	return strings.Join(parts, ", ")
}

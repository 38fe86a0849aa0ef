package spec

import (
	"fmt"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

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
	if len(parts) == 0 {
		parts = append(parts, "no requirement changed")
	}
	b.WriteString(strings.Join(parts, "; ") + "\n")
	if len(s.Impacted) == 0 {
		b.WriteString("nothing cites the changed requirements\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%d places cite them:\n", len(s.Impacted))
	for _, c := range s.Impacted {
		note := ""
		if c.Stale {
			note = "  (done: possibly stale)"
		}
		if c.Spec == "" {
			note += "  (names no spec)"
		}
		fmt.Fprintf(&b, "  %-6s %s:%d  cites %s%s\n", c.Kind, c.File, c.Line, c.Requirement, note)
	}
	return b.String()
}

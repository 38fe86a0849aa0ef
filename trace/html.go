package trace

import (
	_ "embed"
	"html/template"
	"io"
	"strconv"
	"strings"
)

//go:embed report.html
var reportHTML string

// HTMLOptions shape the page.
type HTMLOptions struct {
	// Title is the page's heading.
	Title string
	// LinkBase prefixes each file link ("https://github.com/o/r/blob/SHA/");
	// links are then FILE#Lline. Empty: links relative to the repository
	// root, for a report written there or opened from a checkout.
	LinkBase string
}

// HTML writes the report as one self-contained page (no network, no
// files beside it): a matrix of every requirement with coverage at a
// glance, filters (spec, only uncovered, only with findings, a search),
// and links to every place.
func HTML(w io.Writer, rep *Report, o HTMLOptions) error {
	t, err := template.New("report").Funcs(template.FuncMap{
		"link": func(file string, line int) string {
			return o.LinkBase + file + "#L" + strconv.Itoa(line)
		},
		"count": func(ps []Place) string { return cell(ps) },
		"findings": func(s Spec, r Row) []Finding {
			var out []Finding
			for _, f := range rep.Findings {
				if f.Spec == s.Name && f.Requirement == r.ID {
					out = append(out, f)
				}
			}
			return out
		},
		"kinds": func() []string { return FindingKinds },
		"join":  strings.Join,
		"flag": func(ps []Place) bool {
			for _, p := range ps {
				if p.Suspect || p.Stale {
					return true
				}
			}
			return false
		},
		"pct":     func(a, b int) float64 { return 100 * float64(a) / float64(b) },
		"counted": func(r Row) bool { return r.Of == "" || rep.Policy.EachCriterion },
	}).Parse(reportHTML)
	if err != nil {
		return err
	}
	title := o.Title
	if title == "" {
		title = "Traceability"
	}
	return t.Execute(w, map[string]any{"R": rep, "Title": title})
}

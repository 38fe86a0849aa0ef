package render

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/spec"
)

// Verdict prints each hook of a verdict that did not pass, with its
// output: what a git shim shows above "the commit is stopped".
func Verdict(w io.Writer, v ipc.Verdict) {
	for _, r := range v.Hooks {
		if r.Status == "ok" || r.Status == "skipped" {
			continue
		}
		what := r.Status
		if r.Exit > 0 {
			what = fmt.Sprintf("%s (exit %d)", r.Status, r.Exit)
		}
		if r.Reason != "" {
			what += "; " + r.Reason
		}
		fmt.Fprintf(w, "hookd: %s: %s\n", cmp.Or(r.Hook, "a guard"), what)
		if out := strings.TrimSpace(r.Output); out != "" {
			fmt.Fprintln(w, out)
		}
		if r.Error != "" {
			fmt.Fprintln(w, r.Error)
		}
	}
}

// SpecDiffs prints each changed document's report, saying what it was
// compared with, or that nothing changed since that.
func SpecDiffs(out io.Writer, diffs []ipc.SpecDiff, rev string, seen bool) {
	if len(diffs) == 0 {
		switch {
		case seen:
			fmt.Fprintln(out, "no spec document changed since the daemon last saw it")
		case rev != "":
			fmt.Fprintf(out, "no spec document changed since %s\n", rev)
		default:
			fmt.Fprintln(out, "no spec document changed since HEAD")
		}
	}
	for _, d := range diffs {
		fmt.Fprintf(out, "%s (against %s)\n", d.Spec.File, d.Against)
		for _, l := range strings.Split(strings.TrimRight(spec.Report(d.Spec), "\n"), "\n") {
			fmt.Fprintln(out, "  "+l)
		}
	}
}

package hooks

import (
	"fmt"
	"io"
	"strings"

	"github.com/hookd-dev/hookd/internal/human"
)

// WriteExplanation prints an explanation for a person: the verdict, then
// each filter's with a mark, up to the one that decided. An agent hook's
// prompt is summed up (see WritePromptSummary), or printed whole when full;
// h is the hook explained, for its prompt as written.
func WriteExplanation(w io.Writer, x Explanation, h *Hook, full bool) {
	verdict := "would not run"
	switch {
	case x.Runs:
		verdict = "WOULD RUN"
	case strings.HasPrefix(x.Disabled, "paused"):
		verdict = "paused"
	case x.Disabled != "":
		verdict = "disabled"
	}
	fmt.Fprintf(w, "%s  %s  (%s, %s: %s)\n", x.Hook, verdict, human.Printable(x.Source, false), x.Action, human.Printable(x.Detail, false))
	mark := func(ok bool) string { return human.Pick(ok, "✓", "✗") }
	if x.Why != "" {
		fmt.Fprintf(w, "  not run   %s\n", x.Why)
	}
	if x.Disabled != "" {
		fmt.Fprintf(w, "  disabled  %s\n", x.Disabled)
	}
	fmt.Fprintf(w, "  on        %s\n", mark(x.On))
	if !x.On {
		fmt.Fprintln(w)
		return
	}
	if x.Paths != nil {
		var kept []string
		for _, f := range x.Files {
			kept = append(kept, f.Path)
		}
		detail := "no file matches"
		if len(kept) > 0 {
			detail = strings.Join(kept, ", ")
		}
		fmt.Fprintf(w, "  paths     %s %s\n", mark(*x.Paths), detail)
		if !*x.Paths {
			fmt.Fprintln(w)
			return
		}
	}
	switch {
	case x.RuleErr != "":
		fmt.Fprintf(w, "  if        ✗ %s → error: %s\n", x.Rule, x.RuleErr)
	case x.RuleVal != nil:
		fmt.Fprintf(w, "  if        %s %s → %v\n", mark(*x.RuleVal), x.Rule, *x.RuleVal)
	}
	for _, warn := range x.Warnings {
		fmt.Fprintf(w, "  warning   %s\n", warn)
	}
	if x.Prompt != "" {
		if full {
			fmt.Fprintf(w, "  prompt    %s, as the agent would get it:\n", human.Bytes(len(x.Prompt)))
			for _, l := range strings.Split(strings.TrimRight(x.Prompt, "\n"), "\n") {
				fmt.Fprintf(w, "    │ %s\n", l)
			}
		} else {
			WritePromptSummary(w, x, h)
		}
	}
	fmt.Fprintln(w)
}

// WritePromptSummary says what an agent hook's prompt is made of: its
// size, the steering in it, and the start of what the hook asks.
func WritePromptSummary(w io.Writer, x Explanation, h *Hook) {
	fmt.Fprintf(w, "  prompt    %s, %s; --prompt prints it\n", human.Bytes(len(x.Prompt)), human.Plural(len(x.Steering), "steering document", "steering documents"))
	for _, d := range x.Steering {
		fmt.Fprintf(w, "            steering %s (%s, %s)\n", d.Path, d.Inclusion, human.Bytes(d.Bytes))
	}
	if h == nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(h.Prompt), "\n")
	for i, l := range lines[:min(len(lines), 4)] {
		fmt.Fprintf(w, "            %s %s\n", human.Pick(i == 0, "asks    ", "        "), human.Clip(l, 100))
	}
	if len(lines) > 4 {
		fmt.Fprintf(w, "                     … (%d more lines)\n", len(lines)-4)
	}
}

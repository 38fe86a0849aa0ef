package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/internal/term"
	"github.com/hookd-dev/hookd/ipc"
)

// Runs prints the runs as a table, newest first as given, each with the
// last line of its output (or why it could not start).
func Runs(out io.Writer, runs []ipc.Run) error {
	if len(runs) == 0 {
		fmt.Fprintln(out, "no runs yet")
		return nil
	}
	// The output's tail gives way first (history RUN_ID has it whole), then
	// the event and the hook's name.
	// The event goes first when the width is short (--wide shows it), then
	// the output's tail gives way (history RUN_ID has it whole), then the
	// hook's name.
	t := term.Table{Header: []string{"RUN", "HOOK", "EVENT", "STATUS", "STARTED", "TOOK", "OUTPUT"}, Shrink: []int{6, 1}, Drop: []int{2}, Min: 12}
	for _, r := range runs {
		tail := strings.TrimSpace(r.Output)
		if i := strings.LastIndexByte(tail, '\n'); i >= 0 {
			tail = tail[i+1:]
		}
		if tail == "" && r.Error != "" {
			tail = "error: " + r.Error // it could not start, or was stopped: say why
		}
		started := "-"
		if !r.Start.IsZero() {
			started = r.Start.Local().Format(time.TimeOnly)
		}
		status := string(r.Status)
		if r.Exit != 0 {
			status += " " + strconv.Itoa(r.Exit)
		}
		t.Rows = append(t.Rows, []string{r.ID, r.Hook, r.Event, status, started, r.Duration.Round(100 * time.Microsecond).String(), tail})
	}
	return t.Write(out, Width(out))
}

// Run prints one run whole: what it was, what an agent did, its prompt
// and its output.
func Run(out io.Writer, run ipc.Run) {
	fmt.Fprintf(out, "run      %s\nhook     %s\nevent    %s\nstatus   %s (exit %d)\nstarted  %s\ntook     %s\nfiles    %s\n",
		run.ID, run.Hook, run.Event, run.Status, run.Exit, run.Start.Format(time.RFC3339), run.Duration, strings.Join(run.Files, " "))
	if run.Error != "" {
		fmt.Fprintf(out, "error    %s\n", run.Error)
	}
	if run.Reason != "" {
		fmt.Fprintf(out, "reason   %s\n", run.Reason)
	}
	AgentRun(out, run)
	if run.Prompt != "" {
		fmt.Fprintf(out, "\n── prompt ──\n%s\n", strings.TrimRight(run.Prompt, "\n"))
	}
	if a := run.Agent; a != nil && a.Final != "" && a.Format != runner.FormatText {
		fmt.Fprintf(out, "\n── the agent's final message ──\n%s\n", strings.TrimRight(a.Final, "\n"))
	}
	if run.Prompt != "" || run.Agent != nil {
		fmt.Fprintf(out, "── output ──\n")
	}
	fmt.Fprintf(out, "\n%s", run.Output)
}

// AgentRun prints what an agent run did, as its CLI reported it.
func AgentRun(out io.Writer, run ipc.Run) {
	a := run.Agent
	if a == nil {
		if len(run.FilesWritten) > 0 {
			fmt.Fprintf(out, "wrote    %s\n", strings.Join(run.FilesWritten, " "))
		}
		return
	}
	fmt.Fprintf(out, "agent    %s (%s output)\n", a.Name, a.Format)
	if a.Session != "" {
		resumed := ""
		if a.Resumed != "" {
			resumed = " (resumed)"
		}
		fmt.Fprintf(out, "session  %s%s\n", a.Session, resumed)
	}
	if a.Error != "" {
		fmt.Fprintf(out, "agent error  %s\n", a.Error)
	}
	if t := a.Trouble(); t != "" {
		fmt.Fprintf(out, "api      %s", t)
		if a.APIError != "" {
			fmt.Fprintf(out, ": %s", human.Clip(strings.ReplaceAll(a.APIError, "\n", " "), 100))
		}
		fmt.Fprintln(out)
	}
	if a.Turns > 0 || a.TokensIn+a.TokensOut > 0 || a.Cost > 0 {
		fmt.Fprintf(out, "spent    %s, %d tokens in, %d out", human.Plural(a.Turns, "turn", "turns"), a.TokensIn, a.TokensOut)
		if a.Cost > 0 {
			fmt.Fprintf(out, ", $%.4f", a.Cost)
		}
		fmt.Fprintln(out)
	}
	if len(run.FilesWritten) > 0 {
		guessed := map[string]bool{}
		for _, f := range a.FilesGuessed {
			guessed[f] = true
		}
		fmt.Fprintf(out, "wrote    ")
		for i, f := range run.FilesWritten {
			if i > 0 {
				fmt.Fprint(out, " ")
			}
			fmt.Fprint(out, f)
			if guessed[f] {
				fmt.Fprint(out, " (by time: not reported by the agent)")
			}
		}
		fmt.Fprintln(out)
	}
	for _, c := range a.Commands {
		fmt.Fprintf(out, "ran      $ %s\n", human.Clip(strings.ReplaceAll(c, "\n", " "), 100))
	}
	if a.Skipped > 0 {
		fmt.Fprintf(out, "note     %s of the agent's output could not be read\n", human.Plural(a.Skipped, "line", "lines"))
	}
}

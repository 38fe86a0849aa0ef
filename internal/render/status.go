package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/internal/term"
	"github.com/hookd-dev/hookd/ipc"
)

// Status prints the daemon's state: itself, its watches and queue, the
// hooks, today's agent spending and the configuration's problems.
func Status(out io.Writer, st ipc.Status) {
	plural := human.Plural
	fmt.Fprintf(out, "hookd %s, pid %d, up %s\n", st.Version, st.PID, time.Since(st.Started).Round(time.Second))
	fmt.Fprintf(out, "repo    %s\nsocket  %s\nstate   %s\n", st.Repo, st.Socket, st.StateDir)
	fmt.Fprintf(out, "watch   %s", plural(int(st.Watches), "directory", "directories"))
	if st.Uncovered > 0 {
		fmt.Fprintf(out, ", %d over the inotify watch limit, polled every 2s instead\n        (raise it: sudo sysctl fs.inotify.max_user_watches=%d)", st.Uncovered, max(524288, 2*(st.Watches+st.Uncovered)))
	}
	if st.Overflows > 0 {
		fmt.Fprintf(out, ", %s recovered", plural(int(st.Overflows), "overflow", "overflows"))
	}
	if st.Baselining > 0 {
		fmt.Fprintf(out, ", baselining %s in the background (changes are handled meanwhile)", plural(st.Baselining, "file", "files"))
	}
	fmt.Fprintf(out, "\nqueue   %s waiting\n\n", plural(st.Queue, "batch", "batches"))
	Hooks(out, st.Hooks, st.Held)
	AgentDays(out, st.Agents)
	if len(st.Problems) > 0 {
		kept := "the sound hooks run, and a blocking hook that could not be loaded refuses what it guards"
		if st.LastGood {
			kept = "the last good config keeps running, and a blocking hook that could not be loaded refuses what it guards"
		}
		fmt.Fprintf(out, "\n%s; %s:\n", plural(len(st.Problems), "config problem", "config problems"), kept)
		for _, p := range st.Problems {
			fmt.Fprintf(out, "  %s\n", human.Printable(fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message), false))
		}
	}
}

// AgentDays prints today's spending per agent, against its budgets.
func AgentDays(out io.Writer, days []ipc.AgentDay) {
	if len(days) == 0 {
		return
	}
	fmt.Fprintf(out, "\nagents today\n")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  AGENT\tRUNS\tTOKENS\tCOST\t")
	for _, d := range days {
		tokens, cost := fmt.Sprint(d.Tokens), fmt.Sprintf("$%.4f", d.Cost)
		if d.MaxTokensPerDay > 0 {
			tokens += fmt.Sprintf(" of %d", d.MaxTokensPerDay)
		}
		if d.MaxCostPerDay > 0 {
			cost += fmt.Sprintf(" of $%g", d.MaxCostPerDay)
		}
		held := ""
		if d.Held != "" {
			held = "held: budget reached, runs skipped until midnight"
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\n", d.Name, d.Runs, tokens, cost, held)
	}
	tw.Flush()
}

// Hooks prints the hooks as a table that fits the terminal: the state
// column says enabled, paused or disabled, and the reasons, which can be
// long, follow the table, each once with the hooks it applies to. Then what
// untrusted files hold back.
func Hooks(w io.Writer, hs []ipc.Hook, held []ipc.Held) {
	width := Width(w)
	// The widest of the action, the name, the events and the source give
	// way first, and the count of runs goes when even that is too wide
	// (history has them): a row must say which hook, and in what state.
	t := term.Table{Header: []string{"HOOK", "ON", "ACTION", "STATE", "RUNS", "LAST", "SOURCE"}, Shrink: []int{2, 0, 1, 6}, Drop: []int{4}, Min: 12}
	var reasons []string
	byReason := map[string][]string{}
	note := func(reason, who string) {
		if _, ok := byReason[reason]; !ok {
			reasons = append(reasons, reason)
		}
		byReason[reason] = append(byReason[reason], who)
	}
	for _, h := range hs {
		if h.Error != "" {
			t.Rows = append(t.Rows, []string{"-", "-", "-", "not loaded", "-", "-", h.Source})
			note("not loaded: "+h.Error, h.Source)
			continue
		}
		state := "enabled"
		switch {
		case !h.Enabled:
			state = "disabled"
			if strings.HasPrefix(h.Reason, "paused") {
				state = "paused"
			}
			note(h.Reason, h.Name)
		case h.Paused != "":
			state = "paused"
			note(h.Paused, h.Name)
		case h.Missing != "":
			state = "cannot run"
			note(h.Missing, h.Name)
		}
		name := h.Name
		if h.Title != "" {
			name += " (" + h.Title + ")"
		}
		last := h.LastStatus
		if last == "" {
			last = "-"
		}
		detail := h.Detail
		if first, _, multi := strings.Cut(strings.TrimSpace(detail), "\n"); multi {
			detail = first + " …"
		}
		// A command from a repository is shown as written, escapes and
		// all: `curl …|sh\r\e[2Kmake test` must not show as `make test`.
		name, detail = human.Printable(name, false), human.Printable(detail, false)
		t.Rows = append(t.Rows, []string{name, strings.Join(h.On, ","), h.Action + ": " + detail, state, strconv.Itoa(h.Runs), last, h.Source})
	}
	t.Write(w, width)
	for _, h := range hs {
		if h.Trouble != "" {
			fmt.Fprintf(w, "\n%s\n", Wrap(human.Printable(h.Name+"'s last run: "+h.Trouble, false), width, "  "))
		}
	}
	for _, r := range reasons {
		fmt.Fprintf(w, "\n%s\n  %s\n", Wrap(r, width, ""), Wrap(strings.Join(byReason[r], ", "), width, "  "))
	}
	for _, h := range held {
		fmt.Fprintf(w, "\n%s\n  %s\n", Wrap("held back until trusted, from "+h.File+" ("+h.Why+"):", width, ""), Wrap(strings.Join(h.Tables, ", "), width, "  "))
	}
}

// Wrap breaks s into lines of at most width runes at spaces, indenting the
// lines after the first.
func Wrap(s string, width int, indent string) string {
	s = human.Printable(s, false) // text from a repository cannot forge a line
	var b strings.Builder
	col := 0
	for i, word := range strings.Fields(s) {
		n := len([]rune(word))
		if i > 0 {
			if col+1+n > width-len(indent) {
				b.WriteString("\n" + indent)
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(word)
		col += n
	}
	return b.String()
}

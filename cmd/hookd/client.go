package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/safefile"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a command's "a > b" stays readable
	return enc.Encode(v)
}

// notRunning turns ErrNotRunning into advice.
func notRunning(err error) error {
	if errors.Is(err, ipc.ErrNotRunning) {
		return fmt.Errorf("%w; start it with 'hookd start' (or 'hookd run' in the foreground)", err)
	}
	return err
}

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the daemon: pid, socket, hooks and their state, problems, queue",
		Long: `status asks the running daemon for its state: its pid, socket and version, every
hook with whether it runs (or why it is paused), its runs and last status,
configuration problems with FILE:LINE:COL, the queue and the watch counters.
It exits 1 when no daemon runs.`,
		Example: `  hookd status
  hookd status --json | jq '.hooks[] | select(.enabled == false)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := g.client()
			if err != nil {
				return err
			}
			// Reflect every change made so far, such as the hookd.toml just
			// saved; a daemon that cannot sync still answers.
			ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
			_ = c.Sync(ctx)
			cancel()
			st, err := c.Status(cmd.Context())
			if err != nil {
				return notRunning(err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, st)
			}
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
			printHooks(out, st.Hooks, st.Held)
			printAgentDays(out, st.Agents)
			if len(st.Problems) > 0 {
				kept := "the sound hooks run, and a blocking hook that could not be loaded refuses what it guards"
				if st.LastGood {
					kept = "the last good config keeps running, and a blocking hook that could not be loaded refuses what it guards"
				}
				fmt.Fprintf(out, "\n%s; %s:\n", plural(len(st.Problems), "config problem", "config problems"), kept)
				for _, p := range st.Problems {
					fmt.Fprintf(out, "  %s:%d:%d: %s\n", p.File, p.Line, p.Col, p.Message)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

// printAgentDays prints today's spending per agent, against its budgets.
func printAgentDays(out io.Writer, days []ipc.AgentDay) {
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

// printHooks prints the hooks as a table that fits the terminal: the state
// column says enabled, paused or disabled, and the reasons, which can be
// long, follow the table, each once with the hooks it applies to. Then what
// untrusted files hold back.
func printHooks(w io.Writer, hs []ipc.Hook, held []ipc.Held) {
	width := terminalWidth(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOOK\tON\tACTION\tSTATE\tRUNS\tLAST\tSOURCE")
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
			fmt.Fprintf(tw, "-\t-\t-\tnot loaded\t-\t-\t%s\n", h.Source)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", clip(name, 40), clip(strings.Join(h.On, ","), 30), clip(h.Action+": "+detail, max(20, width/3)), state, h.Runs, last, h.Source)
	}
	tw.Flush()
	for _, r := range reasons {
		fmt.Fprintf(w, "\n%s\n  %s\n", wrap(r, width, ""), wrap(strings.Join(byReason[r], ", "), width, "  "))
	}
	for _, h := range held {
		fmt.Fprintf(w, "\n%s\n  %s\n", wrap("held back until trusted, from "+h.File+" ("+h.Why+"):", width, ""), wrap(strings.Join(h.Tables, ", "), width, "  "))
	}
}

// wrap breaks s into lines of at most width runes at spaces, indenting the
// lines after the first.
func wrap(s string, width int, indent string) string {
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

func newHooksCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "hooks",
		Short: "List every hook: source, events, action, enabled or why not",
		Long: `hooks lists every hook with the file it comes from, the events it handles, its
action, and whether it runs or why it does not (paused until trusted, disabled).
It asks the running daemon; without one it reads the configuration itself.`,
		Example: `  hookd hooks
  hookd hooks --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, repo, err := g.client()
			if err != nil {
				return err
			}
			var hs []ipc.Hook
			var held []ipc.Held
			st, err := c.Status(cmd.Context())
			if err == nil {
				hs, held = st.Hooks, st.Held
			} else if errors.Is(err, ipc.ErrNotRunning) {
				hs, held, err = g.localHooks(repo.Root)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), hs)
			}
			printHooks(cmd.OutOrStdout(), hs, held)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the hooks as JSON")
	return cmd
}

// localHooks describes the hooks from the config files, with trust applied,
// for when no daemon runs.
func (g *globals) localHooks(root string) ([]ipc.Hook, []ipc.Held, error) {
	_, opts, err := g.locate()
	if err != nil {
		return nil, nil, err
	}
	cfg, probs := hooks.Load(opts)
	return daemon.HookList(cfg, probs, root, nil), daemon.HeldList(cfg), nil
}

// clientWithFiles is client, with command-line paths made
// repository-relative.
func (g *globals) clientWithFiles(files []string) (*ipc.Client, daemon.Repo, []string, error) {
	c, repo, err := g.client()
	if err != nil {
		return nil, daemon.Repo{}, nil, err
	}
	rel, err := relFiles(repo.Root, files)
	if err != nil {
		return nil, daemon.Repo{}, nil, usageError{err}
	}
	return c, repo, rel, nil
}

func newTriggerCmd(g *globals) *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "trigger HOOK [--file F]...",
		Short: "Run a hook now, whatever its events and paths say",
		Long: `trigger runs a hook at once as a hook.manual event, with the files you name as
its batch. Its mode still applies (a queue hook waits for its running run).
When no daemon runs, trigger starts one and says so.`,
		Example: `  hookd trigger tests-follow-code --file src/app.go
  hookd trigger release-notes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := g.trigger(cmd.Context(), args[0], files, true)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: run %s\n", args[0], run)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&files, "file", nil, "a file for the hook's batch (repeatable)")
	return cmd
}

func newEmitCmd(g *globals) *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "emit KIND [--file F]...",
		Short: "Send an event to the daemon, as if it had happened",
		Long: `emit hands the daemon an event of the given kind with the files you name; the
hooks that want it run as usual. Inside a hook's command, emit carries the run's
HOOKD_RUN_ID and HOOKD_DEPTH on, so chains stop at max_depth.`,
		Example: `  hookd emit file.saved --file src/app.go
  hookd emit spec.changed`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, rel, err := g.clientWithFiles(files)
			if err != nil {
				return err
			}
			depth, cause := depthFromEnv()
			reply, err := c.Emit(cmd.Context(), ipc.EmitRequest{Kind: args[0], Files: rel, Depth: depth, Cause: cause})
			if err != nil {
				var ie *ipc.Error
				if errors.As(err, &ie) && ie.Code == 400 {
					return usageError{err}
				}
				return notRunning(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "event %d accepted\n", reply.ID)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&files, "file", nil, "a file of the event (repeatable)")
	return cmd
}

func newHistoryCmd(g *globals) *cobra.Command {
	var hook string
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "history [RUN_ID]",
		Short: "List recent runs, or show one run whole",
		Long: `history lists the most recent runs, newest first: id, hook, event, status (ok,
failed, timeout, interrupted, skipped, running, queued, pending), exit code,
start, duration and the tail of the output (or why it failed to start). With a
run id it shows that run whole. When no daemon runs it reads the journal on
disk, and says so.`,
		Example: `  hookd history
  hookd history --hook tests-follow-code --json
  hookd history 20261121T080102-7`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := g.history(cmd.Context())
			if err != nil {
				return err
			}
			defer src.close()
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				run, err := src.run(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(out, run)
				}
				fmt.Fprintf(out, "run      %s\nhook     %s\nevent    %s\nstatus   %s (exit %d)\nstarted  %s\ntook     %s\nfiles    %s\n",
					run.ID, run.Hook, run.Event, run.Status, run.Exit, run.Start.Format(time.RFC3339), run.Duration, strings.Join(run.Files, " "))
				if run.Error != "" {
					fmt.Fprintf(out, "error    %s\n", run.Error)
				}
				if run.Reason != "" {
					fmt.Fprintf(out, "reason   %s\n", run.Reason)
				}
				printAgentRun(out, run)
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
				return nil
			}
			runs, err := src.runs(cmd.Context(), hook, limit)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(out, runs)
			}
			if len(runs) == 0 {
				fmt.Fprintln(out, "no runs yet")
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tHOOK\tEVENT\tSTATUS\tEXIT\tSTARTED\tTOOK\tOUTPUT")
			for _, r := range runs {
				tail := strings.TrimSpace(r.Output)
				if i := strings.LastIndexByte(tail, '\n'); i >= 0 {
					tail = tail[i+1:]
				}
				if tail == "" && r.Error != "" {
					tail = "error: " + r.Error // it could not start, or was stopped: say why
				}
				tail = clip(tail, 60)
				started := "-"
				if !r.Start.IsZero() {
					started = r.Start.Local().Format(time.TimeOnly)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.ID, r.Hook, r.Event, r.Status, r.Exit, started, r.Duration.Round(100*time.Microsecond), tail)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&hook, "hook", "", "only this hook's runs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the runs as JSON")
	cmd.Flags().IntVar(&limit, "limit", 50, "how many runs at most")
	return cmd
}

// printAgentRun prints what an agent run did, as its CLI reported it.
func printAgentRun(out io.Writer, run ipc.Run) {
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
	if a.Turns > 0 || a.TokensIn+a.TokensOut > 0 || a.Cost > 0 {
		fmt.Fprintf(out, "spent    %s, %d tokens in, %d out", plural(a.Turns, "turn", "turns"), a.TokensIn, a.TokensOut)
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
		fmt.Fprintf(out, "ran      $ %s\n", clip(strings.ReplaceAll(c, "\n", " "), 100))
	}
	if a.Skipped > 0 {
		fmt.Fprintf(out, "note     %s of the agent's output could not be read\n", plural(a.Skipped, "line", "lines"))
	}
}

// runSource is where history is read from: the daemon, or the journal on
// disk when none runs.
type runSource struct {
	runs  func(ctx context.Context, hook string, limit int) ([]ipc.Run, error)
	run   func(ctx context.Context, id string) (ipc.Run, error)
	close func() error
}

// history asks the daemon, and reads its journal when it is not running,
// saying so on stderr.
func (g *globals) history(ctx context.Context) (runSource, error) {
	c, repo, err := g.client()
	if err != nil {
		return runSource{}, err
	}
	if _, err := c.Status(ctx); err == nil {
		return runSource{runs: c.Runs, run: c.Run, close: func() error { return nil }}, nil
	} else if !errors.Is(err, ipc.ErrNotRunning) {
		return runSource{}, err
	}
	path := filepath.Join(repo.StateDir, "journal.db")
	r, err := journal.OpenReader(path)
	if errors.Is(err, fs.ErrNotExist) {
		return runSource{}, fmt.Errorf("hookd is not running, and has not run here: no history yet (start it with 'hookd start')")
	}
	if err != nil {
		return runSource{}, err
	}
	fmt.Fprintf(g.stderr, "hookd is not running: from its journal, %s\n", path)
	return runSource{
		runs: r.Runs,
		run: func(ctx context.Context, id string) (ipc.Run, error) {
			row, ok, err := r.Get(ctx, id)
			if err == nil && !ok {
				err = fmt.Errorf("no run %q in the history", id)
			}
			return row.Run, err
		},
		close: r.Close,
	}, nil
}

func newLogsCmd(g *globals) *cobra.Command {
	var follow bool
	cmd := &cobra.Command{
		Use:   "logs [-f]",
		Short: "Print the daemon's recent log; -f follows it",
		Long: `logs prints the daemon's recent log lines as JSON, one per line (NDJSON);
with -f it keeps printing new ones until interrupted. When no daemon runs it
prints the end of the log file its last run wrote (in the --log-format it ran
with), and says so.`,
		Example: `  hookd logs
  hookd logs -f | jq -r .msg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, repo, err := g.client()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			err = c.Logs(cmd.Context(), follow, func(line []byte) {
				out.Write(line)
				out.Write([]byte("\n"))
			})
			if !errors.Is(err, ipc.ErrNotRunning) || follow {
				return notRunning(err)
			}
			// No daemon: the end of the log its last run left.
			path := filepath.Join(repo.StateDir, "hookd.log")
			data, rerr := safefile.ReadTail(path, 256<<10)
			if errors.Is(rerr, fs.ErrNotExist) {
				return notRunning(err)
			}
			if rerr != nil {
				return rerr
			}
			fmt.Fprintf(g.stderr, "hookd is not running: the end of its log, %s\n", path)
			_, werr := out.Write(lastLines(data, 200))
			return werr
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines")
	return cmd
}

func newTrustCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trust",
		Short: "Trust the repository's committed hook files as they are now",
		Long: `A repository's hookd.toml runs commands on your machine, so hookd runs none of
its hooks until you have read it and said 'hookd trust'. Until then nothing
of it applies: not its hooks, and not its [agent.*], [defaults], [watch],
[specs] or [trace] tables either. A later change to it (a pull) holds it back
again until you trust the new contents. The same goes for .kiro/hooks files,
and for a hookd.local.toml that git tracks (or any, outside git). Your user
config, an untracked hookd.local.toml and an explicit --config file are yours
and always apply. The record (the SHA-256 of each file as hookd read it) is
kept in your state directory, never in the repository.`,
		Example: `  git diff HEAD@{1} -- hookd.toml   # read what changed
  hookd trust`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			cfg, _ := hooks.Load(opts)
			// The files and their guards as one read sees them: a file
			// swapped after this read is not trusted.
			all := opts
			all.TrustAll = true
			trusted, _ := hooks.Load(all)
			files := hooks.CommittedFiles(trusted, repo.Root)
			out := cmd.OutOrStdout()
			if len(files) == 0 {
				fmt.Fprintln(out, "nothing to trust: no committed hook files")
				return nil
			}
			store := opts.Trust
			if store.Path == "" {
				store = hooks.DefaultTrustStore()
			}
			// What is recorded is the hash of the bytes just parsed, and the
			// guards they declare, so that a later change cannot lift one
			// unseen.
			if err := store.Trust(repo.Root, files, hooks.GuardsOf(trusted, repo.Root)...); err != nil {
				return err
			}
			fmt.Fprintf(out, "trusted %s for %s\n", strings.Join(hooks.SortedKeys(files), ", "), repo.Root)
			for _, h := range cfg.Held {
				fmt.Fprintf(out, "  %s now applies: %s\n", h.File, strings.Join(h.Tables, ", "))
			}
			c, _, err := g.client()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			if reply, err := c.Reload(ctx); err == nil {
				fmt.Fprintf(out, "the running daemon reloaded: %s\n", plural(reply.Hooks, "hook", "hooks"))
			}
			return nil
		},
	}
	return cmd
}

// lastLines is the end of data, n lines at most, whole lines only.
func lastLines(data []byte, n int) []byte {
	end := len(data)
	for i := len(data) - 1; i >= 0; i-- {
		if data[i] == '\n' && i != len(data)-1 {
			if n--; n == 0 {
				return data[i+1 : end]
			}
		}
	}
	return data
}

// trigger runs a hook now through the daemon, starting one when none runs,
// and returns the run's id. A hook's process (HOOKD_RUN_ID set) passes its
// chain on, so that a hook that triggers itself stops at max_depth. For an
// agent (byPerson false, the MCP tool) it does nothing in a work tree the
// user never trusted: an agent steered by a clone's README must not start
// hookd there and run the user's own hooks on the clone's files.
func (g *globals) trigger(ctx context.Context, hook string, files []string, byPerson bool) (string, error) {
	c, repo, rel, err := g.clientWithFiles(files)
	if err != nil {
		return "", err
	}
	if !byPerson {
		_, opts, err := g.locate()
		if err != nil {
			return "", err
		}
		if cfg, _ := hooks.Load(opts); !cfg.TrustedBefore {
			return "", fmt.Errorf("hookd runs nothing for an agent in %s: its hook files were never trusted (a person reviews them and runs hookd trust)", repo.Root)
		}
	}
	req := ipc.TriggerRequest{Files: rel}
	req.Depth, req.Cause = depthFromEnv()
	reply, err := c.Trigger(ctx, hook, req)
	if errors.Is(err, ipc.ErrNotRunning) {
		fmt.Fprintf(g.stderr, "hookd was not running for %s; starting it\n", repo.Root)
		if err := g.start(ctx, true); err != nil {
			return "", fmt.Errorf("hookd was not running and could not start: %w", err)
		}
		reply, err = c.Trigger(ctx, hook, req)
	}
	return reply.Run, err
}

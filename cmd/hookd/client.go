package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/doctor"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/internal/render"
	"github.com/hookd-dev/hookd/ipc"
)

// notRunning turns ErrNotRunning into advice.
func notRunning(err error) error {
	if errors.Is(err, ipc.ErrNotRunning) {
		return fmt.Errorf("%w; start it with 'hookd start' (or 'hookd run' in the foreground)", err)
	}
	return err
}

// configProblems prints the problems of the configuration on disk on
// stderr, FILE:LINE:COL first, and is exit 1 when a config file could not
// be read or does not parse: the listing printed is then not all there is,
// and an empty table must not read as "no hooks". quiet leaves out the
// problems a listing shows itself (status).
func (g *globals) configProblems(quiet bool) error {
	_, opts, err := g.locate()
	if err != nil {
		return err
	}
	cfg, probs := hooks.Load(opts)
	for _, p := range probs {
		if !quiet {
			fmt.Fprintln(g.stderr, p.Error())
		}
	}
	if len(cfg.Unreadable) > 0 {
		fmt.Fprintf(g.stderr, "hookd: %s could not be read, so what is listed is not all there is; 'hookd check' shows where\n", strings.Join(cfg.Unreadable, ", "))
		return ExitError{exitFailure}
	}
	return nil
}

// listed is the PostRunE of the listings that read the configuration.
func (g *globals) listed(*cobra.Command, []string) error { return g.configProblems(false) }

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the daemon: pid, socket, hooks and their state, problems, queue",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			st, err := b.Status(cmd.Context())
			if err != nil {
				return notRunning(err)
			}
			if asJSON {
				return render.JSON(cmd.OutOrStdout(), st)
			}
			render.Status(cmd.OutOrStdout(), st)
			// The shims are git's, not the daemon's: a blocking hook with
			// none cannot stop a commit, whatever the daemon does.
			if repo, opts, err := g.locate(); err == nil && repo.GitDir != "" {
				cfg, _ := hooks.Load(opts)
				if c, _ := doctor.Shims(cmd.Context(), repo, cfg); c.Status != doctor.OK {
					fmt.Fprintf(cmd.OutOrStdout(), "\nshims   %s: %s\n", strings.ToUpper(string(c.Status)), c.Detail+"; fix: "+c.Fix)
				}
			}
			return g.configProblems(true)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

func newHooksCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "hooks",
		Short: "List every hook: source, events, action, enabled or why not",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			hs, held, err := b.Hooks(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				err = render.JSON(cmd.OutOrStdout(), hs)
			} else {
				render.Hooks(cmd.OutOrStdout(), hs, held)
			}
			return cmp.Or(err, g.configProblems(false))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the hooks as JSON")
	return cmd
}

func newTriggerCmd(g *globals) *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "trigger HOOK [--file F]... [-- ARG...]",
		Short: "Run a hook now, whatever its events and paths say",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if at := cmd.ArgsLenAtDash(); at != 1 && len(args) > 1 {
				return usageError{fmt.Errorf("trigger takes one hook; its args go after --: hookd trigger %s -- %s", args[0], strings.Join(args[1:], " "))}
			}
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			run, err := b.Trigger(cmd.Context(), args[0], files, event.ManualArgs(args[1:]))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: run %s\n", args[0], run)
			return nil
		},
		ValidArgsFunction: g.completeHooks,
	}
	cmd.Flags().StringArrayVar(&files, "file", nil, "a file for the hook's batch (repeatable)")
	return cmd
}

func newResumeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "resume HOOK",
		Short: "Let a hook its circuit breaker paused run again",
		Long: `resume lets a hook run again after its circuit breaker paused it (it started
more than max_runs_per_minute runs within a minute; hookd status says so).
A change to the hook in the configuration resumes it too.`,
		Example: `  hookd resume tests-follow-code`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			was, err := b.ResumeHook(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case was != "":
				fmt.Fprintf(out, "%s resumed; it was %s\n", args[0], was)
			case !b.Running():
				fmt.Fprintf(out, "%s is not paused: hookd is not running, and a daemon starts with no hook paused\n", args[0])
			default:
				fmt.Fprintf(out, "%s is not paused\n", args[0])
			}
			return nil
		},
	}
}

func newEmitCmd(g *globals) *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "emit KIND [--file F]...",
		Short: "Send an event to the daemon, as if it had happened",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, _, err := g.locate()
			if err != nil {
				return err
			}
			rel, err := backend.Rel(repo.Root, files)
			if err != nil {
				return usageError{err}
			}
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			depth, cause := depthFromEnv()
			reply, err := b.Emit(cmd.Context(), ipc.EmitRequest{Kind: args[0], Files: rel, Depth: depth, Cause: cause})
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
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				run, err := b.Run(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return render.JSON(out, run)
				}
				render.Run(out, run)
				return nil
			}
			runs, err := b.Runs(cmd.Context(), hook, limit)
			if err != nil {
				return err
			}
			if asJSON {
				return render.JSON(out, runs)
			}
			return render.Runs(out, runs)
		},
	}
	cmd.Flags().StringVar(&hook, "hook", "", "only this hook's runs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the runs as JSON")
	cmd.Flags().IntVar(&limit, "limit", 50, "how many runs at most")
	return cmd
}

func newLogsCmd(g *globals) *cobra.Command {
	var follow, asJSON bool
	cmd := &cobra.Command{
		Use:   "logs [-f] [--json]",
		Short: "Print the daemon's recent log; -f follows it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if !asJSON {
				out = render.NewLogLines(out, render.IsTerminal(out) && os.Getenv("NO_COLOR") == "")
			}
			return notRunning(b.Logs(cmd.Context(), follow, out))
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the lines as JSON (NDJSON), as the daemon keeps them")
	return cmd
}

func newTrustCmd(g *globals) *cobra.Command {
	var yes, show bool
	cmd := &cobra.Command{
		Use:   "trust",
		Short: "Review the repository's committed hook files, and trust them as shown",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			review, err := hooks.ReviewTrust(opts)
			out := cmd.OutOrStdout()
			switch {
			case err != nil:
				return err
			case len(review.Files) == 0:
				fmt.Fprintln(out, "nothing to trust: no committed hook files")
				return nil
			}
			render.Review(out, review)
			if show {
				return nil
			}
			if who := hooks.TrustRefusedIn(os.Getenv, agentcli.Ancestor); who != "" {
				return fmt.Errorf("not trusted: hookd trust is refused inside %s; read the files above and run it yourself, in a terminal", who)
			}
			if review.Pending() && !yes && render.IsTerminal(out) && isTerminalIn(cmd.InOrStdin()) {
				fmt.Fprint(out, "Trust these files as shown? [y/N] ")
				var answer string
				_, _ = fmt.Fscanln(cmd.InOrStdin(), &answer)
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					return errors.New("nothing trusted")
				}
			}
			if err := review.Approve(); err != nil {
				return err
			}
			files := make([]string, len(review.Files))
			for i, f := range review.Files {
				files[i] = f.Path
			}
			fmt.Fprintf(out, "trusted %s for %s\n", strings.Join(files, ", "), repo.Root)
			for _, h := range review.Held {
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
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "approve without asking")
	cmd.Flags().BoolVar(&show, "show", false, "only show what would be approved")
	return cmd
}

// isTerminalIn says whether r is a terminal one can be asked on.
func isTerminalIn(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && render.IsTerminal(f)
}

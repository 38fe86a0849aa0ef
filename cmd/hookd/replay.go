package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/render"
	"github.com/hookd-dev/hookd/replay"
)

func newReplayCmd(g *globals) *cobra.Command {
	var rng, report string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "replay --range A..B",
		Short: "Run the hooks over a range of commits as the daemon would have, and report what it changed in the specs",
		Long: `replay checks out each commit of the range, oldest first, in a temporary
worktree, and runs what its pre-commit and commit hooks would have run there,
with the commit's files as the batch. Then, at the range's head, each spec
document the range changed makes the events the daemon would have made:
spec.changed with its requirement diff against the range's base (merge-base
of A and B) and what cites the changed requirements, and spec.task for tasks
whose status changed; the hooks on them run, through the same engine as the
daemon's. A hook that could not start (an agent CLI that is not installed) is
listed as not run, never as run.

It exits 1 when a blocking hook rejects a commit, naming the commit.

--report md prints, instead, a comment for the pull request: the
requirements added, changed, renamed and removed, what cites each, and the
suspect and dangling links the range made (see docs/specs.md).

replay runs the repository's own hooks, as CI does with its own build: it does
not ask for 'hookd trust'. The hooks are read from the current checkout.`,
		Example: `  hookd replay --range origin/main..HEAD
  hookd replay --range origin/main..HEAD --report md > comment.md
  hookd replay --range HEAD~5..HEAD --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, to, ok := strings.Cut(rng, "..")
			if !ok || from == "" || to == "" || strings.HasPrefix(to, ".") {
				return usageError{fmt.Errorf("--range takes A..B, not %q", rng)}
			}
			if report != "" && report != "md" {
				return usageError{fmt.Errorf("--report takes md, not %q", report)}
			}
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			opts.TrustAll = true // CI runs the repository's hooks as it runs its build
			cfg, probs := hooks.Load(opts)
			if len(probs) > 0 {
				for _, p := range probs {
					hooks.WriteProblem(g.stderr, p)
				}
				return ExitError{exitFailure}
			}
			quiet := asJSON || report != ""
			res, err := replay.Run(cmd.Context(), repo.Root, cfg, from, to, func(c replay.Commit, r queue.Record) {
				if !quiet {
					fmt.Fprintf(g.stderr, "%s %s: %s failed (exit %d)\n%s\n", c.Commit[:7], c.Subject, r.Hook, r.Result.Exit, strings.TrimSpace(r.Result.Output))
				}
			})
			var bad *replay.RangeError
			if errors.As(err, &bad) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				if err := render.JSON(out, res); err != nil {
					return err
				}
			case report == "md":
				replay.Markdown(out, res)
			default:
				replay.Text(out, res)
			}
			if res.Rejected > 0 {
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rng, "range", "", "the commits to replay, as A..B (required)")
	cmd.Flags().StringVar(&report, "report", "", "print a report for a pull request instead: md")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

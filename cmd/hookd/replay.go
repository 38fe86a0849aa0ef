package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/render"
	"github.com/hookd-dev/hookd/replay"
)

func newReplayCmd(g *globals) *cobra.Command {
	var rng, report, full string
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

--report md prints, instead, a comment for the pull request: a summary,
then, folded, the requirements added, changed, renamed and removed and what
cites each, the tasks, the OpenSpec changes archived, the suspect and dangling
links the range made, and the hooks (see docs/specs.md). It is cut to 60,000
characters, with a line saying so; --full FILE writes the whole of it too.

Which hooks run: with --report, none (a report needs none). In CI (CI set in
the environment, as GitHub Actions and most CI services set it), those of the
range's base revision, trusted as CI trusts its own build: never the hooks a
pull request brings with it. On your machine, the work tree's, as you trusted
them (hookd trust): an untrusted file's hooks do not run. A configuration
problem is reported, and the sound hooks run; a blocking hook that could not be
loaded rejects the commits it guards.`,
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
			if full != "" && report == "" {
				return usageError{errors.New("--full writes the whole report: it goes with --report md")}
			}
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			which := replay.TrustedHooks
			switch {
			case report != "":
				which = replay.NoHooks
			case os.Getenv("CI") != "":
				which = replay.BaseHooks
			}
			// The spec roots and the trace policy apply before trust: they
			// run nothing.
			opts.TrustAll = which != replay.TrustedHooks
			cfg, probs := hooks.Load(opts)
			for _, p := range probs {
				hooks.WriteProblem(g.stderr, p)
			}
			quiet := asJSON || report != ""
			res, err := replay.Run(cmd.Context(), repo.Root, cfg, from, to, which, func(c replay.Commit, r queue.Record) {
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
			for _, p := range probs {
				// Named in the report as the daemon names them; the sound
				// hooks ran all the same.
				res.Problems = append(res.Problems, strings.TrimPrefix(p.Error(), repo.Root+string(os.PathSeparator)))
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				if err := render.JSON(out, res); err != nil {
					return err
				}
			case report == "md":
				if full != "" {
					var b strings.Builder
					replay.MarkdownLimit(&b, res, 0)
					if err := os.WriteFile(full, []byte(b.String()), 0o644); err != nil {
						return fmt.Errorf("write the whole report: %w", err)
					}
				}
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
	cmd.Flags().StringVar(&full, "full", "", "with --report md: write the whole report, uncut, to this file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

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
		Args:  cobra.NoArgs,
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

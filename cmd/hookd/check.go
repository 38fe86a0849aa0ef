package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/hooks"
)

func newCheckCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and report every problem",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			cfg, probs := hooks.Load(opts)
			warnings := hooks.Lint(cfg, repo.Root, ignore.Walk(repo.Root, repo.GitDir, cfg.Watch.Ignore).Files)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(hooks.NewCheckResult(cfg, probs, warnings)); err != nil {
					return err
				}
			} else {
				hooks.WriteCheck(out, cfg, probs, warnings)
			}
			if len(probs) > 0 {
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/backend"
)

func newExplainCmd(g *globals) *cobra.Command {
	var files []string
	var asJSON, fullPrompt bool
	cmd := &cobra.Command{
		Use:   "explain KIND [--file F]...",
		Short: "Show which hooks an event would run, and why; run nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := g.backendOptions()
			if err != nil {
				return err
			}
			xs, cfg, err := backend.Explain(cmd.Context(), opts, event.Kind(args[0]), files, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(xs)
			}
			if len(xs) == 0 && len(cfg.Unreadable) == 0 {
				fmt.Fprintln(out, "no hooks are configured")
			}
			for _, x := range xs {
				hooks.WriteExplanation(out, x, cfg.Hook(x.Hook), fullPrompt)
			}
			if len(cfg.Unreadable) > 0 {
				fmt.Fprintf(g.stderr, "hookd: %s could not be read, so its hooks are not explained; 'hookd check' shows where\n", strings.Join(cfg.Unreadable, ", "))
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&fullPrompt, "prompt", false, "print each agent hook's whole prompt, not a summary")
	cmd.Flags().StringArrayVar(&files, "file", nil, "a file of the event (repeatable), relative to the current directory")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the explanations as JSON")
	return cmd
}

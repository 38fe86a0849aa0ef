package main

import (
	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/demo"
)

func newDemoCmd(g *globals) *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See hookd work in a throwaway repository",
		Long: `demo copies the Kiro example repository (examples/kiro: a spec, steering,
AGENTS.md and the three headline flows) to a temporary folder, starts the
daemon on it with a stand-in agent that prints the prompt it was given, and
then saves code, makes a commit, changes a requirement and ticks a task,
narrating which hooks fire and why, the prompts, and the impact report. It
needs no AI agent and no network, touches nothing of yours, and cleans up
after itself.`,
		Example: `  go run ./cmd/hookd demo
  hookd demo --keep     # leave the repository behind to explore`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo.Run(cmd.Context(), cmd.OutOrStdout(), keep)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo repository instead of deleting it")
	return cmd
}

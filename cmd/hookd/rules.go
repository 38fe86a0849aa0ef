package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/rules"
)

func newRulesCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "Print the reference of the rule environment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), rules.Reference())
			return err
		},
	}
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit it was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, commit := version()
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "hookd %s (commit %s)\n", v, commit)
			return err
		},
	}
}

package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/service"
)

func newServiceCmd(g *globals) *cobra.Command {
	var noEnable bool
	cmd := &cobra.Command{
		Use:       "service install|uninstall",
		Short:     "Run hookd for this repository at login, as a user service",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"install", "uninstall"},
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, _, err := g.locate()
			if err != nil {
				return err
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			unit, err := service.Current(repo.Root, exe)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
			switch args[0] {
			case "install":
				return unit.Install(noEnable, say)
			case "uninstall":
				return unit.Uninstall(noEnable, say)
			}
			return usageError{fmt.Errorf("service takes install or uninstall, not %q", args[0])}
		},
	}
	cmd.Flags().BoolVar(&noEnable, "no-enable", false, "only write or remove the unit; do not call systemctl or launchctl")
	return cmd
}

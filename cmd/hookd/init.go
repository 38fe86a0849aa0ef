package main

import (
	"fmt"
	"os/exec"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/hooks/gitshim"
	"github.com/hookd-dev/hookd/hooks/starter"
	"github.com/hookd-dev/hookd/internal/selfexe"
)

func newInitCmd(g *globals) *cobra.Command {
	var force, noShims bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a hookd.toml that fits this repository",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, _, err := g.locate()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			// Refuse before writing anything: a symlink among the targets
			// would be written through.
			if err := starter.CheckTargets(repo.Root, force); err != nil {
				return err
			}
			l := starter.Detect(repo.Root, ignore.Walk(repo.Root, repo.GitDir, nil).Files, exec.LookPath)
			fmt.Fprintf(out, "found: %s\n", l.Describe())
			for _, s := range l.Skipped {
				fmt.Fprintf(out, "no hooks for %s: %s\n", s.Where(), s.Why)
			}
			say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
			if err := l.Write(repo.Root, force, say); err != nil {
				return err
			}
			shims := ""
			switch {
			case repo.GitDir == "" || !l.Blocking():
			case noShims:
				shims = "  hookd git install  # the checks stop a commit only through the git shims\n"
			default:
				if err := gitshim.InstallRepo(cmd.Context(), repo.Root, selfexe.Name(), say); err != nil {
					return fmt.Errorf("the checks stop a commit only through the git shims, which could not be installed (%w); run 'hookd git install' once that is fixed", err)
				}
			}
			fmt.Fprintf(out, "next:\n  hookd check        # validate it\n  hookd trust        # let its hooks run\n%s", shims)
			fmt.Fprintf(out, "  hookd start        # the daemon, in the background\n")
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite hookd.toml and hookd.local.toml if they exist")
	cmd.Flags().BoolVar(&noShims, "no-git-install", false, "do not install the git shims the pre-commit checks need; say so instead")
	return cmd
}

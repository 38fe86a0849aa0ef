package main

import (
	"fmt"
	"os/exec"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/hooks/starter"
)

func newInitCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a hookd.toml that fits this repository",
		Long: `init looks at the repository (Kiro's .kiro/, Spec Kit's specs/ and .specify/,
OpenSpec's openspec/, AGENTS.md), at its projects (go.mod, package.json,
pyproject.toml, Cargo.toml at the root and in directories below it, skipping
what git ignores) and the agent CLIs on your PATH, then writes a commented
hookd.toml with the hooks that fit: each project's own test and check commands
(a package.json's test and lint scripts, pytest and ruff where configured),
run in its directory, for paths that hold its files. It puts the agent it found
in hookd.local.toml (yours, not committed) and adds that file to .gitignore. It
never overwrites a file unless --force.`,
		Example: `  hookd init
  hookd init --force   # write hookd.toml and hookd.local.toml again`,
		Args: cobra.NoArgs,
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
			say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
			if err := l.Write(repo.Root, force, say); err != nil {
				return err
			}
			fmt.Fprintf(out, "next:\n  hookd check        # validate it\n  hookd trust        # let its hooks run\n")
			if repo.GitDir != "" && l.Blocking() {
				fmt.Fprintf(out, "  hookd git install  # for the blocking pre-commit checks\n")
			}
			fmt.Fprintf(out, "  hookd start        # the daemon, in the background\n")
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite hookd.toml and hookd.local.toml if they exist")
	return cmd
}

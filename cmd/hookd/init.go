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
		Long: `init looks at the repository (Kiro's .kiro/, Spec Kit's specs/ and .specify/,
OpenSpec's openspec/, AGENTS.md), at its projects (package.json, pyproject.toml,
go.mod, Cargo.toml, pom.xml, build.gradle, skipping what git ignores) and the
workspaces that group them (package.json workspaces, pnpm-workspace.yaml,
lerna, turbo, nx; go.work; uv; Cargo; Maven modules; Gradle includes), and at
the agent CLIs on your PATH. It writes a commented hookd.toml where every
project has its own hooks, run in its own directory with the commands it
really has (its package.json scripts through its lockfile's package manager,
pytest and ruff where configured, through uv or poetry when it uses them, go
test, cargo test), for the sources its own config covers (a tsconfig.json's
include). A workspace root that only groups its members gets no hook of its
own: its scripts would run theirs again. Whatever gets no hook is printed
with the reason.

The checks run on pre-commit and stop a bad commit, which needs the git
shims: init installs them (--no-git-install leaves that to you). It puts the
agent it found in hookd.local.toml (yours, not committed) and adds that file
to .gitignore. It never overwrites a file unless --force.`,
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

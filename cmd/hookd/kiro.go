package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/hooks"
)

func newKiroCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kiro",
		Short: "Work with a repository's Kiro hooks",
	}
	cmd.AddCommand(newKiroImportCmd(g))
	return cmd
}

func newKiroImportCmd(g *globals) *cobra.Command {
	var write bool
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Print (or append to hookd.toml) the [[hook]] blocks equivalent to .kiro/hooks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			opts.KiroHome = "" // the repository's hooks only
			cfg, _ := hooks.Load(opts)
			kiro := hooks.KiroHooks(cfg)
			if len(kiro) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no hooks in .kiro/hooks")
				return nil
			}
			text, n, err := hooks.KiroTOML(kiro, repo.Root)
			if err != nil {
				return err
			}
			if !write {
				_, err := fmt.Fprint(cmd.OutOrStdout(), text)
				return err
			}
			if err := hooks.AppendToRepoFile(repo.Root, text); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "appended %s to %s; now remove the .kiro/hooks files you imported, then `hookd check` and `hookd trust`\n", plural(n, "hook", "hooks"), hooks.RepoFile)
			return nil
		},
	}
	cmd.Flags().BoolVar(&write, "write", false, "append to hookd.toml instead of printing")
	return cmd
}

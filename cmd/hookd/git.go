package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/hooks/gitshim"
	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/internal/selfexe"
)

func newGitCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "git",
		Short: "Install git hook shims for blocking hooks (pre-commit, pre-push)",
	}
	cmd.AddCommand(&cobra.Command{
		Use: "install", Short: "Install the shims, keeping any hook already there",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return g.gitInstall(cmd.OutOrStdout(), true) },
	}, &cobra.Command{
		Use: "uninstall", Short: "Remove the shims and restore the hooks they kept",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return g.gitInstall(cmd.OutOrStdout(), false) },
	}, &cobra.Command{
		Use: "hook HOOK [ARGS]...", Short: "Run by the shims: the verdict of the blocking hooks", Hidden: true,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return g.gitHook(cmd.Context(), args[0]) },
	})
	return cmd
}

func (g *globals) gitInstall(out io.Writer, install bool) error {
	repo, _, err := g.locate()
	if err != nil {
		return err
	}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	if !install {
		return gitshim.UninstallRepo(context.Background(), repo.Root, say)
	}
	return gitshim.InstallRepo(context.Background(), repo.Root, selfexe.Name(), say)
}

// gitHook is what a shim runs: exit 1 stops git.
func (g *globals) gitHook(ctx context.Context, name string) error {
	opts, err := g.backendOptions()
	if err != nil {
		return err
	}
	ok, err := backend.GitHook(ctx, opts, name, g.stderr)
	switch {
	case err != nil:
		return err
	case !ok:
		return ExitError{exitFailure}
	}
	return nil
}

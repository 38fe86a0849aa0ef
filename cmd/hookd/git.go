package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/gitshim"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/internal/selfexe"
	"github.com/hookd-dev/hookd/ipc"
)

func newGitCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "git",
		Short: "Install git hook shims for blocking hooks (pre-commit, pre-push)",
		Long: `git install puts small shims in the repository's hooks directory (core.hooksPath
is respected) for pre-commit and pre-push, so that hooks with blocking = true
can reject a commit or a push. A hook that was there already is kept and still
runs first; git uninstall puts it back. HOOKD=0 in the environment skips hookd
for one command. Commits, checkouts, merges and rewrites need no shim: hookd
sees them in HEAD's reflog, however they were made.`,
		Example: `  hookd git install
  HOOKD=0 git commit -m "skip hookd this once"
  hookd git uninstall`,
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

func (g *globals) hooksDir() (string, error) {
	repo, _, err := g.locate()
	if err != nil {
		return "", err
	}
	return gitshim.Dir(context.Background(), repo.Root)
}

func (g *globals) gitInstall(out io.Writer, install bool) error {
	dir, err := g.hooksDir()
	if err != nil {
		return err
	}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	if !install {
		return gitshim.Uninstall(dir, say)
	}
	repo, _, _ := g.locate()
	if hp, _ := gitLines(repo.Root, "config", "--get", "core.hooksPath"); len(hp) > 0 {
		say("note: core.hooksPath is %s (set by husky or another tool?); the shims go there, next to its hooks", hp[0])
	}
	return gitshim.Install(dir, selfexe.Name(), say)
}

// gitHook is what a shim runs: the verdict of the blocking hooks for the
// staged files. It asks the daemon; when none runs, it evaluates the same
// hooks itself. Either way a failure rejects the git operation.
func (g *globals) gitHook(ctx context.Context, name string) error {
	kind := event.Kind("git." + name)
	if !event.Known(kind) {
		return usageError{fmt.Errorf("no hookd event for the git hook %q", name)}
	}
	repo, opts, err := g.locate()
	if err != nil {
		return err
	}
	// Most commits have no blocking hook to wait for: find out before
	// asking git for the staged files.
	c := &ipc.Client{Socket: ipc.SocketPath(repo.Root)}
	hs, err := c.Hooks(ctx)
	running := err == nil
	if running && !anyBlocking(hs, kind) {
		return nil
	}
	var cfg *hooks.Config
	if !running {
		var probs hooks.Problems
		cfg, probs = hooks.Load(opts)
		if len(probs) > 0 {
			fmt.Fprintf(g.stderr, "hookd: the hook configuration has problems (run hookd check):\n%v\nhookd: the %s is stopped (fail closed); fix it, or skip hookd once with HOOKD=0\n", probs, name)
			return ExitError{exitFailure}
		}
		if !configBlocks(cfg, kind) {
			return nil
		}
	}
	var files []string
	var staged []event.File
	if kind == event.GitPreCommit {
		if staged, err = gitshim.StagedFiles(ctx, repo.Root); err != nil {
			return err
		}
		for _, f := range staged {
			files = append(files, f.Path)
		}
	}
	var verdict *ipc.Verdict
	if running {
		reply, err := c.EmitWait(ctx, ipc.EmitRequest{Kind: string(kind), Files: files})
		if err != nil {
			fmt.Fprintf(g.stderr, "hookd: %v\nhookd: the %s is stopped (fail closed); skip hookd once with HOOKD=0\n", err, name)
			return ExitError{exitFailure}
		}
		verdict = reply.Verdict
	} else if verdict, err = blockingInProcess(ctx, repo.Root, cfg, kind, staged); err != nil {
		fmt.Fprintf(g.stderr, "hookd: %v\nhookd: the %s is stopped (fail closed); fix it, or skip hookd once with HOOKD=0\n", err, name)
		return ExitError{exitFailure}
	}
	if verdict == nil || verdict.OK {
		return nil
	}
	for _, r := range verdict.Hooks {
		if r.Status == "ok" || r.Status == "skipped" {
			continue
		}
		fmt.Fprintf(g.stderr, "hookd: %s: %s (exit %d)\n", r.Hook, r.Status, r.Exit)
		if out := strings.TrimSpace(r.Output); out != "" {
			fmt.Fprintln(g.stderr, out)
		}
	}
	fmt.Fprintf(g.stderr, "hookd: the %s is stopped by the hooks above; skip hookd once with HOOKD=0\n", name)
	return ExitError{exitFailure}
}

func anyBlocking(hs []ipc.Hook, kind event.Kind) bool {
	for _, h := range hs {
		if h.Blocking && h.Enabled && slices.Contains(h.On, string(kind)) {
			return true
		}
	}
	return false
}

func configBlocks(cfg *hooks.Config, kind event.Kind) bool {
	for _, h := range cfg.Hooks {
		if h.Blocking && h.Enabled && h.Wants(kind) {
			return true
		}
	}
	return false
}

// blockingInProcess evaluates the blocking hooks without a daemon. (A
// config with problems has stopped the operation before: a broken blocking
// hook must not let a commit through.)
func blockingInProcess(ctx context.Context, root string, cfg *hooks.Config, kind event.Kind, files []event.File) (*ipc.Verdict, error) {
	actions := &runner.Actions{Config: func() *hooks.Config { return cfg }}
	sched := queue.New(ctx, queue.Options{Root: root, MaxRuns: 1, Run: actions.Run, Git: gitsrc.StateOf(root)})
	sched.SetHooks(cfg.Hooks)
	verdict := &ipc.Verdict{OK: true}
	for _, r := range sched.RunBlocking(ctx, event.Event{Kind: kind, Time: time.Now(), Files: files}) {
		run := ipc.Run{Hook: r.Hook, Status: string(r.Result.Status), Exit: r.Result.Exit, Output: r.Result.Output}
		if r.Phase == queue.Skipped {
			run.Status = "skipped"
		} else if r.Result.Status != runner.StatusOK {
			verdict.OK = false
		}
		verdict.Hooks = append(verdict.Hooks, run)
	}
	return verdict, nil
}

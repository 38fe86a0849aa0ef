package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/safefile"
)

// The git hooks hookd installs shims for: the blocking ones. Commits,
// checkouts, merges and rewrites need no shim: hookd reads HEAD's reflog.
var shimHooks = []string{"pre-commit", "pre-push"}

const shimMark = "# hookd shim"

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
	out, err := gitcmd.Output(context.Background(), repo.Root, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return "", fmt.Errorf("find the hooks directory (is this a git repository?): %w", err)
	}
	dir := strings.TrimSpace(string(out))
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repo.Root, dir)
	}
	return dir, nil
}

func (g *globals) gitInstall(out io.Writer, install bool) error {
	dir, err := g.hooksDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if install {
		repo, _, _ := g.locate()
		if hp, _ := gitLines(repo.Root, "config", "--get", "core.hooksPath"); len(hp) > 0 {
			fmt.Fprintf(out, "note: core.hooksPath is %s (set by husky or another tool?); the shims go there, next to its hooks\n", hp[0])
		}
	}
	exe, err := os.Executable()
	if err != nil || strings.Contains(exe, "go-build") {
		exe = "hookd" // from `go run`: rely on PATH
	}
	for _, name := range shimHooks {
		path := filepath.Join(dir, name)
		kept := path + ".hookd-chained"
		current, readErr := os.ReadFile(path)
		ours := readErr == nil && bytes.Contains(current, []byte(shimMark))
		if !install {
			if ours {
				if err := os.Remove(path); err != nil {
					return err
				}
				if _, err := os.Stat(kept); err == nil {
					if err := os.Rename(kept, path); err != nil {
						return err
					}
					fmt.Fprintf(out, "%s: restored your hook\n", name)
				} else {
					fmt.Fprintf(out, "%s: removed\n", name)
				}
			}
			continue
		}
		if readErr == nil && !ours {
			if err := os.Rename(path, kept); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s: your hook is kept as %s and still runs first\n", name, filepath.Base(kept))
		}
		shim := fmt.Sprintf(`#!/bin/sh
%s: installed by 'hookd git install'; 'hookd git uninstall' restores what was here.
# HOOKD=0 skips hookd (a hook you had still runs). If hookd cannot run, the
# exec fails and git stops: blocking hooks fail closed, never open.
if [ -x "$0.hookd-chained" ]; then "$0.hookd-chained" "$@" || exit $?; fi
[ "$HOOKD" = "0" ] && exit 0
exec %s git hook %s "$@"
`, shimMark, shellQuote(exe), name)
		if err := safefile.Write(path, []byte(shim), 0o755); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: installed in %s\n", name, dir)
	}
	return nil
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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
		if staged, err = stagedFiles(repo.Root); err != nil {
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

// stagedFiles lists what the commit will record, from the index git hands
// the hook (GIT_INDEX_FILE is honoured by git itself: `commit -a` and
// `commit PATHS` use a temporary index).
func stagedFiles(root string) ([]event.File, error) {
	// Keep GIT_INDEX_FILE: it is the point. (A relative one is relative
	// to the work tree root, where git runs hooks and we run git.)
	c := gitcmd.Cmd{Dir: root}
	if idx := os.Getenv("GIT_INDEX_FILE"); idx != "" {
		c.Env = []string{"GIT_INDEX_FILE=" + idx}
	}
	out, err := c.Output(context.Background(), "diff", "--cached", "--name-status", "-z", "--no-renames")
	if err != nil {
		return nil, fmt.Errorf("list the staged files: %w", err)
	}
	var files []event.File
	parts := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	for i := 0; i+1 < len(parts); i += 2 {
		change := event.Saved
		switch parts[i] {
		case "A":
			change = event.Created
		case "D":
			change = event.Deleted
		}
		files = append(files, event.NewFile(root, parts[i+1], change, 0))
	}
	return files, nil
}

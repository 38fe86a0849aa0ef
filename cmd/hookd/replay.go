package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

func newReplayCmd(g *globals) *cobra.Command {
	var rng string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "replay --range A..B",
		Short: "Run the git hooks over a range of commits, for CI",
		Long: `replay checks out each commit of the range, oldest first, in a temporary
worktree, and runs there what its pre-commit hooks and commit hooks would have
run, with the commit's files as the batch. It prints a summary and exits 1
when a blocking hook rejects a commit, naming the commit.

replay runs the repository's own hooks, as CI does with its own build: it does
not ask for 'hookd trust'. The hooks are read from the current checkout.`,
		Example: `  hookd replay --range origin/main..HEAD
  hookd replay --range HEAD~5..HEAD --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !strings.Contains(rng, "..") {
				return usageError{fmt.Errorf("--range takes A..B, not %q", rng)}
			}
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			opts.TrustAll = true // CI runs the repository's hooks as it runs its build
			cfg, probs := hooks.Load(opts)
			if len(probs) > 0 {
				for _, p := range probs {
					printProblem(g.stderr, p)
				}
				return ExitError{exitFailure}
			}
			commits, err := gitLines(repo.Root, "rev-list", "--reverse", rng)
			if err != nil {
				return usageError{err}
			}
			tree, err := os.MkdirTemp("", "hookd-replay-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tree)
			tree = filepath.Join(tree, "wt")
			if len(commits) > 0 {
				if _, err := gitLines(repo.Root, "worktree", "add", "--quiet", "--detach", tree, commits[0]); err != nil {
					return err
				}
				defer gitLines(repo.Root, "worktree", "remove", "--force", tree)
			}
			type result struct {
				Commit  string   `json:"commit"`
				Subject string   `json:"subject"`
				OK      bool     `json:"ok"`
				Failed  []string `json:"failed"`
				Ran     []string `json:"ran"`
			}
			var results []result
			bad := 0
			out := cmd.OutOrStdout()
			for _, c := range commits {
				if _, err := gitLines(tree, "checkout", "--quiet", "--detach", c); err != nil {
					return err
				}
				subject, _ := gitLines(repo.Root, "log", "-1", "--format=%s", c)
				files, err := commitFiles(tree, c)
				if err != nil {
					return err
				}
				res := result{Commit: c, OK: true, Failed: []string{}, Ran: []string{}}
				if len(subject) > 0 {
					res.Subject = subject[0]
				}
				actions := &runner.Actions{Config: func() *hooks.Config { return cfg }}
				sched := queue.New(cmd.Context(), queue.Options{Root: tree, MaxRuns: 1, Run: actions.Run, Git: gitsrc.StateOf(tree)})
				sched.SetHooks(cfg.Hooks)
				for _, kind := range []event.Kind{event.GitPreCommit, event.GitCommit} {
					ev := event.Event{Kind: kind, Time: time.Now(), Files: files}
					for _, r := range sched.RunNow(cmd.Context(), ev, func(*hooks.Hook) bool { return true }) {
						if r.Phase != queue.Finished {
							continue
						}
						res.Ran = append(res.Ran, r.Hook)
						if r.Result.Status != runner.StatusOK {
							for _, h := range cfg.Hooks {
								if h.Name == r.Hook && h.Blocking {
									res.OK = false
									res.Failed = append(res.Failed, r.Hook)
									if !asJSON {
										fmt.Fprintf(g.stderr, "%s %s: %s failed (exit %d)\n%s\n", c[:7], res.Subject, r.Hook, r.Result.Exit, strings.TrimSpace(r.Result.Output))
									}
								}
							}
						}
					}
				}
				if !res.OK {
					bad++
				}
				results = append(results, res)
				if !asJSON {
					mark := "ok  "
					if !res.OK {
						mark = "FAIL"
					}
					fmt.Fprintf(out, "%s %s %s (%s)\n", mark, c[:7], res.Subject, plural(len(res.Ran), "hook", "hooks"))
				}
			}
			if asJSON {
				if results == nil {
					results = []result{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(results); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(out, "%s, %d rejected by a blocking hook\n", plural(len(commits), "commit", "commits"), bad)
			}
			if bad > 0 {
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rng, "range", "", "the commits to replay, as A..B (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

// gitLines runs git in dir and returns its output lines.
func gitLines(dir string, args ...string) ([]string, error) {
	return gitcmd.Lines(context.Background(), dir, args...)
}

// commitFiles lists the files a commit changed against its first parent.
func commitFiles(dir, commit string) ([]event.File, error) {
	lines, err := gitLines(dir, "diff-tree", "--no-commit-id", "--root", "-r", "--name-status", "--no-renames", commit)
	if err != nil {
		return nil, err
	}
	var files []event.File
	for _, l := range lines {
		status, path, ok := strings.Cut(l, "\t")
		if !ok {
			continue
		}
		change := event.Saved
		switch status {
		case "A":
			change = event.Created
		case "D":
			change = event.Deleted
		}
		files = append(files, event.NewFile(dir, path, change, 0))
	}
	return files, nil
}

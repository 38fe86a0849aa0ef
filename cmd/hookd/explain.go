package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/internal/backend"
)

func newExplainCmd(g *globals) *cobra.Command {
	var files []string
	var asJSON, fullPrompt bool
	cmd := &cobra.Command{
		Use:   "explain KIND [--file F]...",
		Short: "Show which hooks an event would run, and why; run nothing",
		Long: `explain builds the event you describe and walks every hook through the same
filters the daemon applies: the event kind (on), the paths globs, and the if
rule, printing each verdict and the rule's value. Nothing runs.

For an agent hook it sums up the prompt the agent would get: its size, the
steering documents in it and the start of what the hook asks; --prompt prints
all of it, exactly (--json has it too).

KIND is an event kind such as file.saved, git.commit or hook.manual.`,
		Example: `  hookd explain file.saved --file src/app.go
  hookd explain file.saved --file src/app.go --prompt
  hookd explain file.created --file docs/a.md --file docs/b.md --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := event.Kind(args[0])
			if !event.Known(kind) {
				return usageError{fmt.Errorf("unknown event kind %q", kind)}
			}
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			cfg, probs := hooks.Load(opts)
			for _, p := range probs {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s (that hook is left out)\n", p)
			}
			ev := event.Event{Kind: kind, Time: time.Now()}
			for _, f := range files {
				rel, err := backend.RepoRelative(repo.Root, f)
				if err != nil {
					return usageError{err}
				}
				var size int64
				if fi, err := os.Stat(filepath.Join(repo.Root, rel)); err == nil {
					size = fi.Size()
				}
				ev.Files = append(ev.Files, event.NewFile(repo.Root, rel, event.ChangeOf(kind), size))
			}
			xs := hooks.Explain(cfg, repo.Root, ev, gitsrc.StateOf(repo.Root))
			runner.ExplainPrompts(cmd.Context(), repo.Root, cfg, xs, func(hook, msg string) {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s: %s\n", hook, msg)
			})
			out := cmd.OutOrStdout()
			if asJSON {
				if xs == nil {
					xs = []hooks.Explanation{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(xs)
			}
			if len(xs) == 0 {
				fmt.Fprintln(out, "no hooks are configured")
			}
			for _, x := range xs {
				hooks.WriteExplanation(out, x, cfg.Hook(x.Hook), fullPrompt)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&fullPrompt, "prompt", false, "print each agent hook's whole prompt, not a summary")
	cmd.Flags().StringArrayVar(&files, "file", nil, "a file of the event (repeatable), relative to the current directory")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the explanations as JSON")
	return cmd
}

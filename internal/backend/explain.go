package backend

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// Explain walks every hook through the filters an event of kind with the
// files (named as on a command line) would meet, and sums up the prompt
// each agent hook would get, running nothing. It needs no daemon: the
// daemon judges by the same configuration on disk. What cannot be
// explained (a hook that did not load, a prompt that cannot be built) is
// a warning on warn. The configuration is returned for the explanations'
// rendering.
func Explain(ctx context.Context, opts Options, kind event.Kind, files []string, warn io.Writer) ([]hooks.Explanation, *hooks.Config, error) {
	if !event.Known(kind) {
		return nil, nil, ArgError{fmt.Errorf("unknown event kind %q", kind)}
	}
	root := opts.Repo.Root
	cfg, probs := hooks.Load(opts.Config)
	for _, p := range probs {
		fmt.Fprintf(warn, "warning: %s (that hook is left out)\n", p)
	}
	ev := event.Event{Kind: kind, Time: time.Now()}
	for _, f := range files {
		rel, err := RepoRelative(root, f)
		if err != nil {
			return nil, nil, ArgError{err}
		}
		var size int64
		if fi, err := os.Stat(filepath.Join(root, rel)); err == nil {
			size = fi.Size()
		}
		ev.Files = append(ev.Files, event.NewFile(root, rel, event.ChangeOf(kind), size))
	}
	xs := hooks.Explain(cfg, root, ev, gitsrc.StateOf(root))
	runner.ExplainPrompts(ctx, root, cfg, xs, func(hook, msg string) {
		fmt.Fprintf(warn, "warning: %s: %s\n", hook, msg)
	})
	if xs == nil {
		xs = []hooks.Explanation{}
	}
	return xs, cfg, nil
}

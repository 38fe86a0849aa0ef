package daemon

import (
	"context"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/spec"
)

// BuildIndex builds the trace index of the work tree at root in process,
// for when no daemon runs (the CLI, replay). The files are the ones the
// daemon would watch: git's ignore rules applied exactly, or every file
// outside dot-directories when the tree is not in git.
func BuildIndex(ctx context.Context, root string, cfg *hooks.Config) (*spec.Index, error) {
	x, err := spec.NewIndex(cfg.Specs.Roots, cfg.Trace.Patterns)
	if err != nil {
		return nil, err
	}
	repo, err := Locate(root)
	if err != nil {
		return nil, err
	}
	files := ignore.Walk(repo.Root, repo.GitDir, cfg.Watch.Ignore).Files
	return x, x.Build(ctx, root, files)
}

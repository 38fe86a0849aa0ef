package daemon

import (
	"context"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
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

// BuildTrace builds in process the trace report the daemon answers
// GET /v1/trace with: of every spec, of one (name), or of one requirement
// of it (req), under policy. Suspect and stale are judged by git blame
// when root is in git.
func BuildTrace(ctx context.Context, root string, cfg *hooks.Config, policy trace.Policy, name, req string) (*trace.Report, error) {
	x, err := BuildIndex(ctx, root, cfg)
	if err != nil {
		return nil, err
	}
	var ids []string
	if req != "" {
		ids = []string{req}
	}
	if name != "" || req != "" {
		if err := x.Check(name, ids); err != nil {
			return nil, err
		}
	}
	var h *trace.History
	if _, err := gitcmd.Output(ctx, root, "rev-parse", "--git-dir"); err == nil {
		h = trace.NewHistory(root)
	}
	return trace.Build(ctx, x, trace.Options{Root: root, Spec: name, Requirement: req, Policy: policy, History: h}), nil
}

// BuildImpact lists in process what the daemon's impact answers: every
// place citing the requirements, spec by spec. A spec or id the specs do
// not define is an error, with the nearest that exists.
func BuildImpact(ctx context.Context, root string, cfg *hooks.Config, refs []spec.Refs) ([]event.Citation, error) {
	x, err := BuildIndex(ctx, root, cfg)
	if err != nil {
		return nil, err
	}
	var out []event.Citation
	for _, r := range refs {
		if err := x.Check(r.Spec, r.IDs); err != nil {
			return nil, err
		}
		out = append(out, x.Impact(r.Spec, r.IDs)...)
	}
	return out, nil
}

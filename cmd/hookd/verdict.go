package main

import (
	"context"

	"github.com/hookd-dev/hookd/engine"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/ipc"
)

// decide is the verdict of the blocking hooks on the event req describes:
// the daemon's when one runs, else the same engine's in process. It is the
// one way the git shims and the agents' session hooks get an answer. An
// error means there is no verdict: the caller refuses.
func (g *globals) decide(ctx context.Context, req ipc.EmitRequest) (ipc.Verdict, error) {
	b, err := g.backend(ctx)
	if err != nil {
		return ipc.Verdict{}, err
	}
	return b.Decide(ctx, req)
}

// mayBlock says whether an event of kind may be refused here, from the
// configuration on disk: what the daemon and the engine judge by.
func mayBlock(opts hooks.LoadOptions, kind event.Kind) bool {
	cfg, _ := hooks.Load(opts)
	return engine.MayBlock(cfg, kind)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/engine"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/ipc"
)

// decide is the verdict of the blocking hooks on the event req describes:
// the daemon's when one runs, else the same engine's in process. It is the
// one way the git shims and the agents' session hooks get an answer. An
// error means there is no verdict: the caller refuses.
func (g *globals) decide(ctx context.Context, repo daemon.Repo, opts hooks.LoadOptions, req ipc.EmitRequest) (ipc.Verdict, error) {
	c, _, err := g.client()
	if err != nil {
		return ipc.Verdict{}, err
	}
	req.Env = os.Environ()
	reply, err := emitAlive(ctx, c, req)
	switch {
	case err == nil && reply.Verdict != nil:
		return *reply.Verdict, nil
	case err == nil:
		return ipc.Verdict{}, errors.New("the daemon sent no verdict")
	case !errors.Is(err, ipc.ErrNotRunning):
		return ipc.Verdict{}, fmt.Errorf("the daemon did not answer: %w", err)
	}
	kind := event.Kind(req.Kind)
	files, err := engine.Files(repo.Root, req.Files, event.ChangeOf(kind))
	if err != nil {
		return ipc.Verdict{}, err
	}
	eng := engine.New(ctx, engine.Options{Root: repo.Root, Config: opts, Git: gitsrc.StateOf(repo.Root)})
	defer eng.Wait()
	return eng.Decide(ctx, event.Event{Kind: kind, Files: files, Args: req.Args, Depth: req.Depth, Cause: req.Cause, Agent: req.Agent}), nil
}

// mayBlock says whether an event of kind may be refused here, from the
// configuration on disk: what the daemon and the engine judge by.
func mayBlock(opts hooks.LoadOptions, kind event.Kind) bool {
	cfg, _ := hooks.Load(opts)
	return engine.MayBlock(cfg, kind)
}

// emitAlive is c.EmitWait, given up when the daemon stops answering at
// all (stopped with SIGSTOP, wedged): a verdict may take as long as its
// hooks run, but a daemon that does not answer its status within seconds
// is not running them.
func emitAlive(ctx context.Context, c *ipc.Client, req ipc.EmitRequest) (ipc.EmitReply, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
			pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := c.Status(pctx)
			pcancel()
			if err != nil && ctx.Err() == nil {
				cancel(fmt.Errorf("the daemon stopped answering (%v): is it stopped or wedged? hookd restart", err))
				return
			}
		}
	}()
	reply, err := c.EmitWait(ctx, req)
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		return reply, cause
	}
	return reply, err
}

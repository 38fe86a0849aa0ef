package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Daemon answers over the socket, from the running daemon's live state:
// its index and blames are current, and its journal is the one being
// written.
type Daemon struct{ base }

// Running is true: a daemon answered when this backend was chosen.
func (d *Daemon) Running() bool { return true }

func (d *Daemon) c() *ipc.Client { return d.opts.Client }

// Status reflects every change made so far, such as the hookd.toml just
// saved: the daemon first takes in what its watches have seen. A daemon
// that cannot sync still answers.
func (d *Daemon) Status(ctx context.Context) (ipc.Status, error) {
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	_ = d.c().Sync(sctx)
	cancel()
	return d.c().Status(ctx)
}

func (d *Daemon) Hooks(ctx context.Context) ([]ipc.Hook, []ipc.Held, error) {
	st, err := d.c().Status(ctx)
	return st.Hooks, st.Held, err
}

func (d *Daemon) Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error) {
	return d.c().Runs(ctx, hook, limit)
}

func (d *Daemon) Run(ctx context.Context, id string) (ipc.Run, error) { return d.c().Run(ctx, id) }

func (d *Daemon) Impact(ctx context.Context, refs []spec.Refs) ([]event.Citation, error) {
	out := []event.Citation{}
	for _, r := range refs {
		cites, err := d.c().Impact(ctx, r.Spec, r.IDs)
		if err != nil {
			return nil, err
		}
		out = append(out, cites...)
	}
	return out, nil
}

func (d *Daemon) Trace(ctx context.Context, name, req string) (*trace.Report, error) {
	return d.c().Trace(ctx, name, req)
}

func (d *Daemon) TraceJSON(ctx context.Context, name, req string) (json.RawMessage, error) {
	return d.c().TraceJSON(ctx, name, req)
}

func (d *Daemon) SpecDiff(ctx context.Context, files []string, rev string, seen bool) ([]ipc.SpecDiff, error) {
	if !seen {
		// Against a revision the daemon knows nothing the files do not.
		return d.diffSince(ctx, files, rev)
	}
	rels, err := d.specFiles(d.config(), files)
	if err != nil {
		return nil, err
	}
	out := []ipc.SpecDiff{}
	for _, rel := range rels {
		sd, err := d.c().SpecDiff(ctx, rel)
		if err != nil {
			return nil, err
		}
		if len(sd.Spec.Changed)+len(sd.Spec.Tasks) > 0 {
			out = append(out, sd)
		}
	}
	return out, nil
}

func (d *Daemon) SpecAccept(ctx context.Context, file string) error {
	return d.c().SpecAccept(ctx, file)
}

func (d *Daemon) ForgetSession(ctx context.Context, hook string) (string, error) {
	return d.c().ForgetSession(ctx, hook)
}

func (d *Daemon) ResumeHook(ctx context.Context, hook string) (string, error) {
	return d.c().ResumeHook(ctx, hook)
}

func (d *Daemon) Emit(ctx context.Context, req ipc.EmitRequest) (ipc.EmitReply, error) {
	return d.c().Emit(ctx, req)
}

func (d *Daemon) Logs(ctx context.Context, follow bool, w io.Writer) error {
	return d.c().Logs(ctx, follow, func(line []byte) {
		w.Write(line)
		w.Write([]byte("\n"))
	})
}

// Decide waits for the daemon's verdict, and gives up when the daemon
// stops answering at all (stopped with SIGSTOP, wedged): a verdict may
// take as long as its hooks run, but a daemon that does not answer its
// status within seconds is not running them.
func (d *Daemon) Decide(ctx context.Context, req ipc.EmitRequest) (ipc.Verdict, error) {
	reply, err := emitAlive(ctx, d.c(), req)
	switch {
	case err == nil && reply.Verdict != nil:
		return *reply.Verdict, nil
	case err == nil:
		return ipc.Verdict{}, errors.New("the daemon sent no verdict")
	}
	return ipc.Verdict{}, fmt.Errorf("the daemon did not answer: %w", err)
}

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

package backend

import (
	"context"
	"encoding/json"
	"io"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/ipc/mcpserver"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// The MCP server is served by a Backend: no adapter of its own.
var _ mcpserver.Backend = Backend(nil)

// Each chooses again for every question: what a long-lived server (hookd
// mcp) needs, since the daemon may start (a trigger starts it) or stop
// between two questions of one session. A command answers one question and
// calls Choose once instead.
type Each struct{ Opts Options }

func ask[T any](ctx context.Context, e Each, f func(Backend) (T, error)) (T, error) {
	b, err := Choose(ctx, e.Opts)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(b)
}

func (e Each) Running() bool {
	b, err := Choose(context.Background(), e.Opts)
	return err == nil && b.Running()
}

func (e Each) Status(ctx context.Context) (ipc.Status, error) {
	return ask(ctx, e, func(b Backend) (ipc.Status, error) { return b.Status(ctx) })
}

func (e Each) Hooks(ctx context.Context) ([]ipc.Hook, []ipc.Held, error) {
	var held []ipc.Held
	hs, err := ask(ctx, e, func(b Backend) ([]ipc.Hook, error) {
		hs, h, err := b.Hooks(ctx)
		held = h
		return hs, err
	})
	return hs, held, err
}

func (e Each) Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error) {
	return ask(ctx, e, func(b Backend) ([]ipc.Run, error) { return b.Runs(ctx, hook, limit) })
}

func (e Each) Run(ctx context.Context, id string) (ipc.Run, error) {
	return ask(ctx, e, func(b Backend) (ipc.Run, error) { return b.Run(ctx, id) })
}

func (e Each) Impact(ctx context.Context, refs []spec.Refs) ([]event.Citation, error) {
	return ask(ctx, e, func(b Backend) ([]event.Citation, error) { return b.Impact(ctx, refs) })
}

func (e Each) Trace(ctx context.Context, name, req string) (*trace.Report, error) {
	return ask(ctx, e, func(b Backend) (*trace.Report, error) { return b.Trace(ctx, name, req) })
}

func (e Each) TraceJSON(ctx context.Context, name, req string) (json.RawMessage, error) {
	return ask(ctx, e, func(b Backend) (json.RawMessage, error) { return b.TraceJSON(ctx, name, req) })
}

// Specs and Spec read the files, which need no daemon to ask.
func (e Each) Specs(ctx context.Context) ([]spec.Spec, error) { return base{e.Opts}.Specs(ctx) }

func (e Each) Spec(ctx context.Context, file string) (*spec.Doc, error) {
	return base{e.Opts}.Spec(ctx, file)
}

func (e Each) SpecDiff(ctx context.Context, files []string, rev string, seen bool) ([]ipc.SpecDiff, error) {
	return ask(ctx, e, func(b Backend) ([]ipc.SpecDiff, error) { return b.SpecDiff(ctx, files, rev, seen) })
}

func (e Each) SpecAccept(ctx context.Context, file string) error {
	_, err := ask(ctx, e, func(b Backend) (struct{}, error) { return struct{}{}, b.SpecAccept(ctx, file) })
	return err
}

func (e Each) ForgetSession(ctx context.Context, hook string) (string, error) {
	return ask(ctx, e, func(b Backend) (string, error) { return b.ForgetSession(ctx, hook) })
}

func (e Each) ResumeHook(ctx context.Context, hook string) (string, error) {
	return ask(ctx, e, func(b Backend) (string, error) { return b.ResumeHook(ctx, hook) })
}

func (e Each) Decide(ctx context.Context, req ipc.EmitRequest) (ipc.Verdict, error) {
	return ask(ctx, e, func(b Backend) (ipc.Verdict, error) { return b.Decide(ctx, req) })
}

func (e Each) Emit(ctx context.Context, req ipc.EmitRequest) (ipc.EmitReply, error) {
	return ask(ctx, e, func(b Backend) (ipc.EmitReply, error) { return b.Emit(ctx, req) })
}

// Trigger needs no choice: it asks the daemon and starts one when none
// runs, the same on both sides.
func (e Each) Trigger(ctx context.Context, hook string, files []string, args map[string]any) (string, error) {
	return base{e.Opts}.Trigger(ctx, hook, files, args)
}

func (e Each) Logs(ctx context.Context, follow bool, w io.Writer) error {
	_, err := ask(ctx, e, func(b Backend) (struct{}, error) { return struct{}{}, b.Logs(ctx, follow, w) })
	return err
}

package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/engine"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/trace"
)

// The daemon's side of the socket API (package ipc).

// Status reports the daemon's state.
func (d *Daemon) Status(ctx context.Context) ipc.Status {
	cfg, probs := d.Config()
	st := ipc.Status{
		PID: os.Getpid(), Version: d.opts.Version, Repo: d.opts.Repo.Root, StateDir: d.opts.Repo.StateDir,
		Started: d.started, Hooks: d.Hooks(ctx), Held: HeldList(cfg), Problems: toProblems(probs), Queue: d.sched.Pending(),
	}
	if d.opts.Listener != nil {
		st.Socket = d.opts.Listener.Path
	}
	st.LastGood = d.eng.EverApplied() && d.eng.Latest() != cfg
	ws := d.watcher.Stats()
	st.Watches, st.Uncovered, st.Overflows = ws.Watches, ws.Uncovered, ws.Overflows
	st.Baselining = d.settler.Baselining()
	st.Agents = d.agents.days(cfg)
	return st
}

// Hooks lists every hook, enabled or why not, with its run counters.
func (d *Daemon) Hooks(context.Context) []ipc.Hook {
	cfg, probs := d.Config()
	out := HookList(cfg, probs, d.opts.Repo.Root, d.sched.Info)
	for i := range out {
		if out[i].Name != "" {
			out[i].Paused, out[i].Trouble = d.sched.Paused(out[i].Name), d.sched.Trouble(out[i].Name)
		}
	}
	return out
}

// ResumeHook lets a hook its circuit breaker paused run again (hookd
// resume), and returns why it was paused.
func (d *Daemon) ResumeHook(_ context.Context, name string) (string, error) {
	was, err := d.sched.ResumeHook(d.hookName(name))
	if errors.Is(err, queue.ErrUnknownHook) {
		return "", ipc.NotFound(fmt.Sprintf("no hook named %q", name))
	}
	return was, err
}

// HookList lists the hooks of cfg for `hookd hooks`, each with the file it
// comes from, whether it runs or why not, and its runs as info tells them
// (nil for none). A Kiro hook file that yields no hook is listed with its
// error, so that every file shows as hooks or as an error.
func HookList(cfg *hooks.Config, probs hooks.Problems, root string, info func(string) rules.HookInfo) []ipc.Hook {
	rel := func(p string) string {
		if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
		return p
	}
	out := []ipc.Hook{}
	for _, h := range cfg.Hooks {
		x := ipc.Hook{
			Name: h.Name, Title: h.Title, Source: rel(h.Pos.File) + fmt.Sprintf(":%d", h.Pos.Line), Origin: string(h.Origin),
			On: h.On, Paths: h.Paths, Action: h.Action(), Blocking: h.Blocking, Enabled: h.Enabled && h.Disabled == "", Reason: h.Disabled,
		}
		if !h.Enabled && x.Reason == "" {
			x.Reason = "enabled = false"
		}
		switch x.Action {
		case "run":
			x.Detail = h.Run.String()
		case "agent":
			x.Detail = h.Agent
			if err := runner.Installed(cfg.AgentOf(h.Agent)); err != nil {
				x.Missing = err.Error()
			}
		case "builtin":
			x.Detail = h.Builtin
		}
		if info != nil {
			i := info(h.Name)
			x.Runs, x.LastStatus, x.LastRun = i.Runs, i.LastStatus, i.LastRun
		}
		out = append(out, x)
	}
	for _, p := range probs {
		if strings.Contains(filepath.ToSlash(p.Pos.File), "/.kiro/hooks/") {
			out = append(out, ipc.Hook{Source: rel(p.Pos.File) + fmt.Sprintf(":%d", p.Pos.Line), Origin: string(hooks.OriginKiro), On: []string{}, Error: p.Message})
		}
	}
	return out
}

// HeldList says what of the committed files that are not trusted is held
// back, for status and `hookd hooks`.
func HeldList(cfg *hooks.Config) []ipc.Held {
	out := []ipc.Held{}
	for _, h := range cfg.Held {
		out = append(out, ipc.Held{File: h.File, Why: h.Why, Tables: h.Tables})
	}
	return out
}

// Emit accepts an event from outside (hookd emit, the git shims). With
// wait, the event's blocking hooks run at once and their verdict is the
// reply; the event then goes to the other hooks as usual.
func (d *Daemon) Emit(ctx context.Context, req ipc.EmitRequest, wait bool) (ipc.EmitReply, error) {
	kind := event.Kind(req.Kind)
	if !event.Known(kind) {
		return ipc.EmitReply{}, ipc.BadRequest(fmt.Sprintf("unknown event kind %q", req.Kind))
	}
	files, err := d.files(req.Files, event.ChangeOf(kind))
	if err != nil {
		return ipc.EmitReply{}, err
	}
	ev := event.Event{Kind: kind, Time: time.Now(), Files: files, Args: req.Args, Depth: req.Depth, Cause: req.Cause, Chain: d.chainOf(req.Cause), Agent: req.Agent}
	// An agent session's tool writing a spec document: its
	// requirement-level change comes with agent.tool.after, so that a hook
	// can hand the agent its impact at once.
	switch kind {
	case event.AgentToolBefore:
		for _, f := range files {
			d.specs.holdBefore(f.Path)
		}
	case event.AgentToolAfter:
		for _, f := range files {
			if s, ok := d.specs.afterTool(ctx, f.Path); ok {
				ev.Spec = s
				break
			}
		}
	}
	var verdict *ipc.Verdict
	if wait {
		v := d.eng.Decide(runner.WithCaller(ctx, req.Env), ev)
		verdict = &v
	}
	reply := make(chan uint64, 1)
	if !d.post(emitted{ev: ev, reply: reply}) {
		return ipc.EmitReply{}, errLoopStopped
	}
	select {
	case id := <-reply:
		return ipc.EmitReply{ID: id, Verdict: verdict}, nil
	case <-d.l.done:
		select {
		case id := <-reply:
			return ipc.EmitReply{ID: id, Verdict: verdict}, nil
		default:
			return ipc.EmitReply{}, errLoopStopped
		}
	}
}

// Trigger runs a hook now (hookd trigger).
func (d *Daemon) Trigger(ctx context.Context, name string, req ipc.TriggerRequest) (ipc.TriggerReply, error) {
	files, err := d.files(req.Files, event.Saved)
	if err != nil {
		return ipc.TriggerReply{}, err
	}
	ev := event.Event{Kind: event.HookManual, Time: time.Now(), ID: d.ids.next(), Files: files, Args: req.Args, Depth: req.Depth, Cause: req.Cause, Chain: d.chainOf(req.Cause)}
	id, err := d.sched.Trigger(d.hookName(name), ev)
	switch {
	case errors.Is(err, queue.ErrUnknownHook):
		return ipc.TriggerReply{}, ipc.NotFound(fmt.Sprintf("no hook named %q", name))
	case err != nil:
		return ipc.TriggerReply{}, &ipc.Error{Code: 409, Message: err.Error()}
	}
	// The reply promises the run: it is on disk first, so a crash now
	// still makes it.
	if err := d.journal.Flush(ctx); err != nil {
		return ipc.TriggerReply{}, err
	}
	return ipc.TriggerReply{Run: id}, nil
}

// chainOf is the chain an event sent by run cause's process continues
// (hookd emit, trigger, MCP): nil for none, or a run hookd does not follow.
func (d *Daemon) chainOf(cause string) []string {
	if cause == "" {
		return nil
	}
	return d.agents.chainOf(cause)
}

// hookName resolves a name given to `hookd trigger`: a hook's name, or a
// Kiro hook's own name ("Run Tests on Save").
func (d *Daemon) hookName(name string) string {
	cfg, _ := d.Config()
	for _, h := range cfg.Hooks {
		if h.Name == name {
			return name
		}
	}
	for _, h := range cfg.Hooks {
		if h.Title != "" && strings.EqualFold(h.Title, name) {
			return h.Name
		}
	}
	return name
}

// files turns repository-relative paths from a client into event files.
func (d *Daemon) files(paths []string, change event.Change) ([]event.File, error) {
	return engine.Files(d.opts.Repo.Root, paths, change)
}

// Runs lists recent runs, newest first.
func (d *Daemon) Runs(ctx context.Context, hook string, limit int) []ipc.Run {
	runs, err := d.journal.Runs(ctx, hook, limit)
	if err != nil {
		d.log.Error("read the journal", tint.Err(err))
		return []ipc.Run{}
	}
	return runs
}

// api serves the socket API; it exists because the API's Run (one run)
// and the daemon's Run (its lifecycle) share a name.
// API is the daemon's socket API, for serving elsewhere and for tests.
func (d *Daemon) API() ipc.API { return api{d} }

type api struct{ *Daemon }

// Run returns one run whole.
func (a api) Run(ctx context.Context, id string) (ipc.Run, error) {
	r, ok, err := a.journal.Get(ctx, id)
	switch {
	case err != nil:
		return ipc.Run{}, err
	case !ok:
		return ipc.Run{}, ipc.NotFound(fmt.Sprintf("no run %q in the history", id))
	}
	return r.Run, nil
}

// Logs sends the recent log lines, then new ones when following.
func (d *Daemon) Logs(ctx context.Context, follow bool, send func([]byte) error) error {
	return d.logs.stream(ctx, follow, send)
}

func countPaused(cfg *hooks.Config) int {
	n := 0
	for _, h := range cfg.Hooks {
		if h.Disabled != "" {
			n++
		}
	}
	return n
}

// Shutdown stops the daemon as SIGTERM would.
func (d *Daemon) Shutdown() {
	if d.stop != nil {
		d.stop()
	}
}

func toProblems(ps hooks.Problems) []ipc.Problem {
	out := []ipc.Problem{}
	for _, p := range ps {
		out = append(out, ipc.Problem{File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col, Message: p.Message})
	}
	return out
}

// logHub keeps the recent log lines and hands new ones to followers.
type logHub struct {
	mu      sync.Mutex
	recent  [][]byte
	max     int
	waiters []chan []byte
}

func newLogHub(max int) *logHub { return &logHub{max: max} }

// Write takes one JSON log line from slog's JSON handler.
func (l *logHub) Write(p []byte) (int, error) {
	line := slices.Clone(p)
	l.mu.Lock()
	l.recent = append(l.recent, line)
	if len(l.recent) > l.max {
		l.recent = l.recent[len(l.recent)-l.max:]
	}
	for _, w := range l.waiters {
		select {
		case w <- line:
		default: // a follower too slow to read loses lines rather than stall the daemon
		}
	}
	l.mu.Unlock()
	return len(p), nil
}

func (l *logHub) stream(ctx context.Context, follow bool, send func([]byte) error) error {
	ch := make(chan []byte, 256)
	l.mu.Lock()
	recent := slices.Clone(l.recent)
	if follow {
		l.waiters = append(l.waiters, ch)
	}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.waiters = slices.DeleteFunc(l.waiters, func(c chan []byte) bool { return c == ch })
		l.mu.Unlock()
	}()
	for _, line := range recent {
		if err := send(line); err != nil {
			return err
		}
	}
	if !follow {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case line := <-ch:
			if err := send(line); err != nil {
				return err
			}
		}
	}
}

// indexReady returns once the daemon is ready and its trace index built.
func (a api) indexReady(ctx context.Context) error {
	select {
	case <-a.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-a.specs.built:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a api) Impact(ctx context.Context, name string, ids []string) ([]event.Citation, error) {
	if err := a.indexReady(ctx); err != nil {
		return nil, err
	}
	if err := a.specs.index.Check(name, ids); err != nil {
		return nil, ipc.NotFound(err.Error())
	}
	return a.specs.index.Impact(name, ids), nil
}

func (a api) Trace(ctx context.Context, name, req string) (*trace.Report, error) {
	if err := a.indexReady(ctx); err != nil {
		return nil, err
	}
	var ids []string
	if req != "" {
		ids = []string{req}
	}
	if name != "" || req != "" {
		if err := a.specs.index.Check(name, ids); err != nil {
			return nil, ipc.NotFound(err.Error())
		}
	}
	return a.specs.trace(ctx, hooks.TracePolicy(a.opts.Config), a.opts.Repo.GitDir != "", name, req), nil
}

func (a api) SpecDiff(ctx context.Context, file string) (ipc.SpecDiff, error) {
	s, against, err := a.specs.diff(ctx, filepath.ToSlash(filepath.Clean(file)))
	if err != nil {
		return ipc.SpecDiff{}, ipc.BadRequest(err.Error())
	}
	return ipc.SpecDiff{Against: against, Spec: *s}, nil
}

func (a api) SpecAccept(ctx context.Context, file string) error {
	if err := a.specs.accept(ctx, filepath.ToSlash(filepath.Clean(file))); err != nil {
		return ipc.BadRequest(err.Error())
	}
	return nil
}

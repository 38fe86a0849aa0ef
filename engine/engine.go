// Package engine is hookd's decision machinery for one work tree: the
// configuration in force and its trust, the scheduler with its runners,
// and the verdict of blocking hooks. The daemon is this engine plus its
// sources (the watcher, the reflog, the spec tracker) and the socket;
// every path without a daemon (the git shims, an agent's session hook,
// replay) builds the same engine in process, so the answer is the same
// with and without one.
package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
)

// Options configure an Engine.
type Options struct {
	Root   string
	Config hooks.LoadOptions
	Log    *slog.Logger
	// Git is the repository state for rule environments; nil outside git.
	Git hooks.GitState
	// Around, Observe and Line are the daemon's: it follows each run's
	// writes, journals each phase and logs each output line. nil runs
	// plainly, as a one-off path does.
	Around  func(ctx context.Context, job runner.Job, run func(context.Context, runner.Job) runner.Result) runner.Result
	Observe func(queue.Record)
	Line    func(hook, runID, stream, line string)
	// Loaded, when set, is the configuration to run, already loaded (a
	// replay of a range, whose files are the range's): Config is then
	// not read, and the engine never reloads.
	Loaded *hooks.Config
}

// Engine decides and runs hooks for one work tree.
type Engine struct {
	opts  Options
	sched *queue.Scheduler
	// reloading serialises Reload from end to end: the daemon's reloader
	// and a verdict that finds the files changed may both reload, and a
	// slower load swapped in after a newer one would leave it in force.
	reloading sync.Mutex

	mu sync.Mutex
	// mu guards the fields that follow.
	inForce  *hooks.Config  // what runs in the background
	latest   *hooks.Config  // the last load, applied or not: what verdicts judge by
	problems hooks.Problems // of the last load
	applied  bool           // a load without problems was ever in force
	loaded   stamp          // what the last load read
}

// New loads the configuration and makes the scheduler, whose runs stop
// when ctx is done. Problems are not fatal: the sound hooks run, and a
// blocking hook that could not be loaded refuses what it may guard.
func New(ctx context.Context, opts Options) *Engine {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	var loaded stamp
	cfg, probs := opts.Loaded, hooks.Problems(nil)
	if cfg == nil {
		loaded = stampOf(opts.Config)
		cfg, probs = hooks.Load(opts.Config)
	}
	e := &Engine{opts: opts, inForce: cfg, latest: cfg, problems: probs, applied: len(probs) == 0, loaded: loaded}
	e.sched = queue.New(ctx, queue.Options{
		Root:     opts.Root,
		MaxRuns:  cfg.Defaults.MaxRuns,
		MaxDepth: cfg.Defaults.MaxDepth,
		Run: (&runner.Actions{
			Config: func() *hooks.Config { cfg, _ := e.Config(); return cfg },
			Log:    opts.Log,
			Around: opts.Around,
		}).Run,
		Git:     opts.Git,
		Observe: opts.Observe,
		Line:    opts.Line,
		Log:     opts.Log.With("component", "queue"),
	})
	e.sched.SetHooks(cfg.Hooks)
	return e
}

// Config returns the configuration in force and the problems of the last
// load.
func (e *Engine) Config() (*hooks.Config, hooks.Problems) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inForce, e.problems
}

// Latest returns the configuration as last loaded, applied or not: the
// one verdicts judge by, as a path without a daemon would load it.
func (e *Engine) Latest() *hooks.Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.latest
}

// EverApplied says whether a configuration without problems was ever in
// force (so that "the last good config keeps running" is true).
func (e *Engine) EverApplied() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.applied
}

// Reload reads the configuration again. One without problems replaces
// what is in force; a broken one does not (the last good one keeps running
// in the background), but verdicts judge by it at once, as a path
// without a daemon would: a guard broken by the edit refuses.
func (e *Engine) Reload() (applied bool, cfg *hooks.Config, probs hooks.Problems) {
	e.reloading.Lock()
	defer e.reloading.Unlock()
	loaded := stampOf(e.opts.Config)
	cfg, probs = hooks.Load(e.opts.Config)
	e.mu.Lock()
	e.latest, e.problems, e.loaded = cfg, probs, loaded
	if len(probs) > 0 {
		e.mu.Unlock()
		return false, cfg, probs
	}
	e.inForce, e.applied = cfg, true
	e.mu.Unlock()
	e.sched.SetHooks(cfg.Hooks)
	return true, cfg, nil
}

// Scheduler is the engine's scheduler, for the daemon's sources to offer
// events to.
func (e *Engine) Scheduler() *queue.Scheduler { return e.sched }

// Decide runs at once the blocking hooks ev concerns and returns their
// verdict (see Verdict). It is how every path answers a git shim or an
// agent.
func (e *Engine) Decide(ctx context.Context, ev event.Event) ipc.Verdict {
	e.mu.Lock()
	stale := e.opts.Loaded == nil && !e.loaded.equal(stampOf(e.opts.Config))
	e.mu.Unlock()
	if stale {
		// A config file changed and its reload has not come yet (or the
		// watch cannot see it): judge by what is on disk now.
		applied, _, probs := e.Reload()
		e.opts.Log.Info("config changed; reloaded before deciding", "applied", applied, "problems", len(probs))
	}
	cfg := e.Latest()
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	return Verdict(cfg, ev, e.sched.RunBlocking(ctx, ev, cfg.Hooks))
}

// Wait returns once every run the engine started has ended.
func (e *Engine) Wait() { e.sched.Wait() }

// RunRow turns a scheduler record into the run's latest state, as the
// journal keeps it and the API shows it.
func RunRow(r queue.Record) journal.RunRow {
	row := journal.RunRow{Run: ipc.Run{ID: r.RunID, Hook: r.Hook, Event: string(r.Event.Kind), Exit: -1, Files: []string{}}}
	for _, f := range r.Event.Files {
		row.Files = append(row.Files, f.Path)
	}
	switch r.Phase {
	case queue.Queued:
		row.Status = "queued"
		ev := r.Event
		row.Batch = &ev
	case queue.Started:
		row.Status, row.Start, row.PID = "running", time.Now(), r.PID
	case queue.Finished:
		res := r.Result
		row.Status, row.Exit, row.Start, row.Duration, row.Output = string(res.Status), res.Exit, res.Start, res.Duration, res.Output
		row.Prompt, row.FilesWritten = res.Prompt, res.FilesWritten
		if res.Agent != nil {
			row.Agent = &ipc.AgentRun{Name: res.AgentName, AgentReport: *res.Agent, FilesGuessed: res.FilesGuessed, Resumed: res.Resumed}
		}
		if res.Err != nil {
			row.Error = res.Err.Error()
		}
	case queue.Skipped:
		row.Status, row.Reason = "skipped", r.Reason
	}
	return row
}

// Package daemon runs hookd for one work tree: it wires the sources, the
// settler, the scheduler and the runners together, and owns their
// lifecycle. Data flows one way:
//
//	sources (watch, reflog, spec tracker, socket) ─► inbox ─► loop: settle, fold, deliver (writers, ids) ─► engine: queue (batches, modes) ─► runner
//
// One goroutine, the loop (loop.go), takes every source's messages in turn
// and owns what they change; nothing downstream calls upstream. A run's
// own writes come back through the watcher like any other change, and its
// end is a message to the loop.
//
// The context passed to [Daemon.Run] is how everything stops: when it is
// done, running hooks get SIGTERM and a grace period, and Run returns once
// they have ended.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/daemon/settle"
	"github.com/hookd-dev/hookd/daemon/watch"
	"github.com/hookd-dev/hookd/engine"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
)

// Options configure a Daemon.
type Options struct {
	Repo   Repo
	Config hooks.LoadOptions
	Log    *slog.Logger
	// Listener, when set, is the socket the API is served on; the daemon
	// closes it (and releases its lock) when it stops.
	Listener *ipc.Listener
	// Version is the daemon's version, sent on every API reply.
	Version string
	// Observe, when set, is told of every run's phases besides the log.
	Observe func(queue.Record)
	// OnEvent, when set, is told of every accepted event, in order, before
	// the hooks see it (tests and benchmarks check what was delivered).
	OnEvent func(event.Event)
	// NewFSWatcher overrides fsnotify.NewWatcher (tests).
	NewFSWatcher func() (*fsnotify.Watcher, error)
}

// Daemon is hookd running for one work tree.
type Daemon struct {
	opts    Options
	log     *slog.Logger
	ready   chan struct{}
	started time.Time
	stop    context.CancelFunc
	journal *journal.Journal
	logs    *logHub

	reloads *reloader

	ids *eventIDs
	// l is what the loop owns.
	l loopState

	// Set by Run before ready is closed, and only read after.
	gitState func(dirty bool) event.Git // nil outside git
	specs    *specTracker
	agents   *agents
	watcher  *watch.Watcher
	settler  *settle.Settler
	sched    *queue.Scheduler
	vcs      *vcsSettler // nil outside git

	// eng is the decision machinery: config, scheduler, runners, verdict.
	eng      *engine.Engine
	stopRuns context.CancelFunc
}

// New loads the configuration and prepares the daemon. Configuration
// problems are not fatal: they are logged and the sound hooks run.
func New(opts Options) *Daemon {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	logs := newLogHub(500)
	// Every log line also goes to `hookd logs`, as JSON.
	log := slog.New(slog.NewMultiHandler(opts.Log.Handler(), slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	d := &Daemon{opts: opts, log: log, ready: make(chan struct{}), logs: logs, l: newLoopState()}
	d.reloads = newReloader(d.reload)
	// Runs outlive the daemon's context by their grace period: Run stops
	// them itself, once the sources have stopped.
	runCtx, stopRuns := context.WithCancel(context.Background())
	d.stopRuns = stopRuns
	d.eng = engine.New(runCtx, engine.Options{
		Root:   opts.Repo.Root,
		Config: opts.Config,
		Log:    log,
		Git: func(dirty bool) event.Git {
			if d.gitState == nil {
				return event.Git{}
			}
			return d.gitState(dirty)
		},
		Around:  d.follow,
		Observe: d.observe,
		Line: func(hook, runID, stream, line string) {
			d.log.Info("│ "+line, "hook", hook, "stream", stream)
		},
	})
	d.sched = d.eng.Scheduler()
	return d
}

// Config returns the configuration in force and its problems.
func (d *Daemon) Config() (*hooks.Config, hooks.Problems) { return d.eng.Config() }

// Ready is closed once every directory is watched and events flow.
func (d *Daemon) Ready() <-chan struct{} { return d.ready }

// Run watches and runs hooks until ctx is done, or Shutdown is called.
func (d *Daemon) Run(ctx context.Context) error {
	d.started = time.Now()
	ctx, d.stop = context.WithCancel(ctx)
	defer d.stop()
	if d.opts.Listener != nil {
		defer d.opts.Listener.Close()
	}
	d.journal = d.openJournal()
	defer d.journal.Close()
	d.ids = newEventIDs(ctx, d.journal)
	defer d.stopRuns()
	cfg := d.prepare(ctx)
	git := d.openGit(ctx)
	settler := settle.New(d.opts.Repo.Root, cfg.Watch.Settle, d.settled, d.log.With("component", "settle"))
	d.settler = settler
	d.restoreIndex(ctx, settler)
	w, err := watch.New(watch.Options{
		Root:         d.opts.Repo.Root,
		GitDir:       d.opts.Repo.GitDir,
		CookieDir:    filepath.Join(d.opts.Repo.StateDir, "cookies"),
		Ignore:       append(cfg.Watch.Ignore, stateIgnore(d.opts.Repo)...),
		Settler:      settler,
		Log:          d.log.With("component", "watch"),
		NewFSWatcher: d.opts.NewFSWatcher,
	})
	if err != nil {
		return err
	}
	d.watcher = w
	if err := w.Start(); err != nil {
		return err
	}

	var wg sync.WaitGroup
	d.goSources(ctx, &wg, git)
	// What the last daemon left is taken up before anyone is told "ready".
	d.recover(ctx)
	d.announce(len(cfg.Hooks))
	// daemon.started comes before anything a client sees once ready.
	d.post(emitted{ev: event.Event{Kind: event.DaemonStarted, Time: time.Now()}})
	close(d.ready)
	wg.Add(2)
	go func() { defer wg.Done(); d.specs.run(ctx) }()
	go func() {
		defer wg.Done()
		// The trace index reads what the start-up scan found, once the
		// scan has settled; events keep it current from then on.
		if d.Sync(ctx); ctx.Err() != nil {
			return
		}
		d.specs.build(ctx)
	}()

	<-ctx.Done()
	stopping := time.Now()
	d.log.Info("stopping; running hooks get SIGTERM", "grace", runner.Grace)
	wg.Wait()
	d.stopRuns()
	d.sched.Wait()
	d.finalCheckpoint()
	d.log.Info("stopped", "took", time.Since(stopping).Round(time.Millisecond))
	return nil
}

// prepare makes what the sources feed besides the engine (the agents'
// ledger, the spec tracker) and logs what the configuration holds back.
func (d *Daemon) prepare(ctx context.Context) *hooks.Config {
	cfg, probs := d.Config()
	d.agents = newAgents(cfg.Defaults.MaxAgents, cfg.Watch.Settle, d.log.With("component", "agents"))
	d.loadSpending(ctx)
	d.specs = newSpecTracker(d.opts.Repo.Root, cfg.Specs.Roots, cfg.Trace.Patterns, d.journal, func(ctx context.Context) (paths []string, err error) {
		err = d.call(ctx, func() { paths = d.settler.Paths() })
		return paths, err
	}, func(ctx context.Context, match func(dir, name string) bool) (found bool, err error) {
		err = d.call(ctx, func() { found = d.settler.Any(match) })
		return found, err
	}, func(r specRead) { d.post(r) }, d.log.With("component", "spec"))
	for _, p := range probs {
		d.log.Error("config problem", "at", p.Pos.String(), "problem", p.Message)
	}
	for _, h := range cfg.Hooks {
		if h.Disabled != "" {
			d.log.Warn("hook paused", "hook", h.Name, "reason", h.Disabled)
		}
	}
	return cfg
}

// openGit opens the reflog source, resumed where the last daemon left it;
// nil outside git or when git events are off.
func (d *Daemon) openGit(ctx context.Context) *gitsrc.Source {
	if d.opts.Repo.GitDir == "" {
		return nil
	}
	git, err := gitsrc.Open(d.opts.Repo.Root, d.opts.Repo.GitDir, func(r gitsrc.Read) { d.post(gitRead(r)) }, d.log.With("component", "git"))
	if err != nil {
		d.log.Warn("git events are off", tint.Err(err))
		return nil
	}
	d.vcs = &vcsSettler{src: git, deliver: func(ev event.Event) { d.deliver(ev) }, later: func(after time.Duration) {
		time.AfterFunc(after, func() { d.post(vcsRelease{}) })
	}}
	d.gitState = git.State
	if v, err := d.journal.Meta(ctx, reflogKey); err == nil && v != "" {
		if off, err := strconv.ParseInt(v, 10, 64); err == nil {
			git.Resume(off)
		}
	}
	d.l.reflog = git.Offset()
	return git
}

// goSources starts the loop, the watcher, the config watch, the reloader,
// the reflog and the socket, each until ctx is done.
func (d *Daemon) goSources(ctx context.Context, wg *sync.WaitGroup, git *gitsrc.Source) {
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	run(func() { d.loop(ctx) })
	run(func() { _ = d.watcher.Run(ctx) })
	run(func() { d.watchConfigOutside(ctx) })
	run(func() { d.reloads.run(ctx) })
	if git != nil {
		run(func() {
			if err := git.Run(ctx); err != nil {
				d.log.Warn("git events stopped", tint.Err(err))
			}
		})
	}
	if ln := d.opts.Listener; ln != nil {
		run(func() {
			// The server gets the bare listener: its shutdown must not
			// release the lock while the daemon still runs.
			if err := ipc.Serve(ctx, ln.Listener, api{d}, d.opts.Version, d.log.With("component", "ipc")); err != nil {
				d.log.Error("socket API stopped", tint.Err(err))
			}
		})
	}
}

// announce logs the one line that says the daemon is watching.
func (d *Daemon) announce(hooks int) {
	st := d.watcher.Stats()
	attrs := []any{"repo", d.opts.Repo.Root, "dirs", st.Watches, "hooks", hooks, "ready_in", time.Since(d.started).Round(10 * time.Microsecond)}
	if st.Uncovered > 0 {
		attrs = append(attrs, "polled", st.Polled, "unwatchable", st.Uncovered-st.Polled)
	}
	if d.opts.Listener != nil {
		attrs = append(attrs, "socket", d.opts.Listener.Path)
	}
	d.log.Info("watching", attrs...)
	if ln := d.opts.Listener; ln != nil && ln.Note != "" {
		d.log.Warn(ln.Note, "socket", ln.Path)
	}
}

// openJournal opens the journal in the state directory, or an in-memory
// one (history lost at exit) when that fails.
func (d *Daemon) openJournal() *journal.Journal {
	path := filepath.Join(d.opts.Repo.StateDir, "journal.db")
	err := os.MkdirAll(d.opts.Repo.StateDir, 0o700)
	if err == nil {
		var j *journal.Journal
		if j, err = journal.Open(path, d.log.With("component", "journal")); err == nil {
			return j
		}
	}
	d.log.Error("cannot open the journal; history will not survive a restart", "path", path, tint.Err(err))
	j, err := journal.Open("", d.log)
	if err != nil {
		panic(fmt.Sprintf("in-memory journal: %v", err)) // the pure-Go driver needs no disk: cannot happen
	}
	return j
}

// restoreIndex gives the settler the file index the last run saved, so
// that what changed while hookd was down is found at start (catch-up).
func (d *Daemon) restoreIndex(ctx context.Context, s *settle.Settler) {
	blob, rows, err := d.journal.LoadIndex(ctx)
	if err != nil {
		d.log.Error("read the saved file index; changes made while stopped are not caught up", tint.Err(err))
		return
	}
	if len(blob) == 0 && len(rows) == 0 {
		return // first start: the scan is the baseline
	}
	changes := make([]settle.Entry, len(rows))
	for i, e := range rows {
		changes[i] = settle.Entry(e)
	}
	n, err := s.Restore(blob, changes)
	if err != nil {
		d.log.Warn("the saved file index is damaged; files it lost count as created", "indexed", n, tint.Err(err))
	}
	d.log.Info("catching up with changes made while stopped", "indexed", n)
}

// recover finishes what a previous daemon left. A run that was going when
// it died (a crash, kill -9) is reported interrupted, what it left running
// is ended, and its batch runs again: it was not handled. A batch that was
// queued, or still gathering at the last checkpoint, runs.
func (d *Daemon) recover(ctx context.Context) {
	rows, err := d.journal.Unfinished(ctx)
	if err != nil {
		d.log.Error("read unfinished runs", tint.Err(err))
		return
	}
	// A run whose start had not reached the journal when hookd died is
	// found by what it left running.
	ended := endOrphans(d.opts.Repo.Root, "-"+d.sched.Epoch())
	known := map[string]bool{}
	for _, r := range rows {
		known[r.ID] = true
	}
	for id, n := range ended {
		if !known[id] {
			d.log.Warn("ended what a run of a hookd that stopped left running", "run", id, "orphans_ended", n)
		}
	}
	for _, r := range rows {
		id := r.ID
		if r.Status == "running" || ended[r.ID] > 0 {
			r.Status, r.Error = "interrupted", "hookd stopped while it ran (crash or kill -9)"
			d.journal.Record(r)
			d.log.Warn("a run was cut off when hookd last stopped; its batch runs again", "hook", r.Hook, "run", r.ID, "orphans_ended", ended[r.ID])
			id = "" // a new run of the same batch
		}
		if r.Batch == nil {
			if r.Status != "interrupted" {
				r.Status, r.Reason = "skipped", "left when hookd last stopped, without its batch"
				d.journal.Record(r)
			}
			continue
		}
		switch err := d.sched.Resume(r.Hook, *r.Batch, id); {
		case errors.Is(err, queue.ErrUnknownHook):
			if id != "" {
				r.Status, r.Reason = "skipped", "left when hookd last stopped, and its hook is gone"
				d.journal.Record(r)
			}
		case err != nil:
			d.log.Warn("a batch left when hookd last stopped is not run: its hook cannot run now", "hook", r.Hook, "run", r.ID, "reason", err.Error())
		default:
			d.log.Info("running a batch left when hookd last stopped", "hook", r.Hook, "run", r.ID)
		}
	}
}

// stateIgnore keeps hookd's own state out of the watch when it lives in the
// work tree (outside git, with XDG_STATE_HOME pointing inside it).
func stateIgnore(r Repo) []string {
	rel, err := filepath.Rel(r.Root, r.StateDir)
	if err != nil || filepath.IsAbs(rel) || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	return []string{"/" + filepath.ToSlash(rel) + "/"}
}

// Sync returns once every file change made before the call has been
// settled and offered to the hooks.
func (d *Daemon) Sync(ctx context.Context) error {
	select {
	case <-d.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := d.watcher.Sync(ctx, 2*time.Second); err != nil {
		return err
	}
	if d.vcs != nil {
		d.vcs.src.Sync()
	}
	// What the sources have handed the loop so far is handled.
	if err := d.call(ctx, func() {}); err != nil {
		return err
	}
	// A config file among those changes asked for a reload: it is part of
	// what they did.
	_, err := d.reloads.wait(ctx, d.reloads.pending())
	return err
}

// Pending reports how many batches wait to run.
func (d *Daemon) Pending() int { return d.sched.Pending() }

// Idle returns once every change made before the call has been settled,
// and every batch it caused has run or been dropped.
func (d *Daemon) Idle(ctx context.Context) error {
	if err := d.Sync(ctx); err != nil {
		return err
	}
	if err := d.waitQuiet(ctx); err != nil {
		return err
	}
	if err := d.sched.Idle(ctx); err != nil {
		return err
	}
	// Handled means handled for good: a crash from now on repeats none of it.
	return d.durable(ctx)
}

// settled takes the settler's events, on the loop: git folds what it is
// doing, the rest is delivered. An edit of the repository's own config
// files reloads it.
func (d *Daemon) settled(evs []event.Event) {
	d.checkpointSoon(checkpointDelay)
	if d.vcs != nil {
		d.vcs.src.Invalidate()
		d.vcs.files(evs)
	} else {
		for _, ev := range evs {
			d.deliver(ev)
		}
	}
	reload := false
	for _, ev := range evs {
		for _, f := range ev.Files {
			if f.Path == hooks.RepoFile || f.Path == hooks.LocalFile || strings.HasPrefix(f.Path, ".kiro/hooks/") {
				reload = d.opts.Config.Explicit == ""
			}
		}
	}
	if reload {
		d.reloads.ask()
	}
}

// deliver puts an event down to its writers (the runs and sessions going
// on, split where they differ) and numbers and offers each part, on the
// loop; it returns the last part's id.
func (d *Daemon) deliver(ev event.Event) uint64 {
	var id uint64
	for _, part := range d.agents.attribute(ev) {
		id = d.number(part)
	}
	return id
}

// number gives an event whose writers are known its id, journals it and
// offers it to the hooks and the spec tracker.
func (d *Daemon) number(ev event.Event) uint64 {
	ev.ID = d.ids.next()
	if d.opts.OnEvent != nil {
		d.opts.OnEvent(ev)
	}
	d.journal.Event(ev)
	d.log.Debug("event", "kind", ev.Kind, "id", ev.ID, "files", len(ev.Files))
	d.sched.Offer(ev)
	// A file event on a spec document may also be a spec event.
	if follows(ev) {
		d.l.specOwed++
		d.specs.offer(ev)
	}
	return ev.ID
}

func (d *Daemon) observe(r queue.Record) {
	if r.Phase == queue.Finished {
		// The run is recorded after a checkpoint that covers its batch: a
		// crash from now on does not make it run again. (A run never
		// finishes on the loop: it runs on its own goroutine, or a caller's.)
		_ = d.call(context.Background(), func() {
			if !d.checkpoint() {
				d.checkpointSoon(50 * time.Millisecond)
			}
		})
	}
	if r.Phase == queue.Merged {
		d.journal.Forget(r.RunID)
		return
	}
	d.journal.Record(engine.RunRow(r))
	log := d.log.With("hook", r.Hook, "run", r.RunID)
	switch r.Phase {
	case queue.Started:
		log.Info("run started", "event", r.Event.Kind, "files", len(r.Event.Files))
	case queue.Finished:
		attrs := []any{"status", r.Result.Status, "exit", r.Result.Exit, "took", r.Result.Duration.Round(100 * time.Microsecond)}
		switch r.Result.Status {
		case runner.StatusOK:
			log.Info("run finished", attrs...)
		default:
			if r.Result.Err != nil {
				attrs = append(attrs, tint.Err(r.Result.Err))
			}
			log.Warn("run finished", attrs...)
		}
	case queue.Skipped:
		log.Info("run skipped", "reason", r.Reason)
	}
	if d.opts.Observe != nil {
		d.opts.Observe(r)
	}
}

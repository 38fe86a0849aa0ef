// Package queue schedules hook runs: it batches the events each hook
// wants, debounces them, applies the hook's mode when a run is already
// going, and bounds how many runs go at once.
//
// # Batches
//
// Each hook gathers the files of the events it wants into one batch,
// merged by path, so a file created and then saved is one "created" entry
// and a file created and deleted again is none. The batch runs once the
// hook's debounce has passed with no new event, or max_wait after its first
// event, whichever comes first. The `if` rule is evaluated on the final
// batch just before the run starts, so `len(files)` means the batch.
//
// # Modes
//
// When a batch is ready while the hook is running:
//   - queue (default): it waits; further batches merge into it, so at most
//     one run follows the current one, with every file;
//   - restart: the current run is stopped, and the next one gets its files
//     and the new ones;
//   - skip: the batch is dropped and recorded as skipped;
//   - parallel: it starts at once.
//
// A global limit (max_runs) bounds the runs of all hooks together; a run
// waiting for a slot is queued, not lost.
//
// # The circuit breaker
//
// A hook that would start more than its max_runs_per_minute runs within
// a minute is paused: whatever feeds it (a self-trigger, two hooks writing
// each other's files through a CLI whose writes cannot be told, a loop the
// chain depth does not see), it stops. The batch that tripped it and every
// later one are recorded skipped with the reason, until ResumeHook or a
// reload that changes the hook's settings. It is the last line: chains are
// stopped by depth first. Blocking runs (RunNow) answer a caller that
// waits and are not counted.
package queue

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/rules"
)

// Runner makes one run; runner.Run is the command runner.
type Runner func(ctx context.Context, job runner.Job) runner.Result

// Phase is where a run stands.
type Phase string

const (
	Pending  Phase = "pending"  // gathering: its debounce is not over
	Queued   Phase = "queued"   // accepted, waiting for a slot
	Started  Phase = "started"  // its process runs
	Finished Phase = "finished" // done; Result says how
	Skipped  Phase = "skipped"  // never ran; Reason says why
	Merged   Phase = "merged"   // a gathering batch merged into the one queued behind a run
)

// Record reports a run's progress to the observer.
type Record struct {
	Phase  Phase
	RunID  string
	Hook   string
	Event  event.Event // the batch
	Result runner.Result
	Reason string
	PID    int // process group of a started command
	// RuleErr is set on a skipped run whose if rule failed to evaluate: it
	// could not decide, which a blocking hook's verdict must not take for
	// "false".
	RuleErr error
}

// Options configure a Scheduler.
type Options struct {
	Root     string
	MaxRuns  int
	MaxDepth int
	Run      Runner
	// Observe is told of every run's phases, from several goroutines. It
	// must not block for long.
	Observe func(Record)
	// Git returns the repository state for rule environments, with
	// git.dirty worked out when dirty is set; nil gives the zero state.
	Git hooks.GitState
	// Line receives a run's output lines for the log.
	Line func(hook, runID, stream, line string)
	Log  *slog.Logger
}

// Scheduler owns the batches and runs of every hook.
type Scheduler struct {
	opts Options
	ctx  context.Context // runs stop when it is done
	sem  chan struct{}
	// epoch tells this scheduler's run ids from another's.
	epoch string
	seq   atomic.Uint64
	runs  sync.WaitGroup

	mu sync.Mutex
	// mu guards the fields that follow.
	hooks   map[string]*hookState
	changed chan struct{} // closed and replaced on every change, for Idle
}

type hookState struct {
	hook     *hooks.Hook
	pending  *batch      // gathering, until the debounce fires
	timer    *time.Timer // the debounce
	fireTime time.Time   // when the debounce is due
	due      time.Time   // max_wait deadline of pending
	removed  bool        // dropped by a reload; its runs finish
	next     *batch      // ready, waiting for the current run (queue, restart)
	active   map[string]*active
	info     rules.HookInfo
	// starts are when its runs of the last minute started, oldest first,
	// and paused why the breaker stopped it ("" while it may run).
	starts []time.Time
	paused string
	// trouble is what went wrong with the model's API in its last agent
	// run ("claude: API 500, 3 retries"), "" when nothing did.
	trouble string
}

type active struct {
	batch  *batch
	cancel context.CancelCauseFunc
}

// New returns a scheduler whose runs stop when ctx is done.
func New(ctx context.Context, opts Options) *Scheduler {
	if opts.MaxRuns < 1 {
		opts.MaxRuns = 1
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Observe == nil {
		opts.Observe = func(Record) {}
	}
	return &Scheduler{opts: opts, ctx: ctx, sem: make(chan struct{}, opts.MaxRuns), epoch: epoch(), hooks: map[string]*hookState{}, changed: make(chan struct{})}
}

// SetHooks installs a hook set: on start, and on every reload. Hooks that
// stay keep their gathering batch, their queued batch and their running
// runs, unless they can no longer run (paused until trusted, disabled):
// then what waited for them is dropped, and the queued run is recorded
// skipped with the reason. Hooks that go away lose what had not started,
// and say so. Runs already going finish.
func (s *Scheduler) SetHooks(hs []*hooks.Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.bump()
	keep := map[string]bool{}
	for _, h := range hs {
		keep[h.Name] = true
		if st, ok := s.hooks[h.Name]; ok {
			if st.paused != "" && st.hook.Settings() != h.Settings() {
				s.opts.Log.Info("hook changed by reload; its circuit breaker is reset", "hook", h.Name)
				st.paused, st.starts = "", nil
			}
			st.hook = h
			if why := cannotRun(h); why != "" {
				s.dropWaiting(st, why)
			}
			continue
		}
		s.hooks[h.Name] = &hookState{hook: h, active: map[string]*active{}, info: rules.HookInfo{Name: h.Name}}
	}
	for name, st := range s.hooks {
		if keep[name] {
			continue
		}
		if st.timer != nil {
			st.timer.Stop()
		}
		if st.pending != nil || st.next != nil {
			s.opts.Log.Warn("hook removed by reload; its waiting batch is dropped", "hook", name)
		}
		if len(st.active) == 0 {
			delete(s.hooks, name)
		} else {
			st.pending, st.next = nil, nil
			st.removed = true
		}
	}
}

// cannotRun says why a hook may not run now, or "".
func cannotRun(h *hooks.Hook) string {
	switch {
	case h.Disabled != "":
		return h.Disabled
	case !h.Enabled:
		return "enabled = false"
	}
	return ""
}

// dropWaiting drops the batches waiting for a hook that can no longer
// run. mu is held.
func (s *Scheduler) dropWaiting(st *hookState, why string) {
	if st.timer != nil {
		st.timer.Stop()
	}
	if st.pending != nil {
		s.opts.Log.Warn("hook cannot run any more; its waiting batch is dropped", "hook", st.hook.Name, "reason", why)
	}
	if b := st.next; b != nil {
		s.opts.Observe(Record{Phase: Skipped, RunID: b.id, Hook: st.hook.Name, Event: b.event(), Reason: "its hook cannot run any more: " + why})
	}
	st.pending, st.next = nil, nil
}

// Offer routes an event to every hook that wants it.
//
// The loop guard: an event past max_depth does not start the hooks of its
// own chain again (a skipped run in history says so); every other hook
// still gets it, so a person's change is never dropped for being made
// while a chain ran.
func (s *Scheduler) Offer(ev event.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.hooks {
		h := st.hook
		// Blocking hooks run only for a verdict (RunBlocking).
		if st.removed || h.Blocking {
			continue
		}
		c := h.Concerns(ev)
		if c.Stage == "writers" {
			s.opts.Log.Debug("a run's own write; not offered back to its hook", "hook", h.Name, "kind", ev.Kind, "cause", ev.Cause)
		}
		if !c.OK {
			continue
		}
		if why := s.tooDeep(h.Name, ev); why != "" {
			s.opts.Log.Warn("chain too deep; the hook is not started again by it", "hook", h.Name, "kind", ev.Kind, "depth", ev.Depth, "max_depth", s.opts.MaxDepth, "cause", ev.Cause)
			s.opts.Observe(Record{Phase: Skipped, RunID: s.newID(), Hook: h.Name, Event: ev, Reason: why})
			continue
		}
		s.gather(st, ev, c.Files)
	}
}

// tooDeep says why hook may not be started by ev, a link of a chain
// longer than max_depth that hook is part of; "" when it may. A chain
// whose hooks are unknown (an emit naming a run hookd no longer follows)
// holds every hook.
func (s *Scheduler) tooDeep(hook string, ev event.Event) string {
	if ev.Depth <= s.opts.MaxDepth || (len(ev.Chain) > 0 && !slices.Contains(ev.Chain, hook)) {
		return ""
	}
	return fmt.Sprintf("chain too deep: %d runs (through %s) led to this event, past max_depth = %d, and this hook is one of them", ev.Depth, chainText(ev.Chain), s.opts.MaxDepth)
}

func chainText(chain []string) string {
	if len(chain) == 0 {
		return "runs hookd no longer follows"
	}
	return strings.Join(chain, " → ")
}

// ErrUnknownHook is returned by Trigger for a name no hook has.
var ErrUnknownHook = errors.New("queue: no such hook")

// ErrTooDeep is a trigger from a chain already max_depth long.
var ErrTooDeep = errors.New("queue: chain too deep")

// Trigger runs a hook now with ev as its batch, whatever its `on` and
// `paths` say; its mode still applies. It returns the run's id, or an
// error when the hook is unknown or cannot run.
func (s *Scheduler) Trigger(name string, ev event.Event) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.hooks[name]
	if !ok || st.removed {
		return "", fmt.Errorf("%w: %q", ErrUnknownHook, name)
	}
	if why := s.tooDeep(name, ev); why != "" {
		return "", fmt.Errorf("%w: %q: %s", ErrTooDeep, name, why)
	}
	if !st.hook.Enabled || st.hook.Disabled != "" {
		reason := st.hook.Disabled
		if reason == "" {
			reason = "enabled = false"
		}
		return "", fmt.Errorf("hook %q is disabled: %s", name, reason)
	}
	if st.paused != "" {
		return "", &pausedError{name, st.paused}
	}
	b := newBatch(ev)
	b.add(ev, ev.Files)
	id := s.ready(st, b, true)
	if st.paused != "" {
		// This very trigger tripped the breaker.
		return "", &pausedError{name, st.paused}
	}
	return id, nil
}

// ErrPaused is a trigger of a hook its circuit breaker has paused.
var ErrPaused = errors.New("queue: hook paused")

// pausedError says which hook is paused, and why: it is ErrPaused.
type pausedError struct{ hook, why string }

func (e *pausedError) Error() string        { return fmt.Sprintf("hook %q is %s", e.hook, e.why) }
func (e *pausedError) Is(target error) bool { return target == ErrPaused }

// breakerWindow is the breaker's minute.
const breakerWindow = time.Minute

// breaker counts a run of st starting now, and trips when it is one too
// many: it returns why the hook is paused, or "". mu is held.
func (s *Scheduler) breaker(st *hookState, now time.Time) string {
	if st.paused != "" {
		return st.paused
	}
	limit := st.hook.MaxRunsPerMinute
	if limit <= 0 {
		return "" // hooks made in code, not by a config: no breaker
	}
	keep := st.starts[:0]
	for _, t := range st.starts {
		if now.Sub(t) < breakerWindow {
			keep = append(keep, t)
		}
	}
	st.starts = keep
	if len(st.starts) < limit {
		st.starts = append(st.starts, now)
		return ""
	}
	st.paused = fmt.Sprintf("paused by its circuit breaker: %d runs started within %s (max_runs_per_minute = %d); "+
		"hookd resume %s runs it again, as does a change to it", len(st.starts), now.Sub(st.starts[0]).Round(time.Millisecond), limit, st.hook.Name)
	s.opts.Log.Warn("circuit breaker: hook paused, its runs are skipped until hookd resume or a change to it",
		"hook", st.hook.Name, "runs", len(st.starts), "within", now.Sub(st.starts[0]).Round(time.Millisecond), "max_runs_per_minute", limit)
	return st.paused
}

// ResumeHook lets a hook its circuit breaker paused run again, and
// returns why it was paused ("" when it was not).
func (s *Scheduler) ResumeHook(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.hooks[name]
	if !ok || st.removed {
		return "", fmt.Errorf("%w: %q", ErrUnknownHook, name)
	}
	was := st.paused
	st.paused, st.starts = "", nil
	if was != "" {
		s.opts.Log.Info("hook resumed; its circuit breaker is reset", "hook", name)
	}
	return was, nil
}

// Trouble says what went wrong with the model's API in a hook's last
// agent run, or "".
func (s *Scheduler) Trouble(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.hooks[name]; ok {
		return st.trouble
	}
	return ""
}

// Paused says why a hook's circuit breaker paused it, or "".
func (s *Scheduler) Paused(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.hooks[name]; ok {
		return st.paused
	}
	return ""
}

// gather adds files to the hook's pending batch and (re)arms its debounce.
func (s *Scheduler) gather(st *hookState, ev event.Event, files []event.File) {
	defer s.bump()
	now := time.Now()
	if st.pending == nil {
		st.pending = newBatch(ev)
		// Named now: a checkpoint records the gathering batch under this
		// id, and the run it becomes keeps it.
		st.pending.id = s.newID()
		st.due = now.Add(st.hook.MaxWait)
	}
	st.pending.add(ev, files)
	wait := st.hook.Debounce
	if st.hook.MaxWait > 0 {
		wait = min(wait, st.due.Sub(now))
	}
	if wait <= 0 {
		if st.timer != nil {
			st.timer.Stop()
		}
		s.fire(st)
		return
	}
	if st.timer == nil {
		st.timer = time.AfterFunc(wait, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			// A timer reset while this callback waited for mu fires again
			// later; only the due one moves the batch on.
			if st.pending != nil && !time.Now().Before(st.fireTime) {
				s.fire(st)
			}
		})
		st.fireTime = now.Add(wait)
		return
	}
	st.fireTime = now.Add(wait)
	st.timer.Reset(wait)
}

// fire moves the pending batch on. mu is held.
func (s *Scheduler) fire(st *hookState) {
	defer s.bump()
	b := st.pending
	st.pending = nil
	if b != nil {
		s.ready(st, b, false)
	}
}

// ready applies the hook's mode to a finished batch. It returns the id of
// the run it starts or queues, or "" when it drops it. mu is held.
func (s *Scheduler) ready(st *hookState, b *batch, manual bool) string {
	h := st.hook
	if len(st.active) == 0 || h.Mode == hooks.ModeParallel {
		return s.start(st, b, manual)
	}
	switch h.Mode {
	case hooks.ModeSkip:
		id := b.id
		if id == "" {
			id = s.newID()
		}
		s.opts.Observe(Record{Phase: Skipped, RunID: id, Hook: h.Name, Event: b.event(), Reason: "a run is going and mode is skip"})
		return id
	case hooks.ModeRestart:
		// The stopped run's files come first: files keep the order they
		// first came in.
		merged := newBatch(b.head)
		merged.id, merged.manual = b.id, b.manual
		for _, a := range st.active {
			merged.absorb(a.batch)
			a.cancel(errRestarted)
		}
		merged.absorb(b)
		b = merged
	}
	if st.next == nil {
		st.next = b
		if st.next.id == "" {
			st.next.id = s.newID()
		}
		st.next.manual = manual
	} else {
		st.next.absorb(b)
		if b.id != "" {
			// Its files wait in the queued batch now, under that one's id.
			s.opts.Observe(Record{Phase: Merged, RunID: b.id, Hook: h.Name})
		}
	}
	// Waiting behind a run is queued too: a crash must not lose it.
	s.opts.Observe(Record{Phase: Queued, RunID: st.next.id, Hook: h.Name, Event: st.next.event()})
	return st.next.id
}

// Resume makes a run that a previous daemon had queued when it stopped,
// under the same id. It returns ErrUnknownHook when the hook no longer
// exists, and an error saying why when the hook cannot run now (paused by
// a pull made while hookd was stopped): the run is then recorded skipped.
func (s *Scheduler) Resume(name string, ev event.Event, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.hooks[name]
	if !ok || st.removed {
		return fmt.Errorf("%w: %q", ErrUnknownHook, name)
	}
	b := newBatch(ev)
	b.add(ev, ev.Files)
	b.id = id
	s.ready(st, b, ev.Kind == event.HookManual)
	if why := cannotRun(st.hook); why != "" {
		return errors.New(why)
	}
	return nil
}

var errRestarted = errors.New("restarted by a newer batch")

// newID names a run: when, which scheduler (a daemon restarted within the
// same second must not reuse a crashed one's ids, which the journal would
// take for the same runs), and a count.
func (s *Scheduler) newID() string {
	return fmt.Sprintf("%s-%s%d", time.Now().UTC().Format("20060102T150405"), s.epoch, s.seq.Add(1))
}

// start evaluates the rule on the batch and launches the run. mu is held.
// It is the one place a run begins, so it checks, at that moment, that the
// hook may run: a batch that waited (debounce, a queued follow-up, one
// resumed from the journal) never runs for a hook paused meanwhile.
func (s *Scheduler) start(st *hookState, b *batch, manual bool) string {
	h := st.hook
	ev := b.event()
	if why := cannotRun(h); why != "" {
		id := b.id
		if id == "" {
			id = s.newID()
		}
		s.opts.Observe(Record{Phase: Skipped, RunID: id, Hook: h.Name, Event: ev, Reason: "its hook cannot run: " + why})
		return ""
	}
	env := h.RuleEnv(s.opts.Root, ev, st.info, s.opts.Git)
	if !manual {
		ok, err := h.If.Eval(env)
		if err != nil {
			// Seen in the history, not only the log: the rule could not
			// say, and the hook did not run.
			id := b.id
			if id == "" {
				id = s.newID()
			}
			s.opts.Observe(Record{Phase: Skipped, RunID: id, Hook: h.Name, Event: ev, Reason: "its if rule failed: " + err.Error(), RuleErr: err})
			return ""
		}
		if !ok {
			s.opts.Log.Debug("rule is false; hook not run", "hook", h.Name, "files", len(ev.Files))
			return ""
		}
	}
	id := b.id
	if id == "" {
		id = s.newID()
	}
	if why := s.breaker(st, time.Now()); why != "" {
		s.opts.Observe(Record{Phase: Skipped, RunID: id, Hook: h.Name, Event: ev, Reason: why})
		return ""
	}
	ctx, cancel := context.WithCancelCause(s.ctx)
	st.active[id] = &active{batch: b, cancel: cancel}
	st.info.Runs++
	s.opts.Observe(Record{Phase: Queued, RunID: id, Hook: h.Name, Event: ev})
	job := runner.Job{ID: id, Hook: h, Env: env, Root: s.opts.Root, Depth: ev.Depth, Chain: ev.Chain}
	if s.opts.Line != nil {
		job.Line = func(stream, line string) { s.opts.Line(h.Name, id, stream, line) }
	}
	s.runs.Add(1)
	go s.execute(ctx, cancel, st, id, job, ev)
	return id
}

func (s *Scheduler) execute(ctx context.Context, cancel context.CancelCauseFunc, st *hookState, id string, job runner.Job, ev event.Event) {
	defer s.runs.Done()
	defer cancel(nil)
	var res runner.Result
	select {
	case s.sem <- struct{}{}:
		// Started is reported by the runner once the process runs, with
		// its process group.
		job.Started = func(pgid int) {
			s.opts.Observe(Record{Phase: Started, RunID: id, Hook: job.Hook.Name, Event: ev, PID: pgid})
		}
		res = s.opts.Run(ctx, job)
		<-s.sem
	case <-ctx.Done():
		res = runner.Result{Status: runner.StatusInterrupted, Exit: -1, Start: time.Now(), Err: context.Cause(ctx)}
	}
	s.opts.Observe(Record{Phase: Finished, RunID: id, Hook: job.Hook.Name, Event: ev, Result: res})

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.bump()
	if s.ctx.Err() != nil && res.Status == runner.StatusInterrupted && !st.removed {
		// Stopped by the daemon's own stop: the batch is not handled, so it
		// waits again, and the stop's checkpoint keeps it for the next start.
		again := newBatch(ev)
		again.add(ev, ev.Files)
		again.id = s.newID()
		if st.next == nil {
			st.next = again
		} else {
			st.next.absorb(again)
		}
	}
	delete(st.active, id)
	st.info.LastStatus = string(res.Status)
	st.info.LastRun = res.Start
	st.trouble = ""
	if t := res.Agent.Trouble(); t != "" {
		st.trouble = res.AgentName + ": " + t
		s.opts.Log.Warn("the agent had trouble with its API", "hook", job.Hook.Name, "run", id, "status", res.Status,
			"trouble", st.trouble, "api_error", res.Agent.APIError)
	}
	if st.removed && len(st.active) == 0 {
		delete(s.hooks, st.hook.Name)
	}
	if st.next != nil && len(st.active) == 0 && s.ctx.Err() == nil {
		b := st.next
		st.next = nil
		s.start(st, b, b.manual)
	}
}

// Wait blocks until every run has ended. Cancel the scheduler's context
// first to stop them.
func (s *Scheduler) Wait() { s.runs.Wait() }

// Info returns a hook's run counters.
func (s *Scheduler) Info(name string) rules.HookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.hooks[name]; ok {
		return st.info
	}
	return rules.HookInfo{Name: name}
}

// RunBlocking runs at once the blocking hooks of hs that ev concerns (hs
// nil: the scheduler's own), in parallel, and returns each one's record.
func (s *Scheduler) RunBlocking(ctx context.Context, ev event.Event, hs []*hooks.Hook) []Record {
	return s.RunNow(ctx, ev, hs, func(h *hooks.Hook) bool { return h.Blocking })
}

// RunNow runs at once the hooks of hs (nil: the scheduler's own) that pick
// selects and ev concerns, bypassing debounce, modes and the max_runs
// limit, and returns their records when all have ended. A hook whose if
// rule fails is skipped with RuleErr set: it could not decide.
func (s *Scheduler) RunNow(ctx context.Context, ev event.Event, hs []*hooks.Hook, pick func(*hooks.Hook) bool) []Record {
	type job struct {
		hook  *hooks.Hook
		st    *hookState // nil for a hook the scheduler does not hold
		files []event.File
	}
	var jobs []job
	s.mu.Lock()
	if hs == nil {
		for _, st := range s.hooks {
			if !st.removed {
				hs = append(hs, st.hook)
			}
		}
	}
	for _, h := range hs {
		if !pick(h) {
			continue
		}
		if c := h.Concerns(ev); c.OK {
			st := s.hooks[h.Name]
			if st != nil && st.removed {
				st = nil
			}
			jobs = append(jobs, job{h, st, c.Files})
		}
	}
	s.mu.Unlock()
	out := make([]Record, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.runNow(ctx, ev, j.hook, j.st, j.files)
		}()
	}
	wg.Wait()
	return out
}

// runNow makes one run of RunNow.
func (s *Scheduler) runNow(ctx context.Context, ev event.Event, h *hooks.Hook, st *hookState, files []event.File) Record {
	batch := ev
	batch.Files = files
	var info rules.HookInfo
	if st != nil {
		s.mu.Lock()
		info = st.info
		s.mu.Unlock()
	}
	env := h.RuleEnv(s.opts.Root, batch, info, s.opts.Git)
	if caller := runner.CallerOf(ctx); caller != nil {
		// env() is the answered process's, as its hooks' environment is.
		env.EnvFn = func(name string) string { return runner.Getenv(caller, name) }
	}
	id := s.newID()
	switch ok, err := h.If.Eval(env); {
	case err != nil:
		rec := Record{Phase: Skipped, RunID: id, Hook: h.Name, Event: batch, Reason: "its if rule failed: " + err.Error(), RuleErr: err}
		s.opts.Observe(rec)
		return rec
	case !ok:
		return Record{Phase: Skipped, RunID: id, Hook: h.Name, Event: batch, Reason: "its if rule is false"}
	}
	s.opts.Observe(Record{Phase: Queued, RunID: id, Hook: h.Name, Event: batch})
	job := runner.Job{ID: id, Hook: h, Env: env, Root: s.opts.Root, Depth: batch.Depth, Chain: batch.Chain}
	job.Started = func(pgid int) {
		s.opts.Observe(Record{Phase: Started, RunID: id, Hook: h.Name, Event: batch, PID: pgid})
	}
	if st != nil {
		s.mu.Lock()
		st.info.Runs++ // counted as a queued run is, so hookd hooks shows it
		s.mu.Unlock()
	}
	res := s.opts.Run(ctx, job)
	if st != nil {
		s.mu.Lock()
		st.info.LastStatus, st.info.LastRun = string(res.Status), res.Start
		s.mu.Unlock()
	}
	rec := Record{Phase: Finished, RunID: id, Hook: h.Name, Event: batch, Result: res}
	s.opts.Observe(rec)
	return rec
}

// bump wakes Idle waiters. mu is held.
func (s *Scheduler) bump() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Idle returns once no batch is gathering or queued and no run is going.
// Together with a sync cookie it tells that every change so far has been
// fully handled.
func (s *Scheduler) Idle(ctx context.Context) error {
	for {
		s.mu.Lock()
		busy := false
		for _, st := range s.hooks {
			if st.pending != nil || st.next != nil || len(st.active) > 0 {
				busy = true
				break
			}
		}
		changed := s.changed
		s.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Waiting returns every batch that waits to run, materialised: the ones
// gathering (Phase Pending) and the ones queued behind a run (Queued), for
// a checkpoint to record.
func (s *Scheduler) Waiting() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, st := range s.hooks {
		if st.pending != nil {
			out = append(out, Record{Phase: Pending, RunID: st.pending.id, Hook: st.hook.Name, Event: st.pending.event()})
		}
		if st.next != nil {
			out = append(out, Record{Phase: Queued, RunID: st.next.id, Hook: st.hook.Name, Event: st.next.event()})
		}
	}
	return out
}

// Pending reports how many batches wait: gathering, or queued behind a run.
func (s *Scheduler) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.hooks {
		if st.pending != nil {
			n++
		}
		if st.next != nil {
			n++
		}
	}
	return n
}

// Epoch is what this scheduler's run ids carry after the time, to tell
// them from another daemon's.
func (s *Scheduler) Epoch() string { return s.epoch }

// epoch is four random letters.
func epoch() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return string(b[:])
}

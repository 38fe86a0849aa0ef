package daemon

import (
	"context"
	"slices"
	"time"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// The loop
//
// Every source hands what it found to one inbox, and one goroutine, the
// loop, takes it in turn (watchexec's shape): the settler's steps (file
// events), the reflog's reads (git events), what the spec tracker derived,
// events from the socket, runs that ended. What the loop owns is touched by
// nothing else: the file index (it drives the settler), the fold of a git
// operation's files, event numbering and attribution, how far the reflog
// and the spec tracker have been followed, and the checkpoints. So a
// checkpoint, taken between two messages, sees every stage at rest without
// pausing any of them; and a run's writes come back through the watcher
// like anyone's and are told apart here, before the run is let go.

// message is what a source or a run hands the loop.
type message interface{ handle(d *Daemon) }

// inboxSize bounds what waits for the loop; a source that finds it full
// waits (the settler's touches never do: they are the loop's own).
const inboxSize = 256

// loopState is what the loop owns besides the settler and the fold.
type loopState struct {
	inbox chan message
	done  chan struct{} // closed when the loop has stopped

	// reflog is how far the reflog has been read and handled.
	reflog int64
	// specSeen holds the spec versions to write with the next checkpoint;
	// specOwed counts the file events offered to the spec tracker that it
	// has not answered yet: no checkpoint is taken while it owes any.
	specSeen map[string]string
	specOwed int
	// quiet is closed once nothing is held for git and the spec tracker
	// owes nothing (Idle).
	quiet []chan struct{}
	// ends are the runs that ended, waiting for their last writes.
	ends     []*runEnd
	endTimer *time.Timer
	// cpTimer fires the next checkpoint when cpArmed.
	cpTimer *time.Timer
	cpArmed bool
}

func newLoopState() loopState {
	stopped := func() *time.Timer {
		t := time.NewTimer(time.Hour)
		t.Stop()
		return t
	}
	return loopState{inbox: make(chan message, inboxSize), done: make(chan struct{}), specSeen: map[string]string{},
		endTimer: stopped(), cpTimer: stopped()}
}

// loop takes the inbox's messages and the settler's steps, in turn, until
// ctx is done.
func (d *Daemon) loop(ctx context.Context) {
	defer close(d.l.done)
	defer d.abandonEnds()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-d.l.inbox:
			m.handle(d)
		case <-d.settler.Wake():
			d.settler.Step(false)
			d.settleEnds()
		case <-d.settler.Due():
			d.settler.Step(true)
			d.settleEnds()
		case <-d.l.endTimer.C:
			d.settleEnds()
		case <-d.l.cpTimer.C:
			d.l.cpArmed = false
			if !d.checkpoint() {
				d.checkpointSoon(50 * time.Millisecond)
			}
		}
		d.tellQuiet()
	}
}

// post hands the loop a message; false once the loop has stopped.
func (d *Daemon) post(m message) bool {
	select {
	case d.l.inbox <- m:
		return true
	case <-d.l.done:
		return false
	}
}

// call runs fn on the loop and returns once it has run; an error when the
// loop has stopped first, or ctx is done before the loop takes it.
func (d *Daemon) call(ctx context.Context, fn func()) error {
	c := call{fn: fn, done: make(chan struct{})}
	select {
	case d.l.inbox <- c:
	case <-d.l.done:
		return errLoopStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, fn runs (and may write what the caller reads) unless the
	// loop stops first: wait for one or the other, not for ctx.
	select {
	case <-c.done:
		return nil
	case <-d.l.done:
		select {
		case <-c.done:
			return nil
		default:
			return errLoopStopped
		}
	}
}

type call struct {
	fn   func()
	done chan struct{}
}

func (c call) handle(*Daemon) { c.fn(); close(c.done) }

// gitRead is a read of the reflog.
type gitRead gitsrc.Read

func (m gitRead) handle(d *Daemon) {
	for _, c := range m.Changes {
		d.vcs.git(c.Event, c.Worktree)
	}
	d.l.reflog = m.Offset
}

// vcsRelease lets go what was held for a git operation, once it is over.
type vcsRelease struct{}

func (vcsRelease) handle(d *Daemon) { d.vcs.release() }

func (m specRead) handle(d *Daemon) {
	for _, ev := range m.events {
		d.deliver(ev)
	}
	for k, v := range m.seen {
		d.l.specSeen[k] = v
	}
	d.l.specOwed -= m.followed
}

// emitted is an event from outside (the socket, the daemon itself);
// reply, when set, gets its id.
type emitted struct {
	ev    event.Event
	reply chan uint64
}

func (m emitted) handle(d *Daemon) {
	id := d.deliver(m.ev)
	if m.reply != nil {
		m.reply <- id
	}
}

// runEnd is a run that ended: until its last writes have come through the
// watcher they are put down to it; then the loop lets it go, with the
// files it wrote.
type runEnd struct {
	job   runner.Job
	res   runner.Result
	agent bool
	reply chan runFiles

	settled  chan struct{} // closed once the watcher's mark is through
	release  func()
	deadline time.Time // when to give up waiting, unless events still come
	limit    time.Time // when to give up whatever comes
	seen     uint64    // the watcher's event count at the last look
}

// runFiles are the files put down to a run, and which of them only by the
// time window.
type runFiles struct{ written, guessed []string }

// endSyncTimeout is how long a run's end waits for its mark with no event
// at all coming (a file system whose events never come).
const endSyncTimeout = 2 * time.Second

func (e *runEnd) handle(d *Daemon) {
	e.settled = make(chan struct{})
	release, err := d.watcher.Mark(e.settled)
	if err != nil {
		d.log.Warn("cannot wait for a run's last writes; the ones still settling are taken for someone else's", "hook", e.job.Hook.Name, "run", e.job.ID, "err", err)
		d.letGo(e)
		return
	}
	now := time.Now()
	e.release, e.deadline, e.limit, e.seen = release, now.Add(endSyncTimeout), now.Add(time.Minute), d.watcher.Events()
	d.l.ends = append(d.l.ends, e)
	d.armEnds()
}

// settleEnds lets go the runs whose last writes are through, and those
// waited for too long.
func (d *Daemon) settleEnds() {
	if len(d.l.ends) == 0 {
		return
	}
	now := time.Now()
	left := d.l.ends[:0]
	for _, e := range d.l.ends {
		select {
		case <-e.settled:
			d.letGo(e)
			continue
		default:
		}
		if now.After(e.deadline) {
			// Events still coming: the mark is queued behind them.
			if n := d.watcher.Events(); n != e.seen && now.Before(e.limit) {
				e.seen, e.deadline = n, now.Add(endSyncTimeout)
			} else {
				d.log.Warn("a run's last writes did not come through in time; any still settling are taken for someone else's", "hook", e.job.Hook.Name, "run", e.job.ID)
				d.letGo(e)
				continue
			}
		}
		left = append(left, e)
	}
	clear(d.l.ends[len(left):])
	d.l.ends = left
	d.armEnds()
}

// armEnds wakes the loop at the first deadline of the runs that wait.
func (d *Daemon) armEnds() {
	if len(d.l.ends) == 0 {
		d.l.endTimer.Stop()
		return
	}
	first := d.l.ends[0].deadline
	for _, e := range d.l.ends[1:] {
		if e.deadline.Before(first) {
			first = e.deadline
		}
	}
	d.l.endTimer.Reset(time.Until(first) + time.Millisecond)
}

// letGo ends a run in the ledger, tells the hooks an agent run is done,
// and answers the run.
func (d *Daemon) letGo(e *runEnd) {
	if e.release != nil {
		e.release()
	}
	var f runFiles
	f.written, f.guessed = d.agents.end(e.job.ID)
	if e.agent {
		d.deliver(agentDone(e.job, e.res, f.written))
	}
	e.reply <- f
}

// abandonEnds answers the runs still waiting when the loop stops: their
// files are what came through so far.
func (d *Daemon) abandonEnds() {
	for _, e := range d.l.ends {
		if e.release != nil {
			e.release()
		}
		var f runFiles
		f.written, f.guessed = d.agents.end(e.job.ID)
		e.reply <- f
	}
	d.l.ends = nil
}

// agentDone is the event that follows an agent run.
func agentDone(job runner.Job, res runner.Result, written []string) event.Event {
	run := &event.Run{Hook: job.Hook.Name, ID: job.ID, Status: string(res.Status), Exit: res.Exit, Duration: res.Duration, FilesWritten: written}
	if r := res.Agent; r != nil {
		run.Cost, run.Tokens, run.Turns, run.Session = r.Cost, r.TokensIn+r.TokensOut, r.Turns, r.Session
	}
	chain := job.Chain
	if !slices.Contains(chain, job.Hook.Name) {
		chain = append(slices.Clip(chain), job.Hook.Name)
	}
	return event.Event{Kind: event.AgentDone, Time: time.Now(), Cause: job.ID, Depth: job.Depth + 1, Chain: chain, Writers: []string{job.Hook.Name}, Run: run}
}

// ended hands the loop a run that ended and returns its files once its
// last writes are through. Once the loop has stopped, the ledger answers
// alone.
func (d *Daemon) ended(job runner.Job, res runner.Result, agent bool) runFiles {
	e := &runEnd{job: job, res: res, agent: agent, reply: make(chan runFiles, 1)}
	if d.post(e) {
		select {
		case f := <-e.reply:
			return f
		case <-d.l.done:
			// The loop answers what it held as it stops.
			select {
			case f := <-e.reply:
				return f
			default:
			}
		}
	}
	var f runFiles
	f.written, f.guessed = d.agents.end(job.ID)
	return f
}

// isQuiet says nothing is held for git and the spec tracker owes nothing.
func (d *Daemon) isQuiet() bool {
	return d.l.specOwed == 0 && (d.vcs == nil || !d.vcs.holding())
}

// tellQuiet wakes the waiters of quietness.
func (d *Daemon) tellQuiet() {
	if len(d.l.quiet) == 0 || !d.isQuiet() {
		return
	}
	for _, c := range d.l.quiet {
		close(c)
	}
	d.l.quiet = nil
}

// waitQuiet returns once nothing is held for git and the spec tracker has
// followed every file event offered to it.
func (d *Daemon) waitQuiet(ctx context.Context) error {
	c := make(chan struct{})
	if err := d.call(ctx, func() {
		if d.isQuiet() {
			close(c)
			return
		}
		d.l.quiet = append(d.l.quiet, c)
	}); err != nil {
		return err
	}
	select {
	case <-c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

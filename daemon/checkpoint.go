package daemon

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/daemon/settle"
	"github.com/hookd-dev/hookd/engine"
)

// Exactly once across a crash
//
// What hookd has handled is the file index (what each path looked like),
// how far HEAD's reflog was read, and the spec versions it last saw; what
// it has yet to handle is the batches waiting for their hooks. A
// checkpoint writes all of it as of one moment, in one journal transaction:
// taken on the daemon's loop between two messages (every change the index
// holds has been handed on; every reflog read and spec message it counts
// is handled), with the spec tracker owing nothing, and leaving out what is
// held for a git operation. A run that
// finishes is recorded after a checkpoint that covers its batch. So after
// a crash a restart finds, by comparing with that index and that offset,
// exactly the changes no checkpoint covered: nothing a finished run handled
// comes back, and everything else is either in a waiting batch that was
// written, or found again.

// checkpointDelay is how long after a change a checkpoint is taken when no
// run finishes to take one: what a crash can make catch-up find again.
const checkpointDelay = 2 * time.Second

// errLoopStopped says the daemon's loop has stopped: the daemon is
// stopping.
var errLoopStopped = errors.New("hookd is stopping")

// checkpointSoon takes a checkpoint after delay, unless one is due
// already. On the loop.
func (d *Daemon) checkpointSoon(delay time.Duration) {
	if !d.l.cpArmed {
		d.l.cpArmed = true
		d.l.cpTimer.Reset(delay)
	}
}

// checkpoint takes a checkpoint now, on the loop; false when a stage is in
// the middle of something (the start-up scan, the spec tracker owing an
// answer, a git operation holding a whole index's worth of paths), and
// nothing is written.
func (d *Daemon) checkpoint() bool {
	if d.l.specOwed > 0 {
		return false
	}
	return d.settler.Checkpoint(d.writeCheckpoint)
}

// durable takes a checkpoint and returns once it is on disk, trying again
// while a stage is in the middle of something.
func (d *Daemon) durable(ctx context.Context) error {
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		taken := false
		if err := d.call(ctx, func() { taken = d.checkpoint() }); err != nil {
			return err
		}
		if taken {
			return d.journal.Flush(ctx)
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// writeCheckpoint gathers what the loop has handled and queues it for the
// journal, with the file index's changes. The paths of file events held
// for a git operation are left out (keep): no batch holds them yet, so
// their change is not handled; false when that cannot be done (a whole
// index cannot leave paths out), and nothing is written.
func (d *Daemon) writeCheckpoint(delta settle.Delta) (keep []string, ok bool) {
	held := map[string]bool{}
	if d.vcs != nil {
		held = d.vcs.heldPaths()
	}
	if delta.Full && len(held) > 0 {
		return nil, false
	}
	cp := journal.Checkpoint{Meta: map[string]string{}, Index: journal.IndexDelta{Full: delta.Full}}
	for _, e := range delta.Put {
		if held[e.Path] {
			keep = append(keep, e.Path)
			continue
		}
		cp.Index.Put = append(cp.Index.Put, journal.IndexEntry(e))
	}
	for _, p := range delta.Deleted {
		if held[p] {
			keep = append(keep, p)
			continue
		}
		cp.Index.Deleted = append(cp.Index.Deleted, p)
	}
	d.gather(&cp)
	if delta.Full {
		// The whole index is streamed to its file now: holding a copy for
		// the journal's goroutine would double it.
		name, err := d.journal.WriteIndex(delta.Write)
		if err != nil {
			d.log.Error("write the file index; a restart will not catch up with changes until it is written", tint.Err(err))
			return nil, false
		}
		cp.Index.File = name
	}
	d.journal.Checkpoint(cp)
	d.l.specSeen = map[string]string{}
	return keep, true
}

// gather adds to a checkpoint how far the reflog and the spec tracker have
// been followed, and the batches waiting for their hooks.
func (d *Daemon) gather(cp *journal.Checkpoint) {
	if d.vcs != nil {
		cp.Meta[reflogKey] = strconv.FormatInt(d.l.reflog, 10)
	}
	for k, v := range d.l.specSeen {
		cp.Meta[k] = v
	}
	for _, r := range d.sched.Waiting() {
		cp.Waiting = append(cp.Waiting, waitingRow(r))
	}
}

const reflogKey = "reflog_offset"

// waitingRow is a waiting batch as the journal keeps it.
func waitingRow(r queue.Record) journal.RunRow {
	row := engine.RunRow(r)
	if r.Phase == queue.Pending {
		row.Status = "pending"
		ev := r.Event
		row.Batch = &ev
	}
	return row
}

// finalCheckpoint is the checkpoint of a clean stop: everything the loop
// handled, once it and the sources have stopped.
func (d *Daemon) finalCheckpoint() {
	cp := journal.Checkpoint{Meta: map[string]string{}, Index: journal.IndexDelta{Full: true}}
	name, err := d.journal.WriteIndex(d.settler.WriteIndex)
	if err != nil {
		d.log.Error("write the file index at stop; the next start catches up from the last one", tint.Err(err))
		cp.Index = journal.IndexDelta{} // keep the last one written, and what came after
	}
	cp.Index.File = name
	d.gather(&cp)
	d.journal.Checkpoint(cp)
}

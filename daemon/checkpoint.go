package daemon

import (
	"context"
	"github.com/hookd-dev/hookd/engine"
	"strconv"
	"sync"
	"time"

	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/daemon/settle"
)

// Exactly once across a crash
//
// What hookd has handled is the file index (what each path looked like),
// how far HEAD's reflog was read, and the spec versions it last saw; what
// it has yet to handle is the batches waiting for their hooks. A
// checkpoint writes all of it as of one moment, in one journal transaction:
// taken on the settler's goroutine between two flushes (every change the
// index holds has been handed on), with no reflog read and no spec event
// under way, and with nothing held for a git operation. A run that
// finishes is recorded after a checkpoint that covers its batch. So after
// a crash a restart finds, by comparing with that index and that offset,
// exactly the changes no checkpoint covered: nothing a finished run handled
// comes back, and everything else is either in a waiting batch that was
// written, or found again.

// checkpointDelay is how long after a change a checkpoint is taken when no
// run finishes to take one: what a crash can make catch-up find again.
const checkpointDelay = 2 * time.Second

// checkpointer takes checkpoints for one running daemon.
type checkpointer struct {
	d       *Daemon
	settler *settle.Settler
	ctx     context.Context // the daemon's: done once the settler stops

	mu sync.Mutex
	// mu guards the fields that follow.
	timer *time.Timer
	done  bool
}

// soon takes a checkpoint a little later, unless one is already due.
func (c *checkpointer) soon(delay time.Duration) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil || c.done {
		return
	}
	c.timer = time.AfterFunc(delay, func() {
		c.mu.Lock()
		c.timer = nil
		done := c.done
		c.mu.Unlock()
		if !done {
			c.take()
		}
	})
}

func (c *checkpointer) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = true
	if c.timer != nil {
		c.timer.Stop()
	}
}

// take takes a checkpoint now, while the settler runs; once the daemon
// stops, the stop's own checkpoint does it. When some part of the pipeline
// is in the middle of something, it tries again shortly.
func (c *checkpointer) take() {
	if c == nil || c.ctx.Err() != nil {
		return
	}
	ctx := c.ctx
	taken := false
	err := c.settler.Checkpoint(ctx, func(delta settle.Delta) ([]string, bool) {
		var keep []string
		keep, taken = c.d.writeCheckpoint(delta)
		return keep, taken
	})
	if err != nil && ctx.Err() == nil {
		c.d.log.Warn("take a checkpoint", tint.Err(err))
	}
	if !taken && err == nil {
		c.soon(50 * time.Millisecond)
	}
}

// durable takes a checkpoint and returns once it is on disk, trying again
// while a stage is in the middle of something.
func (c *checkpointer) durable(ctx context.Context) error {
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		taken := false
		err := c.settler.Checkpoint(ctx, func(delta settle.Delta) ([]string, bool) {
			var keep []string
			keep, taken = c.d.writeCheckpoint(delta)
			return keep, taken
		})
		if err != nil {
			return err
		}
		if taken {
			return c.d.journal.Flush(ctx)
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

// writeCheckpoint gathers what the other stages have handled and queues it
// for the journal, with the file index's changes; false when a stage is
// busy, and nothing is written. The paths of file events held for a git
// operation are left out (keep): no batch holds them yet, so their change
// is not handled.
func (d *Daemon) writeCheckpoint(delta settle.Delta) (keep []string, ok bool) {
	held := map[string]bool{}
	if d.vcs != nil {
		held = d.vcs.heldPaths()
	}
	if delta.Full && len(held) > 0 {
		return nil, false // a whole index cannot leave paths out
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
	gather := func() bool {
		return d.specs.checkpoint(func(meta map[string]string) {
			for k, v := range meta {
				cp.Meta[k] = v
			}
			for _, r := range d.sched.Waiting() {
				cp.Waiting = append(cp.Waiting, waitingRow(r))
			}
		})
	}
	if d.vcs != nil {
		read := d.vcs.src.Checkpoint(func(offset int64) {
			cp.Meta[reflogKey] = strconv.FormatInt(offset, 10)
			ok = gather()
		})
		ok = ok && read
	} else {
		ok = gather()
	}
	if ok && delta.Full {
		// The whole index is streamed to its file now, on the settler's
		// goroutine: holding a copy for the journal's would double it.
		name, err := d.journal.WriteIndex(delta.Write)
		if err != nil {
			d.log.Error("write the file index; a restart will not catch up with changes until it is written", tint.Err(err))
			return nil, false
		}
		cp.Index.File = name
	}
	if ok {
		d.journal.Checkpoint(cp)
	}
	return keep, ok
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

// finalCheckpoint is the checkpoint of a clean stop: everything, once the
// settler and the sources have stopped.
func (d *Daemon) finalCheckpoint(s *settle.Settler) {
	cp := journal.Checkpoint{Meta: map[string]string{}, Index: journal.IndexDelta{Full: true}}
	name, err := d.journal.WriteIndex(s.WriteIndex)
	if err != nil {
		d.log.Error("write the file index at stop; the next start catches up from the last one", tint.Err(err))
		cp.Index = journal.IndexDelta{} // keep the last one written, and what came after
	}
	cp.Index.File = name
	if d.vcs != nil {
		cp.Meta[reflogKey] = strconv.FormatInt(d.vcs.src.Offset(), 10)
	}
	d.specs.checkpoint(func(meta map[string]string) {
		for k, v := range meta {
			cp.Meta[k] = v
		}
	})
	for _, r := range d.sched.Waiting() {
		cp.Waiting = append(cp.Waiting, waitingRow(r))
	}
	d.journal.Checkpoint(cp)
}

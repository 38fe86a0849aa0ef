package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/hookd-dev/hookd/event"
)

// writeDelay is how long the writer gathers what comes after the first
// record before it writes: a run's queued, started and finished states
// then go in one transaction, after its command has started rather than
// competing with it for the CPU.
const writeDelay = 20 * time.Millisecond

// Record queues a run's latest state. It never blocks on the disk.
func (j *Journal) Record(r RunRow) {
	j.mu.Lock()
	if _, queued := j.runs[r.ID]; !queued {
		j.order = append(j.order, r.ID)
	}
	if r.Batch == nil {
		r.Batch = j.runs[r.ID].Batch
	}
	j.runs[r.ID] = r
	j.mu.Unlock()
	j.signal()
}

// Checkpoint queues a checkpoint; it is written with the runs and events
// queued before it, in one transaction. It never blocks on the disk.
func (j *Journal) Checkpoint(c Checkpoint) {
	j.mu.Lock()
	j.checks = append(j.checks, c)
	j.mu.Unlock()
	j.signal()
}

// Forget queues the removal of a run's row: a gathering batch that was
// merged into another leaves no row to be made again after a crash.
func (j *Journal) Forget(id string) {
	j.mu.Lock()
	j.forget = append(j.forget, id)
	j.mu.Unlock()
	j.signal()
}

// Event queues an accepted event. It never blocks on the disk.
func (j *Journal) Event(ev event.Event) {
	j.mu.Lock()
	j.events = append(j.events, ev)
	j.mu.Unlock()
	j.signal()
}

// hurry makes the writer write what it has at once.
func (j *Journal) hurry() {
	select {
	case j.urgent <- struct{}{}:
	default:
	}
}

func (j *Journal) signal() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// Flush returns once everything queued before the call is written.
func (j *Journal) Flush(ctx context.Context) error {
	ch := make(chan struct{})
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return errors.New("journal: closed")
	}
	j.flushed = append(j.flushed, ch)
	j.mu.Unlock()
	j.hurry()
	j.signal()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (j *Journal) writer() {
	defer close(j.done)
	inserted := 0
	for range j.wake {
		select {
		case <-j.urgent:
		default:
			t := time.NewTimer(writeDelay)
			select {
			case <-t.C:
			case <-j.urgent:
				t.Stop()
			}
		}
		j.mu.Lock()
		runs, order, events, checks, forget, flushed, closed := j.runs, j.order, j.events, j.checks, j.forget, j.flushed, j.closed
		j.runs, j.order, j.events, j.checks, j.forget, j.flushed = map[string]RunRow{}, nil, nil, nil, nil, nil
		j.mu.Unlock()
		if len(order) > 0 || len(events) > 0 || len(checks) > 0 || len(forget) > 0 {
			if err := j.write(runs, order, events, checks, forget); err != nil {
				j.log.Error("journal write failed; these runs are not recorded", "runs", len(order), "err", err)
			}
			inserted += len(order) + len(events)
			if inserted >= 500 {
				inserted = 0
				if err := j.prune(); err != nil {
					j.log.Warn("journal prune failed", "err", err)
				}
			}
		}
		for _, ch := range flushed {
			close(ch)
		}
		if closed {
			return
		}
	}
}

func (j *Journal) write(runs map[string]RunRow, order []string, events []event.Event, checks []Checkpoint, forget []string) error {
	// A whole index is in a file of its own, written before: the
	// transaction names it, and a crash before leaves the last one named.
	var blobFile string
	for i, c := range checks {
		if !c.Index.Full || c.Index.File == "" {
			continue
		}
		blobFile = c.Index.File
		checks[i].Meta = maps.Clone(c.Meta)
		if checks[i].Meta == nil {
			checks[i].Meta = map[string]string{}
		}
		checks[i].Meta[indexFileKey] = blobFile
	}
	tx, err := j.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, id := range order {
		if err := writeRun(tx.Stmt(j.insertRun), runs[id]); err != nil {
			return err
		}
	}
	for _, id := range forget {
		if _, err := tx.Exec(`DELETE FROM runs WHERE id = ? AND status = 'pending'`, id); err != nil {
			return err
		}
	}
	for _, ev := range events {
		var files []string
		for _, f := range ev.Files {
			files = append(files, f.Change+" "+f.Path)
		}
		fj, _ := json.Marshal(capFiles(files, MaxEventFiles))
		if _, err := tx.Stmt(j.insertEvent).Exec(int64(ev.ID), string(ev.Kind), ev.Time.UnixNano(), ev.Depth, ev.Cause, string(fj)); err != nil {
			return fmt.Errorf("record event: %w", err)
		}
	}
	for _, c := range checks {
		if err := j.writeCheckpoint(tx, c); err != nil {
			return fmt.Errorf("write a checkpoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if blobFile != "" {
		j.removeOldIndexes(blobFile)
	}
	return nil
}

// prune applies the retention limits.
func (j *Journal) prune() error {
	for _, q := range []string{
		fmt.Sprintf(`DELETE FROM runs WHERE seq <= (SELECT MAX(seq) FROM runs) - %d`, MaxRuns),
		fmt.Sprintf(`UPDATE runs SET output = '…' || substr(output, -%d) WHERE length(output) > %d AND seq <= (SELECT MAX(seq) FROM runs) - %d`, TailOutput, TailOutput+1, FullOutputs),
		fmt.Sprintf(`UPDATE runs SET prompt = substr(prompt, 1, %d) || '…' WHERE length(prompt) > %d AND seq <= (SELECT MAX(seq) FROM runs) - %d`, TailOutput, TailOutput+1, FullOutputs),
		fmt.Sprintf(`DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - %d`, MaxEvents),
	} {
		if _, err := j.db.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
)

// RunRow is a run as recorded: the run, and the batch it ran (or will run)
// on, so a queued run can be made after a crash.
type RunRow struct {
	ipc.Run
	Batch *event.Event
	// PID is the process group of the run's command while it runs.
	PID int
}

func writeRun(insert *sql.Stmt, r RunRow) error {
	files, _ := json.Marshal(capFiles(r.Files, MaxFiles))
	// The batch is what a restart needs to make a queued run; once the
	// run has ended it is only weight.
	var batch []byte
	if r.Batch != nil && (r.Status == "pending" || r.Status == "queued" || r.Status == "running") {
		batch, _ = json.Marshal(r.Batch)
	}
	var start int64
	if !r.Start.IsZero() {
		start = r.Start.UnixNano()
	}
	var written []byte
	if len(r.FilesWritten) > 0 {
		written, _ = json.Marshal(r.FilesWritten)
	}
	var agent []byte
	if r.Agent != nil {
		a := *r.Agent
		a.Files, a.FilesGuessed = capFiles(a.Files, MaxFiles), capFiles(a.FilesGuessed, MaxFiles)
		a.Commands = capFiles(a.Commands, MaxCommands)
		if len(a.Final) > MaxFinal {
			a.Final = strings.ToValidUTF8(a.Final[:MaxFinal], "") + "…"
		}
		agent, _ = json.Marshal(a)
	}
	_, err := insert.Exec(r.ID, r.Hook, r.Event, r.Status, r.Exit, start, int64(r.Duration), string(files), r.Output, r.Error, r.Reason, string(batch), r.PID, r.Prompt, string(written), string(agent))
	if err != nil {
		return fmt.Errorf("record run %s: %w", r.ID, err)
	}
	return nil
}

// Runs lists recent runs, newest first, of one hook or all (""), with the
// tail of their output.
func (j *Journal) Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error) {
	if err := j.Flush(ctx); err != nil {
		return nil, err
	}
	return listRuns(ctx, j.db, hook, limit)
}

// Get returns one run whole.
func (j *Journal) Get(ctx context.Context, id string) (RunRow, bool, error) {
	if err := j.Flush(ctx); err != nil {
		return RunRow{}, false, err
	}
	return getRun(ctx, j.db, id)
}

func listRuns(ctx context.Context, db *sql.DB, hook string, limit int) ([]ipc.Run, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT id, hook, event, status, exit, start_ns, duration_ns, files, substr(output, -?), error, reason, agent, '', 0, written FROM runs`
	args := []any{TailOutput}
	if hook != "" {
		q += ` WHERE hook = ?`
		args = append(args, hook)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("journal: list runs: %w", err)
	}
	defer rows.Close()
	out := []ipc.Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r.Run)
	}
	return out, rows.Err()
}

func getRun(ctx context.Context, db *sql.DB, id string) (RunRow, bool, error) {
	row := db.QueryRowContext(ctx, `SELECT id, hook, event, status, exit, start_ns, duration_ns, files, output, error, reason, agent, batch, pid, written FROM runs WHERE id = ?`, id)
	r, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return RunRow{}, false, nil
	}
	if err != nil {
		return RunRow{}, false, err
	}
	if err := db.QueryRowContext(ctx, `SELECT prompt FROM runs WHERE id = ?`, id).Scan(&r.Prompt); err != nil {
		return RunRow{}, false, err
	}
	return r, true, nil
}

// Reader reads a journal no daemon has open, or one a daemon is writing,
// without writing to it: `hookd history` when hookd is not running.
type Reader struct{ db *sql.DB }

// OpenReader opens the journal at path to read. A journal that does not
// exist is an error wrapping fs.ErrNotExist; it is never created.
func OpenReader(path string) (*Reader, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("journal: %s is not a regular file", path)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return &Reader{db: db}, nil
}

// Runs is Journal.Runs, of what is on disk.
func (r *Reader) Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error) {
	return listRuns(ctx, r.db, hook, limit)
}

// Get is Journal.Get, of what is on disk.
func (r *Reader) Get(ctx context.Context, id string) (RunRow, bool, error) {
	return getRun(ctx, r.db, id)
}

// Close closes the database.
func (r *Reader) Close() error { return r.db.Close() }

// Unfinished returns the runs a previous daemon left queued or running,
// oldest first: after a crash, the queued ones still have to run and the
// running ones were cut off.
func (j *Journal) Unfinished(ctx context.Context) ([]RunRow, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT id, hook, event, status, exit, start_ns, duration_ns, files, output, error, reason, agent, batch, pid, written
		FROM runs WHERE status IN ('pending', 'queued', 'running') ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("journal: unfinished runs: %w", err)
	}
	defer rows.Close()
	var out []RunRow
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(s scanner) (RunRow, error) {
	var r RunRow
	var start, dur int64
	var files string
	// Every query selects the same columns, in this order.
	var agent, batch, written string
	dest := []any{&r.ID, &r.Hook, &r.Event, &r.Status, &r.Exit, &start, &dur, &files, &r.Output, &r.Error, &r.Reason, &agent, &batch, &r.PID, &written}
	if err := s.Scan(dest...); err != nil {
		return RunRow{}, err
	}
	if start != 0 {
		r.Start = time.Unix(0, start)
	}
	r.Duration = time.Duration(dur)
	_ = json.Unmarshal([]byte(files), &r.Files)
	if r.Files == nil {
		r.Files = []string{}
	}
	if written != "" {
		_ = json.Unmarshal([]byte(written), &r.FilesWritten)
	}
	if agent != "" {
		var a ipc.AgentRun
		if json.Unmarshal([]byte(agent), &a) == nil {
			r.Agent = &a
		}
	}
	if batch != "" {
		var ev event.Event
		if json.Unmarshal([]byte(batch), &ev) == nil {
			r.Batch = &ev
		}
	}
	return r, nil
}

// Package journal is hookd's memory across restarts: a SQLite database (in
// WAL mode, pure Go) in the state directory that records accepted events,
// every run with its output, and the file index that catch-up compares
// against on the next start.
//
// # Writes never wait
//
// Record and Event hand their row to a writer goroutine and return at once;
// the writer coalesces what has queued up (the latest state of a run wins)
// into one transaction. The event path never waits for the disk. Reads
// flush first, so `hookd history` sees every run recorded before it asked.
//
// # Bounded
//
// The newest MaxRuns runs and MaxEvents events are kept. A run keeps at
// most MaxFiles of its paths (and how many there were), and its batch only
// until it ends (what a restart needs to make it); runs older than the
// newest FullOutputs keep only the tail of their output and the head of
// their prompt. Every column is bounded, so the journal is too: at most
// about FullOutputs × (64 KiB of output + 200 KiB of prompt) plus MaxRuns ×
// 25 KiB (an agent run's report included), some 300 MB in the worst case
// and a few MB in practice, however long the daemon runs.
package journal

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/safefile"
)

// Retention limits.
const (
	MaxRuns     = 10000
	MaxEvents   = 10000
	FullOutputs = 200
	TailOutput  = 2 << 10
	// MaxFiles bounds the paths a run row keeps; MaxEventFiles an event's.
	MaxFiles      = 100
	MaxEventFiles = 20
	// An agent run keeps MaxCommands of its shell commands and the first
	// MaxFinal bytes of its final message.
	MaxCommands = 20
	MaxFinal    = 4 << 10
)

// capFiles keeps the first n paths, and says how many more there were.
func capFiles(paths []string, n int) []string {
	if len(paths) <= n {
		return paths
	}
	return append(paths[:n:n], fmt.Sprintf("… and %d more", len(paths)-n))
}

const schema = `
CREATE TABLE IF NOT EXISTS runs (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT UNIQUE NOT NULL,
	hook        TEXT NOT NULL,
	event       TEXT NOT NULL,
	status      TEXT NOT NULL,
	exit        INTEGER NOT NULL DEFAULT -1,
	start_ns    INTEGER NOT NULL DEFAULT 0,
	duration_ns INTEGER NOT NULL DEFAULT 0,
	files       TEXT NOT NULL DEFAULT '[]',
	output      TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	batch       TEXT NOT NULL DEFAULT '',
	pid         INTEGER NOT NULL DEFAULT 0,
	prompt      TEXT NOT NULL DEFAULT '',
	written     TEXT NOT NULL DEFAULT '',
	agent       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_by_hook ON runs(hook, seq);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs(status);
CREATE TABLE IF NOT EXISTS events (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	kind    TEXT NOT NULL,
	time_ns INTEGER NOT NULL,
	depth   INTEGER NOT NULL,
	cause   TEXT NOT NULL,
	files   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_index (
	path   TEXT PRIMARY KEY,
	size   INTEGER NOT NULL,
	mtime  INTEGER NOT NULL,
	hash   INTEGER NOT NULL,
	hashed INTEGER NOT NULL
) WITHOUT ROWID;
`

// RunRow is a run as recorded: the run, and the batch it ran (or will run)
// on, so a queued run can be made after a crash.
type RunRow struct {
	ipc.Run
	Batch *event.Event
	// PID is the process group of the run's command while it runs.
	PID int
}

// Checkpoint is what has been handled, as of one moment: every batch still
// waiting (gathering, "pending", or queued behind a run), the file index's
// changes since the last checkpoint, and small values such as how far the
// reflog was read. It is written in one transaction, after the runs queued
// before it, so that after a crash a restart repeats nothing a recorded
// run handled and loses nothing that was only waiting.
type Checkpoint struct {
	Waiting []RunRow
	Index   IndexDelta
	Meta    map[string]string
}

// IndexDelta is a change of the persisted file index: the entries to write
// and the paths to delete, or, with Full, the whole index: the blob in
// File, which WriteIndex wrote.
type IndexDelta struct {
	Full    bool
	File    string
	Put     []IndexEntry
	Deleted []string
}

// Journal is an open journal.
type Journal struct {
	db  *sql.DB
	log *slog.Logger
	// path is the database's file, "" in memory; blob is the index blob of
	// an in-memory journal, which has no directory to keep it in.
	path string
	blob []byte
	// The statements every write uses, prepared once: SQLite parses a
	// statement in about as long as it runs it.
	insertRun, insertEvent, upsertMeta *sql.Stmt
	// urgent says a Flush or Close waits: write at once, not after
	// gathering (writeDelay).
	urgent chan struct{}

	mu sync.Mutex
	// mu guards the fields that follow: the writer's queue.
	runs    map[string]RunRow // latest state of each run not yet written
	order   []string          // their ids, first recorded first
	events  []event.Event
	checks  []Checkpoint
	forget  []string        // run ids whose rows go
	flushed []chan struct{} // closed once everything queued before has been written
	closed  bool

	wake chan struct{}
	done chan struct{}
}

// Open opens (creating it) the journal at path. An empty path opens an
// in-memory journal, which is what a daemon uses when its state directory
// cannot hold one.
func Open(path string, log *slog.Logger) (*Journal, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)"
	if path == "" {
		dsn = "file::memory:"
	}
	if path != "" {
		// SQLite follows a symlink; hookd never writes through one.
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				return nil, fmt.Errorf("journal: %s is a symlink; hookd never writes through one", p)
			}
		}
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("journal: open %s: %w", path, err)
	}
	// One connection: SQLite serialises writers anyway, and :memory: is per
	// connection.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("journal: create schema in %s: %w", path, err)
	}
	// Columns added since the first schema; an older journal gains them.
	for _, col := range []string{"runs ADD COLUMN prompt TEXT NOT NULL DEFAULT ''", "runs ADD COLUMN written TEXT NOT NULL DEFAULT ''",
		"file_index ADD COLUMN gone INTEGER NOT NULL DEFAULT 0", "runs ADD COLUMN agent TEXT NOT NULL DEFAULT ''"} {
		if _, err := db.Exec(`ALTER TABLE ` + col); err != nil && !strings.Contains(err.Error(), "duplicate column") {
			db.Close()
			return nil, fmt.Errorf("journal: alter table %s in %s: %w", col, path, err)
		}
	}
	j := &Journal{db: db, log: log, path: path, runs: map[string]RunRow{}, wake: make(chan struct{}, 1), urgent: make(chan struct{}, 1), done: make(chan struct{})}
	for _, st := range []struct {
		into **sql.Stmt
		sql  string
	}{{&j.insertRun, insertRunSQL}, {&j.insertEvent, insertEventSQL}, {&j.upsertMeta, upsertMetaSQL}} {
		if *st.into, err = db.Prepare(st.sql); err != nil {
			db.Close()
			return nil, fmt.Errorf("journal: prepare in %s: %w", path, err)
		}
	}
	go j.writer()
	return j, nil
}

const (
	insertRunSQL = `INSERT INTO runs (id, hook, event, status, exit, start_ns, duration_ns, files, output, error, reason, batch, pid, prompt, written, agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET status = excluded.status, exit = excluded.exit,
			start_ns = excluded.start_ns, duration_ns = excluded.duration_ns, files = excluded.files,
			output = excluded.output, error = excluded.error, reason = excluded.reason,
			batch = CASE WHEN excluded.status NOT IN ('pending', 'queued', 'running') THEN '' WHEN excluded.batch = '' THEN runs.batch ELSE excluded.batch END,
			pid = CASE WHEN excluded.pid = 0 THEN runs.pid ELSE excluded.pid END,
			prompt = CASE WHEN excluded.prompt = '' THEN runs.prompt ELSE excluded.prompt END,
			written = CASE WHEN excluded.written = '' THEN runs.written ELSE excluded.written END,
			agent = CASE WHEN excluded.agent = '' THEN runs.agent ELSE excluded.agent END`
	insertEventSQL = `INSERT INTO events (kind, time_ns, depth, cause, files) VALUES (?, ?, ?, ?, ?)`
	upsertMetaSQL  = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`
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

// Close writes what is queued and closes the database.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	j.hurry()
	j.signal()
	<-j.done
	return j.db.Close()
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
		if _, err := tx.Stmt(j.insertEvent).Exec(string(ev.Kind), ev.Time.UnixNano(), ev.Depth, ev.Cause, string(fj)); err != nil {
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

// indexFileKey is the meta key naming the file that holds the index blob.
const indexFileKey = "index_file"

// WriteIndex writes a whole file index, as write writes it, into a new
// file beside the journal (never over one, never through a symlink), and
// returns its name for the checkpoint that names it. An in-memory journal
// keeps it in memory.
func (j *Journal) WriteIndex(write func(io.Writer) error) (string, error) {
	if j.path == "" {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return "", err
		}
		j.mu.Lock()
		j.blob = b.Bytes()
		j.mu.Unlock()
		return "", nil
	}
	name := fmt.Sprintf("%s.index-%d", filepath.Base(j.path), time.Now().UnixNano())
	if err := safefile.WriteFunc(filepath.Join(filepath.Dir(j.path), name), 0o600, write); err != nil {
		return "", fmt.Errorf("journal: write the file index: %w", err)
	}
	return name, nil
}

// removeOldIndexes removes the index files but the one named now.
func (j *Journal) removeOldIndexes(current string) {
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(j.path), filepath.Base(j.path)+".index-*"))
	for _, f := range old {
		if filepath.Base(f) != current {
			os.Remove(f)
		}
	}
}

// writeCheckpoint writes one checkpoint inside tx. The waiting batches it
// lists replace every pending row before it: a batch that has since been
// merged into another, or dropped, must not come back after a crash.
func (j *Journal) writeCheckpoint(tx *sql.Tx, c Checkpoint) error {
	ids := make([]any, 0, len(c.Waiting))
	marks := make([]string, 0, len(c.Waiting))
	for _, r := range c.Waiting {
		// The checkpoint saw the batch waiting; a row of it already past
		// waiting (the run written in this transaction or before, when it
		// started or ended between the snapshot and now) stays as it is.
		var status string
		err := tx.QueryRow(`SELECT status FROM runs WHERE id = ?`, r.ID).Scan(&status)
		if err == nil && status != "pending" && status != "queued" {
			continue
		}
		if err := writeRun(tx.Stmt(j.insertRun), r); err != nil {
			return err
		}
		ids, marks = append(ids, r.ID), append(marks, "?")
	}
	q := `DELETE FROM runs WHERE status = 'pending'`
	if len(ids) > 0 {
		q += ` AND id NOT IN (` + strings.Join(marks, ",") + `)`
	}
	if _, err := tx.Exec(q, ids...); err != nil {
		return err
	}
	if err := writeIndex(tx, c.Index); err != nil {
		return err
	}
	for k, v := range c.Meta {
		if _, err := tx.Stmt(j.upsertMeta).Exec(k, v); err != nil {
			return err
		}
	}
	return nil
}

// writeIndex writes a change of the index as rows over its blob (written
// apart, see write): one per file changed since, a deleted one marked
// gone. A whole index clears them.
func writeIndex(tx *sql.Tx, d IndexDelta) error {
	if d.Full {
		if _, err := tx.Exec(`DELETE FROM file_index`); err != nil {
			return err
		}
	}
	put, err := tx.Prepare(`INSERT INTO file_index (path, size, mtime, hash, hashed, gone) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash, hashed = excluded.hashed, gone = excluded.gone`)
	if err != nil {
		return err
	}
	defer put.Close()
	for _, e := range d.Put {
		hashed := 0
		if e.Hashed {
			hashed = 1
		}
		// SQLite integers are signed: store the hash's bits as int64.
		if _, err := put.Exec(e.Path, e.Size, e.Mtime, int64(e.Hash), hashed, 0); err != nil {
			return err
		}
	}
	for _, p := range d.Deleted {
		if _, err := put.Exec(p, 0, 0, 0, 0, 1); err != nil {
			return err
		}
	}
	return nil
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

// Counts reports how many runs and events the journal holds.
func (j *Journal) Counts(ctx context.Context) (runs, events int, err error) {
	if err := j.Flush(ctx); err != nil {
		return 0, 0, err
	}
	err = j.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM events)`).Scan(&runs, &events)
	return runs, events, err
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

// AgentRuns returns the agent report of every run that started at or
// after since, oldest first: what today's budgets count.
func (j *Journal) AgentRuns(ctx context.Context, since time.Time) ([]ipc.AgentRun, error) {
	if err := j.Flush(ctx); err != nil {
		return nil, err
	}
	rows, err := j.db.QueryContext(ctx, `SELECT agent FROM runs WHERE agent != '' AND start_ns >= ? ORDER BY seq`, since.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("journal: agent runs: %w", err)
	}
	defer rows.Close()
	var out []ipc.AgentRun
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var a ipc.AgentRun
		if json.Unmarshal([]byte(raw), &a) == nil {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// Session is the agent session a hook's next run resumes (session =
// "resume"): the agent that ran it, and its id; "" when there is none.
func (j *Journal) Session(ctx context.Context, hook string) (agent, id string, err error) {
	v, err := j.Meta(ctx, "session/"+hook)
	if err != nil || v == "" {
		return "", "", err
	}
	agent, id, _ = strings.Cut(v, "\t")
	return agent, id, nil
}

// SetSession records the session a hook's run of agent ended in.
func (j *Journal) SetSession(ctx context.Context, hook, agent, id string) error {
	return j.SetMeta(ctx, "session/"+hook, agent+"\t"+id)
}

// ForgetSession makes a hook's next run start a new session, and returns
// the one forgotten.
func (j *Journal) ForgetSession(ctx context.Context, hook string) (string, error) {
	_, id, err := j.Session(ctx, hook)
	if err != nil {
		return "", err
	}
	_, err = j.db.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, "session/"+hook)
	return id, err
}

// SetMeta stores a small value the next daemon needs, such as how far the
// git reflog was read.
func (j *Journal) SetMeta(ctx context.Context, key, value string) error {
	_, err := j.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Meta returns a stored value, or "" when there is none.
func (j *Journal) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := j.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// MaxIndexFile bounds the index blob read back: ten million files.
const MaxIndexFile = 1 << 30

// IndexEntry is one file of the persisted index, or (Gone) one deleted
// since its blob.
type IndexEntry struct {
	Path   string
	Size   int64
	Mtime  int64
	Hash   uint64
	Hashed bool
	Gone   bool
}

// LoadIndex returns the persisted file index: its blob (nil when none was
// written) and the changes since, in the order to apply them. A journal of
// an older hookd has no blob, and its rows are the whole index.
func (j *Journal) LoadIndex(ctx context.Context) (blob []byte, changes []IndexEntry, err error) {
	j.mu.Lock()
	blob = j.blob
	j.mu.Unlock()
	if name, err := j.Meta(ctx, indexFileKey); err != nil {
		return nil, nil, err
	} else if name != "" && j.path != "" {
		if blob, err = safefile.Read(filepath.Join(filepath.Dir(j.path), filepath.Base(name)), MaxIndexFile); err != nil {
			return nil, nil, fmt.Errorf("journal: read the file index: %w", err)
		}
	}
	rows, err := j.db.QueryContext(ctx, `SELECT path, size, mtime, hash, hashed, gone FROM file_index`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e IndexEntry
		var h int64
		var hashed, gone int
		if err := rows.Scan(&e.Path, &e.Size, &e.Mtime, &h, &hashed, &gone); err != nil {
			return nil, nil, err
		}
		e.Hash, e.Hashed, e.Gone = uint64(h), hashed == 1, gone == 1
		changes = append(changes, e)
	}
	return blob, changes, rows.Err()
}

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
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/hookd-dev/hookd/event"
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

// Counts reports how many runs and events the journal holds.
func (j *Journal) Counts(ctx context.Context) (runs, events int, err error) {
	if err := j.Flush(ctx); err != nil {
		return 0, 0, err
	}
	err = j.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM events)`).Scan(&runs, &events)
	return runs, events, err
}

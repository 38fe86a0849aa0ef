package journal

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/safefile"
)

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

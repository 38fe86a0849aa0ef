package journal_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
)

func open(t testing.TB, path string) *journal.Journal {
	t.Helper()
	j, err := journal.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestRunsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	j := open(t, path)
	batch := &event.Event{Kind: event.FileSaved, Files: []event.File{{Path: "a.go", Change: "saved"}}}
	j.Record(journal.RunRow{Run: ipc.Run{ID: "r1", Hook: "h", Event: "file.saved", Status: "queued", Files: []string{"a.go"}}, Batch: batch})
	j.Record(journal.RunRow{Run: ipc.Run{ID: "r1", Hook: "h", Event: "file.saved", Status: "ok", Exit: 0, Output: "done\n", Start: time.Now(), Files: []string{"a.go"}}})
	j.Record(journal.RunRow{Run: ipc.Run{ID: "r2", Hook: "h", Event: "file.saved", Status: "running", Files: []string{"b.go"}}, Batch: batch})
	j.Event(*batch)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = open(t, path)
	defer j.Close()
	runs, err := j.Runs(context.Background(), "", 10)
	if err != nil || len(runs) != 2 || runs[0].ID != "r2" || runs[1].Status != "ok" || runs[1].Output != "done\n" {
		t.Fatalf("runs after reopen: %+v %v", runs, err)
	}
	r, ok, err := j.Get(context.Background(), "r1")
	if !ok || err != nil || r.Batch != nil || r.Files[0] != "a.go" {
		t.Fatalf("get: %+v %v %v", r, ok, err)
	}
	un, err := j.Unfinished(context.Background())
	if err != nil || len(un) != 1 || un[0].ID != "r2" || un[0].Batch == nil {
		t.Fatalf("unfinished: %+v %v", un, err)
	}
}

// A Reader reads what a closed journal holds, and what an open one has
// written, and never creates one.
func TestReaderReadsWithoutWriting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	if _, err := journal.OpenReader(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing journal: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("OpenReader created the journal")
	}
	j := open(t, path)
	j.Record(journal.RunRow{Run: ipc.Run{ID: "r1", Hook: "h", Event: "file.saved", Status: "ok", Output: "done\n", Start: time.Now(), Files: []string{"a.go"}}})
	if err := j.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, state := range []string{"open", "closed"} {
		r, err := journal.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := r.Runs(context.Background(), "h", 10)
		if err != nil || len(runs) != 1 || runs[0].Output != "done\n" {
			t.Errorf("%s journal: runs %+v %v", state, runs, err)
		}
		if run, ok, err := r.Get(context.Background(), "r1"); !ok || err != nil || run.Files[0] != "a.go" {
			t.Errorf("%s journal: get %+v %v %v", state, run, ok, err)
		}
		r.Close()
		j.Close()
	}
}

// Retention keeps the journal bounded however many runs it sees.
func TestRetentionUnder100kRuns(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "journal.db"))
	defer j.Close()
	big := strings.Repeat("x", 3<<10) // more than the tail old runs keep
	var many []string
	for i := range 300 {
		many = append(many, fmt.Sprintf("src/pkg%d/file%d.go", i/100, i))
	}
	batch := &event.Event{Kind: event.FileSaved}
	for _, f := range many {
		batch.Files = append(batch.Files, event.File{Path: f, Change: "saved"})
	}
	for i := range retentionRuns {
		id := fmt.Sprint("r", i)
		if i%50 == 0 { // some queued first, with their batch
			j.Record(journal.RunRow{Run: ipc.Run{ID: id, Hook: "h", Event: "file.saved", Status: "queued", Files: many}, Batch: batch})
			j.Event(*batch)
		}
		j.Record(journal.RunRow{Run: ipc.Run{ID: id, Hook: "h", Event: "file.saved", Status: "ok", Output: big, Prompt: big, Files: many}})
		if i%(retentionRuns/5) == 0 {
			j.Flush(context.Background())
		}
	}
	runs, events, err := j.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if runs > journal.MaxRuns+500 {
		t.Errorf("%d runs kept, bound is %d", runs, journal.MaxRuns)
	}
	got, _ := j.Runs(context.Background(), "", 1)
	if got[0].ID != fmt.Sprint("r", retentionRuns-1) {
		t.Errorf("newest run is %s", got[0].ID)
	}
	old, ok, _ := j.Get(context.Background(), fmt.Sprint("r", retentionRuns-9000))
	if !ok || len(old.Output) > journal.TailOutput+10 || len(old.Prompt) > journal.TailOutput+10 || len(old.Files) != journal.MaxFiles+1 || old.Batch != nil {
		t.Errorf("an old run keeps %d bytes of output, %d of prompt, %d paths, batch %v; want the tail, the head, %d paths and no batch",
			len(old.Output), len(old.Prompt), len(old.Files), old.Batch != nil, journal.MaxFiles)
	}
	if last := old.Files[len(old.Files)-1]; last != "… and 200 more" {
		t.Errorf("the capped list ends %q", last)
	}
	t.Logf("%d runs, %d events kept", runs, events)
}

// Recording never waits for the disk: 1,000 runs are queued in far less
// than the time SQLite takes to write them.
func BenchmarkRecord(b *testing.B) {
	j := open(b, filepath.Join(b.TempDir(), "journal.db"))
	defer j.Close()
	run := journal.RunRow{Run: ipc.Run{Hook: "h", Event: "file.saved", Status: "ok", Output: "ok\n", Files: []string{"a.go"}}}
	i := 0
	for b.Loop() {
		run.ID = fmt.Sprint("r", i)
		i++
		j.Record(run)
	}
	b.StopTimer()
	j.Flush(context.Background())
}

// The index is kept as a blob in a file of its own, named by the
// checkpoint that wrote it, and the changes since as rows; both survive a
// reopen, and only the current blob file is kept.
func TestIndexBlobAndChanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	j := open(t, path)
	ctx := context.Background()
	for _, blob := range []string{"first", "second"} {
		name, err := j.WriteIndex(func(w io.Writer) error { _, err := io.WriteString(w, blob); return err })
		if err != nil {
			t.Fatal(err)
		}
		j.Checkpoint(journal.Checkpoint{Index: journal.IndexDelta{Full: true, File: name}})
		if err := j.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	j.Checkpoint(journal.Checkpoint{Index: journal.IndexDelta{Put: []journal.IndexEntry{{Path: "a", Size: 1}}, Deleted: []string{"b"}}})
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(j *journal.Journal) {
		t.Helper()
		blob, changes, err := j.LoadIndex(ctx)
		if err != nil || string(blob) != "second" || len(changes) != 2 {
			t.Fatalf("blob %q, changes %+v, %v", blob, changes, err)
		}
		for _, c := range changes {
			if c.Path == "a" && (c.Gone || c.Size != 1) || c.Path == "b" && !c.Gone {
				t.Errorf("change %+v", c)
			}
		}
	}
	check(j)
	j.Close()
	j = open(t, path)
	defer j.Close()
	check(j)
	if files, _ := filepath.Glob(path + ".index-*"); len(files) != 1 {
		t.Errorf("index files %v, want the current one alone", files)
	}

	mem := open(t, "")
	defer mem.Close()
	name, err := mem.WriteIndex(func(w io.Writer) error { _, err := io.WriteString(w, "in memory"); return err })
	if err != nil {
		t.Fatal(err)
	}
	mem.Checkpoint(journal.Checkpoint{Index: journal.IndexDelta{Full: true, File: name}})
	mem.Flush(ctx)
	if blob, _, err := mem.LoadIndex(ctx); err != nil || string(blob) != "in memory" {
		t.Errorf("in memory: %q %v", blob, err)
	}
}

// A checkpoint's snapshot of waiting batches can be older than a run of
// one of them that ended since: the run's row stays as it ended, and the
// next checkpoint without the batch does not delete it (a run once lost
// from the history this way under load: agent_session.txtar).
func TestStaleWaitingRowDoesNotUndoARun(t *testing.T) {
	j := open(t, filepath.Join(t.TempDir(), "journal.db"))
	defer j.Close()
	ctx := context.Background()
	batch := &event.Event{Kind: event.FileCreated, Files: []event.File{{Path: "a.md", Change: "created"}}}
	waiting := journal.RunRow{Run: ipc.Run{ID: "r1", Hook: "h", Event: "file.created", Status: "pending", Files: []string{"a.md"}}, Batch: batch}
	j.Record(journal.RunRow{Run: ipc.Run{ID: "r1", Hook: "h", Event: "file.created", Status: "ok", Start: time.Now(), Files: []string{"a.md"}}})
	j.Checkpoint(journal.Checkpoint{Waiting: []journal.RunRow{waiting}}) // taken before the run ended
	j.Checkpoint(journal.Checkpoint{})                                   // the next: nothing waits
	runs, err := j.Runs(ctx, "h", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != "ok" {
		t.Fatalf("runs %+v, want r1 ok", runs)
	}
}

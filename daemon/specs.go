package daemon

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// specTracker turns file events on spec documents into spec.changed and
// spec.task events, and keeps the trace index current. The version each
// change is compared with is the last one hookd saw, kept in the journal
// so that it survives restarts; on first sight it is HEAD's.
//
// It works on its own goroutine, after the file events have gone to the
// hooks: reading and parsing never hold up the daemon's loop, and spec
// events wait until the index knows the whole tree, so their impact is
// complete. What it derives goes back to the loop as one message per
// batch of file events it was offered (specRead), with the versions it
// saw, so that a checkpoint records a version together with the events it
// made.
type specTracker struct {
	root    string
	index   *spec.Index
	journal *journal.Journal
	// history keeps the blames of trace reports until their file or HEAD
	// changes.
	history *trace.History
	// changes counts the file events followed: a trace report reads the
	// work tree's git status again only when it moved.
	changes atomic.Uint64
	log     *slog.Logger
	built   chan struct{} // closed once the index is ready for queries
	// files lists the work tree's files (the settler's index); anyFile
	// says whether one satisfies a test, without listing them.
	files   func(context.Context) ([]string, error)
	anyFile func(ctx context.Context, match func(dir, name string) bool) (bool, error)
	// send hands the loop what the tracker made of a batch.
	send func(specRead)
	// indexed says whether code files were scanned for citations. A tree
	// without specs is not scanned until a spec document appears: reading
	// every file of a big repository for nothing would be a waste.
	indexed bool

	mu sync.Mutex // orders the diffs of one document, and guards warned
	// warned holds, per document, the reason it was last reported not
	// understood.
	warned map[string]string
	// before holds spec documents as they were when an agent session's
	// tool was about to write them (agent.tool.before), for the change
	// its agent.tool.after reports.
	before map[string]beforeTool
	// seen holds the last version seen of each document ("" for one
	// deleted), the baseline of its next change; fresh, those seen in the
	// batch being followed, which the loop's next checkpoint writes to the
	// journal with the events they made: written any earlier, a crash
	// would take the change for one already handled.
	seen, fresh map[string]string

	qmu sync.Mutex
	// qmu guards the fields that follow.
	queued []event.Event
	wake   chan struct{}
}

// specRead is what the tracker made of a batch of the file events it was
// offered: the spec events, and the versions it saw (journal meta values).
type specRead struct {
	events   []event.Event
	seen     map[string]string
	followed int // file events of the batch
}

func newSpecTracker(root string, roots, patterns []string, j *journal.Journal, files func(context.Context) ([]string, error),
	anyFile func(ctx context.Context, match func(dir, name string) bool) (bool, error), send func(specRead), log *slog.Logger) *specTracker {
	x, err := spec.NewIndex(roots, patterns)
	if err != nil {
		// The config loader checked the patterns; keep the defaults.
		log.Error("trace patterns ignored", tint.Err(err))
		x, _ = spec.NewIndex(roots, nil)
	}
	return &specTracker{root: root, index: x, history: trace.NewHistory(root), journal: j, files: files, anyFile: anyFile, send: send, log: log,
		built: make(chan struct{}), warned: map[string]string{}, seen: map[string]string{}, wake: make(chan struct{}, 1)}
}

// follows says whether the tracker follows an event: file events only.
func follows(ev event.Event) bool { return strings.HasPrefix(string(ev.Kind), "file.") }

// offer queues a file event for the tracker; others are not its concern.
func (t *specTracker) offer(ev event.Event) {
	if !follows(ev) {
		return
	}
	t.qmu.Lock()
	t.queued = append(t.queued, ev)
	t.qmu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// run derives spec events from the queued file events and sends them to
// the loop, a message per batch, in order, until ctx is done.
func (t *specTracker) run(ctx context.Context) {
	select {
	case <-t.built:
	case <-ctx.Done():
		return
	}
	for {
		t.qmu.Lock()
		batch := t.queued
		t.queued = nil
		t.qmu.Unlock()
		if len(batch) > 0 {
			t.mu.Lock()
			read := specRead{followed: len(batch)}
			t.fresh = map[string]string{}
			for _, ev := range batch {
				read.events = append(read.events, t.derive(ev)...)
			}
			read.seen = make(map[string]string, len(t.fresh))
			for rel, text := range t.fresh {
				read.seen[seenKey+rel] = text
			}
			t.fresh = nil
			// Sent with mu held, so that an accept comes after it.
			t.send(read)
			t.mu.Unlock()
		}
		select {
		case <-t.wake:
		case <-ctx.Done():
			return
		}
	}
}

// build indexes the files the watcher found, in the background of a
// daemon that is already ready; in a tree without specs, only waits for
// one.
func (t *specTracker) build(ctx context.Context) {
	defer close(t.built)
	// Whether there is a spec document at all is asked without listing
	// the tree: most trees have none, and half a million paths for
	// nothing is tens of megabytes.
	roots := t.index.Roots()
	found, err := t.anyFile(ctx, func(dir, name string) bool {
		if !strings.HasSuffix(name, ".md") || !underRoot(dir, roots) {
			return false // the path is built only for a likely document
		}
		_, ok := spec.Classify(dir+"/"+name, roots)
		return ok
	})
	if err != nil {
		return
	}
	if !found {
		t.log.Debug("no specs: the trace index waits for one")
		return
	}
	files, err := t.files(ctx)
	if err != nil {
		return
	}
	// `hookd spec diff` waits for this: its impact needs the whole index.
	t.mu.Lock()
	t.scan(ctx, files)
	t.mu.Unlock()
	if cut := t.index.Cut(); len(cut) > 0 {
		t.log.Warn("files cite more requirement ids than the index reads; the rest of each is not traced", "files", len(cut), "first", cut[0], "max_per_file", spec.MaxCitesPerFile)
	}
}

// scan reads every file into the index. t.mu is held.
func (t *specTracker) scan(ctx context.Context, files []string) {
	if err := t.index.Build(ctx, t.root, files); err != nil {
		return
	}
	t.indexed = true
	docs := t.index.Docs()
	t.log.Info("trace index built", "files", len(files), "specs", len(docs))
	for _, d := range docs {
		t.warnUnparsed(d)
	}
}

// warnUnparsed says once per document and reason that hookd does not
// understand it, whichever of the build and a file event read it first.
// t.mu is held.
func (t *specTracker) warnUnparsed(d *spec.Doc) {
	if d.Unparsed == "" {
		delete(t.warned, d.File)
		return
	}
	if t.warned[d.File] == d.Unparsed {
		return
	}
	t.warned[d.File] = d.Unparsed
	t.log.Warn("spec document not understood; no ids are guessed from it", "at", d.File+":1", "why", d.Unparsed)
}

const seenKey = "spec_seen:"

// baseline is the version of a document to compare a change with: the
// last one seen, else HEAD's; nil on first sight of a file git does not
// have.
func (t *specTracker) baseline(ctx context.Context, rel string) (*spec.Doc, string) {
	p, ok := spec.Classify(rel, t.index.Roots())
	if !ok {
		return nil, ""
	}
	text, known := t.seen[rel]
	if !known {
		text, _ = t.journal.Meta(ctx, seenKey+rel)
	}
	if text != "" {
		return spec.Parse(p, rel, []byte(text)), "last seen"
	}
	if data, ok := headVersion(ctx, t.root, rel); ok {
		return spec.Parse(p, rel, data), "HEAD"
	}
	return nil, "first sight"
}

// headVersion reads a file as HEAD has it.
func headVersion(ctx context.Context, root, rel string) ([]byte, bool) {
	out, err := gitcmd.Output(ctx, root, "show", "HEAD:./"+filepath.ToSlash(rel))
	return out, err == nil
}

// derive follows one accepted file event: it updates the index and
// returns the spec events the event causes.
// t.mu is held.
func (t *specTracker) derive(ev event.Event) []event.Event {
	t.changes.Add(1)
	ctx := context.Background()
	var out []event.Event
	for _, f := range ev.Files {
		_, isDoc := spec.Classify(f.Path, t.index.Roots())
		if !t.indexed {
			if !isDoc || f.Change == event.Deleted {
				continue // no specs yet: nothing to follow
			}
			// The first spec document: now the code matters. The spec
			// documents themselves come through their own events, and must
			// be new to the index when they do.
			if files, err := t.files(ctx); err == nil {
				code := files[:0]
				for _, f := range files {
					if _, doc := spec.Classify(f, t.index.Roots()); !doc {
						code = append(code, f)
					}
				}
				t.scan(ctx, code)
			}
		}
		var doc, old *spec.Doc
		if f.Change == event.Deleted {
			if old = t.index.Remove(f.Path); old == nil {
				continue
			}
			if seen, _ := t.baseline(ctx, f.Path); seen != nil {
				old = seen
			}
			t.see(f.Path, "")
		} else {
			data, err := spec.ReadDoc(t.root, f.Path)
			if err != nil {
				// Not readable as a document (too large, a symlink to a
				// device, gone again): what the index held of it is stale.
				t.index.Remove(f.Path)
				if isDoc && !errors.Is(err, os.ErrNotExist) {
					t.log.Warn("spec document not read; it is left out of the trace index", "at", f.Path, tint.Err(err))
				}
				continue
			}
			var prev *spec.Doc
			if doc, prev = t.index.Update(f.Path, data); doc == nil {
				continue
			}
			t.warnUnparsed(doc)
			// The index's previous version stands in for a baseline only
			// for a save: the start-up build may have read a file created
			// after the watch began, before its event got here, and a new
			// file is new whatever the index read of it.
			if old, _ = t.baseline(ctx, f.Path); old == nil && f.Change != event.Created {
				old = prev
			}
			t.see(f.Path, string(data))
		}
		base := event.Event{Time: ev.Time, Cause: ev.Cause, Depth: ev.Depth, Chain: ev.Chain, CatchUp: ev.CatchUp, VCS: ev.VCS, Writers: ev.Writers, Files: []event.File{f}}
		for _, e := range spec.ChangeEvents(t.index, old, doc, base) {
			if e.Kind == event.SpecChanged {
				s := e.Spec
				t.log.Info("spec changed", "spec", s.Name, "file", s.File, "added", s.Added, "removed", s.Removed, "modified", s.Modified, "renamed", len(s.Renamed), "impacted", len(s.Impacted))
			}
			out = append(out, e)
		}
	}
	return out
}

// see records the version of a document seen now. t.mu is held.
func (t *specTracker) see(rel, text string) {
	t.seen[rel] = text
	if t.fresh != nil {
		t.fresh[rel] = text
	}
}

// payload renders a change as the spec event's payload, with the places
// that cite the changed requirements.
func (t *specTracker) payload(d *spec.Doc, c spec.Change) *event.Spec {
	p := spec.Payload(t.index, d, c)
	return &p
}

// diff is the change of a document since hookd last saw it, for `hookd
// spec diff`.
func (t *specTracker) diff(ctx context.Context, rel string) (*event.Spec, string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	doc, err := t.read(rel)
	if err != nil {
		return nil, "", err
	}
	old, against := t.baseline(ctx, rel)
	c, err := t.change(rel, old, doc)
	return c, against, err
}

// read parses a spec document as it is now; nil when it does not exist.
// mu is held.
func (t *specTracker) read(rel string) (*spec.Doc, error) {
	p, ok := spec.Classify(rel, t.index.Roots())
	if !ok {
		return nil, errors.New(rel + " is not a spec document under [specs] roots")
	}
	data, err := spec.ReadDoc(t.root, rel)
	switch {
	case err == nil:
		return spec.Parse(p, rel, data), nil
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	}
	return nil, err
}

type beforeTool struct {
	doc *spec.Doc // nil: it did not exist
	at  time.Time
}

// beforeToolLimit bounds how long a snapshot waits for its tool to end.
const beforeToolLimit = 10 * time.Minute

// holdBefore keeps a spec document as it is before an agent's tool
// writes it; a file that is no spec document is left alone.
func (t *specTracker) holdBefore(rel string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	doc, err := t.read(rel)
	if err != nil {
		return
	}
	now := time.Now()
	if t.before == nil {
		t.before = map[string]beforeTool{}
	}
	for p, b := range t.before {
		if now.Sub(b.at) > beforeToolLimit {
			delete(t.before, p)
		}
	}
	t.before[rel] = beforeTool{doc: doc, at: now}
}

// afterTool is the change an agent's tool made to a spec document: from
// its snapshot when agent.tool.before took one, else since hookd last saw
// it. ok is false when rel is no spec document.
func (t *specTracker) afterTool(ctx context.Context, rel string) (*event.Spec, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	doc, err := t.read(rel)
	if err != nil {
		return nil, false
	}
	old, held := t.before[rel]
	delete(t.before, rel)
	if !held {
		old.doc, _ = t.baseline(ctx, rel)
	}
	c, err := t.change(rel, old.doc, doc)
	return c, err == nil
}

// change is the payload of the change from old to doc. mu is held.
func (t *specTracker) change(rel string, old, doc *spec.Doc) (*event.Spec, error) {
	d := doc
	if d == nil {
		if d = old; d == nil {
			return nil, errors.New(rel + " does not exist")
		}
	}
	return t.payload(d, spec.Diff(old, doc)), nil
}

// accept takes a document as it is now for the version hookd last saw:
// the next change is compared with it (`hookd spec accept`).
func (t *specTracker) accept(ctx context.Context, rel string) error {
	if _, ok := spec.Classify(rel, t.index.Roots()); !ok {
		return errors.New(rel + " is not a spec document under [specs] roots")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	data, err := spec.ReadDoc(t.root, rel)
	if err != nil {
		return err
	}
	// Through the loop too: a checkpoint writing an older version it was
	// sent before would undo the accept.
	t.seen[rel] = string(data)
	t.send(specRead{seen: map[string]string{seenKey + rel: string(data)}})
	return t.journal.SetMeta(ctx, seenKey+rel, string(data))
}

// underRoot reports whether dir is at or below a spec root, in the
// repository or in a nested project.
func underRoot(dir string, roots []string) bool {
	for _, r := range roots {
		if dir == r || strings.HasPrefix(dir, r+"/") || strings.HasSuffix(dir, "/"+r) || strings.Contains(dir, "/"+r+"/") {
			return true
		}
	}
	return false
}

// trace is the traceability report of the index as it is, judged by the
// policy and the committed reviews.
// Outside git there is no history to judge stale and suspect by.
func (t *specTracker) trace(ctx context.Context, policy trace.Policy, git bool, name, req string) *trace.Report {
	var h *trace.History
	if git {
		h = t.history
	}
	return trace.Build(ctx, t.index, trace.Options{Root: t.root, Spec: name, Requirement: req, Policy: policy, History: h, Stamp: strconv.FormatUint(t.changes.Load(), 10)})
}

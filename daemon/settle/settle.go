// Package settle turns raw path notifications into file events.
//
// The watcher only says "look at this path"; it never decides what
// happened. The settler waits until the paths have been quiet for a short
// settle period (the several writes of one save, or an editor's
// write-temp-then-rename, land inside it), then compares each path's state
// on disk with its index of what it last saw (size, mtime and a content
// hash). Deciding from state rather than from the order of kernel events is
// what makes the awkward cases fall out on their own:
//
//   - an atomic save (write a temp file, rename it over the target) is a
//     changed hash on the target: one file.saved, and the temp file, gone
//     by then, is nothing;
//   - vim's rename-away-and-rewrite leaves the target present with new
//     bytes: one file.saved, no delete, no create;
//   - rewriting identical bytes leaves the hash unchanged: no event;
//   - a file that came and went inside the period is nothing.
//
// A sync cookie flushes at once and is answered only after the events of
// every earlier notification have been handed on, which is how a client
// sees "every file event up to now" without sleeping.
package settle

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sys/unix"

	"github.com/hookd-dev/hookd/event"
)

// Flags say how to look at a touched path.
type Flags uint8

const (
	// Event says the kernel reported a change of the path.
	Event Flags = 1 << iota
	// Seed records the path as the baseline without reporting it; the
	// watcher's start-up scan seeds every file. A seeded path that also has
	// an Event changed after the scan found it.
	Seed
	// Suspect says the path changed after a baseline that cannot be
	// trusted yet (see SetBarrier): whatever it holds now is a change.
	Suspect
	// Rescan compares size and mtime first and hashes only when they
	// differ; overflow recovery rescans the whole tree this way.
	Rescan
	// CatchUp marks what the start-up scan finds changed against an index
	// restored from a previous run: changes made while hookd was down.
	CatchUp
	// Tree re-examines every indexed file below the path as well; a
	// directory that vanished or moved away reports its files deleted.
	Tree
)

// truncGrace is how long a file that just became empty (created, or
// truncated) waits before it counts as empty: a save opens with O_CREAT or
// O_TRUNC, then writes, and under load the gap can outlast the settle
// period. A sync cookie does not wait for it.
const truncGrace = 100 * time.Millisecond

// maxHashSize bounds the files whose content is hashed; larger files are
// compared by size and mtime alone.
const maxHashSize = 64 << 20

// racyWindow is how recent an mtime must be for size-and-mtime equality to
// prove nothing: file systems stamp mtimes with a coarse clock, so a write
// in the same tick as our stat can leave both unchanged (git's "racy git").
const racyWindow = 2 * time.Second

// Settler owns the file index and emits file events.
type Settler struct {
	root   string
	settle time.Duration
	emit   func([]event.Event)
	log    *slog.Logger

	mu sync.Mutex
	// mu guards the fields that follow: the hand-off from the watcher.
	pending map[string]touch
	fresh   []string            // touched since the last scan
	seeds   map[string][]string // start-up scan: dir -> file names, not yet examined
	seeded  int                 // how many names seeds holds
	// holding keeps the seeds for later while the start-up walk runs, so
	// that reading baselines does not compete with it for the CPU.
	holding bool
	// tentative holds the directories whose files' baselines were taken
	// from seeds whose barrier has not come back yet; an event for a file
	// in one of them is a change (Suspect).
	tentative map[string]uint64
	barrierN  uint64
	barrier   func(confirm func())
	cookies   []chan struct{}
	notify    chan struct{}
	calls     chan func() // run on Run's goroutine, between flushes

	// Owned by the Run goroutine.
	restored bool // the index came from a previous run: seeds are compared with it
	index    index
	graced   map[string]bool // paths given the truncate grace once already
	retry    []string        // examined while a writer had them open
	// waiting remembers since when a retried path has waited, so a file a
	// writer never closes (a log) is still reported once the cap passes.
	waiting map[string]time.Time
}

// New returns a settler for the tree at root. emit is called from the Run
// goroutine with each settled batch, in order.
func New(root string, settle time.Duration, emit func([]event.Event), log *slog.Logger) *Settler {
	return &Settler{
		root: root, settle: settle, emit: emit, log: log,
		pending: map[string]touch{},
		notify:  make(chan struct{}, 1),
		calls:   make(chan func()),
		index:   newIndex(),
	}
}

// touch is a pending path: how to look at it, and when it was first and
// last touched since it was examined.
type touch struct {
	flags       Flags
	first, last time.Time
}

// Touch asks for rel to be examined. It never blocks, so the watcher can
// always keep up with the kernel.
func (s *Settler) Touch(rel string, f Flags) {
	now := time.Now()
	s.mu.Lock()
	t, ok := s.pending[rel]
	if !ok {
		t.first = now
	}
	t.flags |= f
	if f&Event != 0 && len(s.tentative) > 0 {
		if dir, _ := split(rel); s.tentative[dir] != 0 {
			t.flags |= Suspect
		}
	}
	t.last = now
	s.pending[rel] = t
	s.fresh = append(s.fresh, rel)
	s.mu.Unlock()
	s.wake()
}

// SetBarrier gives the settler a way to order itself with the kernel's
// events: barrier must arrange for confirm to be called when every event
// that happened before the call has been handed to Touch (the watcher
// writes a cookie file and calls confirm when its event comes). Seed
// baselines are taken after the watches were added, so a write in between
// is in the baseline and in an event still on its way; until the barrier
// after a baseline returns, an event for it counts as a change. Call it
// before Run; without it seeds are confirmed at once.
func (s *Settler) SetBarrier(barrier func(confirm func())) { s.barrier = barrier }

// confirm makes the baselines of barrier n trustworthy.
func (s *Settler) confirm(n uint64) {
	s.mu.Lock()
	for dir, b := range s.tentative {
		if b <= n {
			delete(s.tentative, dir)
		}
	}
	s.mu.Unlock()
}

// Entry is one file of the index, as persisted between runs, or (Gone)
// a file the index no longer has.
type Entry struct {
	Path   string
	Size   int64
	Mtime  int64
	Hash   uint64
	Hashed bool
	Gone   bool
}

// Restore loads the index a previous run saved: a blob (EncodeIndex) and
// the changes written after it, in order. Then the start-up scan is
// compared with it rather than taken as the baseline: what changed while
// hookd was down comes out as events marked CatchUp, and files in the index
// but not on disk as deletions. It reports how many files it restored, and
// a damaged blob as an error (what could be read is kept). Call it before
// Run.
func (s *Settler) Restore(blob []byte, changes []Entry) (int, error) {
	put := func(e Entry) {
		if e.Gone {
			s.index.remove(e.Path)
			return
		}
		s.index.put(e.Path, fileState{size: e.Size, mtime: e.Mtime, hash: e.Hash, hashed: e.Hashed})
	}
	var err error
	if len(blob) > 0 {
		err = DecodeIndex(blob, put)
	}
	for _, e := range changes {
		put(e)
	}
	s.restored = true
	// What was restored is what the journal holds: nothing to write back.
	s.index.all, s.index.dirty = false, map[string]bool{}
	if err != nil {
		s.index.all = true // write it whole again
	}
	// Every indexed file is looked at, so one deleted meanwhile is found.
	s.Touch("", Tree|Rescan|CatchUp)
	return s.index.files(), err
}

// Any reports whether some indexed file satisfies match, asked from Run's
// own goroutine with each file's directory and name: no path is built.
func (s *Settler) Any(ctx context.Context, match func(dir, name string) bool) (bool, error) {
	found := false
	err := s.do(ctx, func() {
		for d, df := range s.index.dirs {
			if df.m != nil {
				for n := range df.m {
					if match(d, n) {
						found = true
						return
					}
				}
				continue
			}
			for _, e := range df.list {
				if match(d, e.name) {
					found = true
					return
				}
			}
		}
	})
	return found, err
}

// Paths lists every indexed file while Run runs, from Run's own goroutine.
func (s *Settler) Paths(ctx context.Context) ([]string, error) {
	var out []string
	err := s.do(ctx, func() { out = s.index.under("") })
	return out, err
}

// Delta is what changed in the index since the last checkpoint: the
// entries to write and the paths to delete, or the whole index (Full),
// which Write writes as a blob (DecodeIndex reads it). Write is only valid
// while the checkpoint's fn runs.
type Delta struct {
	Full    bool
	Write   func(io.Writer) error
	Put     []Entry
	Deleted []string
}

// Checkpoint calls fn, on Run's own goroutine between two flushes, with the
// index's changes since the last checkpoint. Between flushes every change
// the index holds has been handed to emit, so what fn records is
// consistent with the events. When fn returns true the changes count as
// written, but for the paths it left out (keep), which are offered again
// next time; when false they all are.
//
// While the start-up scan's baselines are still being taken, fn is not
// called: what the index holds is not the tree yet.
func (s *Settler) Checkpoint(ctx context.Context, fn func(Delta) (keep []string, ok bool)) error {
	return s.do(ctx, func() {
		s.mu.Lock()
		seeding := s.holding || len(s.seeds) > 0
		s.mu.Unlock()
		if seeding {
			return
		}
		// Many changes are cheaper written as a new whole than as a row
		// each.
		d := Delta{Full: s.index.all || len(s.index.dirty) > max(1024, s.index.files()/4)}
		if d.Full {
			d.Write = s.index.writeTo
		} else {
			for rel := range s.index.dirty {
				if st, ok := s.index.get(rel); ok {
					d.Put = append(d.Put, Entry{Path: rel, Size: st.size, Mtime: st.mtime, Hash: st.hash, Hashed: st.hashed})
				} else {
					d.Deleted = append(d.Deleted, rel)
				}
			}
		}
		if keep, ok := fn(d); ok {
			s.index.all, s.index.dirty = false, map[string]bool{}
			for _, rel := range keep {
				s.index.dirty[rel] = true
			}
		}
	})
}

// do runs fn on Run's goroutine, between flushes.
func (s *Settler) do(ctx context.Context, fn func()) error {
	done := make(chan struct{})
	select {
	case s.calls <- func() { fn(); close(done) }:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WriteIndex writes the whole index as a blob, for the next run's
// Restore. Call it after Run has returned.
func (s *Settler) WriteIndex(w io.Writer) error { return s.index.writeTo(w) }

// HoldSeeds keeps seeds unexamined until it is called with false: the
// watcher holds them during its start-up walk, so that "ready" comes as
// soon as every directory is watched and baselines follow in the
// background. Events are examined meanwhile as always.
func (s *Settler) HoldSeeds(hold bool) {
	s.mu.Lock()
	s.holding = hold
	s.mu.Unlock()
	if !hold {
		s.wake()
	}
}

// SeedDir hands over the files the start-up scan found in dir ("" for the
// root); names is the settler's from then on. They become the index's baseline in the first flush, in the
// background, without being reported; a seeded file that also gets an
// event changed after the scan. It is cheaper than a Touch per file, which
// is what keeps start-up fast on big trees.
func (s *Settler) SeedDir(dir string, names []string) {
	if len(names) == 0 {
		return
	}
	s.mu.Lock()
	if s.seeds == nil {
		s.seeds = map[string][]string{}
	}
	if s.seeds[dir] == nil {
		s.seeds[dir] = names // handed over, not copied: the caller is done with it
	} else {
		s.seeds[dir] = append(s.seeds[dir], names...)
	}
	s.seeded += len(names)
	s.mu.Unlock()
	s.wake()
}

// Baselining counts the files found at start not yet baselined.
func (s *Settler) Baselining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seeded
}

// Cookie flushes at once; done is closed once every touch made before it
// has been examined and its events emitted.
func (s *Settler) Cookie(done chan struct{}) {
	s.mu.Lock()
	s.cookies = append(s.cookies, done)
	s.mu.Unlock()
	s.wake()
}

func (s *Settler) wake() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Run examines touched paths until ctx is done. No timer runs while
// nothing is pending.
//
// A wake-up for new touches looks only at the paths touched since the last
// scan (they may be ready at once, or due before the armed timer); the
// whole pending set is scanned only when the timer fires or a cookie
// waits. That keeps a burst of n touches O(n) rather than O(n²).
func (s *Settler) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var deadline time.Time // when the timer fires; zero when it is not armed
	for {
		full := deadline.IsZero()
		select {
		case <-ctx.Done():
			return
		case <-s.notify:
		case <-timer.C:
			deadline, full = time.Time{}, true
		case call := <-s.calls:
			call()
			continue
		}
		next, more := s.flush(full)
		switch {
		case !more:
			if full {
				timer.Stop()
				deadline = time.Time{}
			}
		case full || deadline.IsZero() || next.Before(deadline):
			deadline = next
			timer.Reset(time.Until(next))
		}
	}
}

// flush examines the paths that are ready (all of them when a cookie
// waits), emits their events, answers the cookies, and returns when the
// earliest of the other paths it looked at is due. It looks at every
// pending path when full, else only at those touched since the last scan.
func (s *Settler) flush(full bool) (next time.Time, more bool) {
	now := time.Now()
	capAt := maxSettle(s.settle)
	ready := map[string]Flags{}
	s.mu.Lock()
	cookies := s.cookies
	s.cookies = nil
	full = full || len(cookies) > 0
	candidates := s.fresh
	if full {
		candidates = make([]string, 0, len(s.pending))
		for rel := range s.pending {
			candidates = append(candidates, rel)
		}
	}
	s.fresh = nil
	// Seeds are taken a chunk at a time, so that a change made meanwhile
	// waits for one chunk at most, not for the whole tree's baselines.
	var seeds map[string][]string
	moreSeeds := false
	if !s.holding {
		seeds, moreSeeds = s.takeSeeds(seedChunk)
	}
	var barrier uint64
	if len(seeds) > 0 && s.barrier != nil {
		// Mark before the baselines are read: an event from now until the
		// barrier returns may describe a write the baseline already holds.
		s.barrierN++
		barrier = s.barrierN
		if s.tentative == nil {
			s.tentative = map[string]uint64{}
		}
	}
	// Fresh seeds (a first start) take the fast way, a directory at a
	// time; a seed with a touch of its own goes with it.
	baselines := map[string][]string{}
	var key []byte
	for dir, names := range seeds {
		if barrier != 0 {
			s.tentative[dir] = barrier
		}
		kept := names[:0] // the seeds are ours now: filtered in place
		for _, name := range names {
			key = append(key[:0], dir...)
			if dir != "" {
				key = append(key, '/')
			}
			key = append(key, name...)
			seed := Seed
			if s.restored {
				seed = Rescan | CatchUp // compared with the restored index
			}
			if t, ok := s.pending[string(key)]; ok {
				// An event came for it too: examine it with its touch.
				t.flags |= seed
				s.pending[string(key)] = t
				continue
			}
			if s.restored {
				ready[string(key)] = seed
				continue
			}
			kept = append(kept, name)
		}
		if len(kept) > 0 {
			baselines[dir] = kept
		}
	}
	for _, rel := range candidates {
		t, ok := s.pending[rel]
		if !ok {
			continue // already taken
		}
		if len(s.seeds) > 0 && t.flags&Seed == 0 && s.takeSeed(rel) {
			// Its baseline is not taken yet, but it was there at the
			// scan: whatever it holds now is a change of it.
			t.flags |= Seed
			s.pending[rel] = t
		}
		due := t.last.Add(s.settle)
		if limit := t.first.Add(capAt); limit.Before(due) {
			due = limit
		}
		if len(cookies) > 0 || !due.After(now) || s.looksComplete(rel, t.flags) {
			ready[rel] = t.flags
			delete(s.pending, rel)
			continue
		}
		if !more || due.Before(next) {
			next, more = due, true
		}
	}
	s.mu.Unlock()

	if len(cookies) == 0 {
		for rel, f := range ready {
			// Only a change the kernel reported can be caught mid-save; a
			// baseline or a rescan is what is there.
			if f&Event == 0 || !s.truncating(rel, now) {
				continue
			}
			delete(ready, rel)
			due := now.Add(truncGrace)
			s.mu.Lock()
			if t, fresh := s.pending[rel]; fresh {
				// Its write came in meanwhile: that touch decides.
				t.flags |= f
				s.pending[rel] = t
				due = t.last.Add(s.settle)
			} else {
				s.pending[rel] = touch{flags: f, first: now, last: due.Add(-s.settle)}
			}
			s.mu.Unlock()
			if !more || due.Before(next) {
				next, more = due, true
			}
		}
	}
	for dir, names := range baselines {
		for _, name := range s.baseline(dir, names, now) {
			rel := name
			if dir != "" {
				rel = dir + "/" + name
			}
			ready[rel] = Seed // not a plain file now: the general way
		}
	}
	if len(ready) > 0 {
		if evs := s.examine(ready); len(evs) > 0 {
			s.emit(evs)
		}
	}
	if len(s.retry) > 0 {
		s.mu.Lock()
		for _, rel := range s.retry {
			t, ok := s.pending[rel]
			if !ok {
				t = touch{first: now, last: now}
			}
			t.flags |= ready[rel]
			s.pending[rel] = t
			if due := t.last.Add(s.settle); !more || due.Before(next) {
				next, more = due, true
			}
		}
		s.mu.Unlock()
		s.retry = s.retry[:0]
	}
	if barrier != 0 {
		s.barrier(func() { s.confirm(barrier) })
	}
	for _, c := range cookies {
		close(c)
	}
	if moreSeeds {
		s.wake() // the next chunk, after whatever came in meanwhile
	}
	return next, more
}

// takeSeed removes rel from the seeds not yet taken, and reports whether
// it was there. mu is held.
func (s *Settler) takeSeed(rel string) bool {
	dir, name := split(rel)
	names := s.seeds[dir]
	i := slices.Index(names, name)
	if i < 0 {
		return false
	}
	s.seeds[dir] = slices.Delete(names, i, i+1)
	s.seeded--
	return true
}

// baseline records the start-up scan's files of one directory as the
// index's baseline, the fast way: each stat relative to the directory's
// descriptor, so no path is built or walked, and each name kept as the
// scan read it. It returns the names it could not take (gone, no longer a
// plain file or symlink, or too fresh for size and mtime to prove
// anything), for the general way.
func (s *Settler) baseline(dir string, names []string, now time.Time) (left []string) {
	dfd, err := unix.Open(filepath.Join(s.root, filepath.FromSlash(dir)), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return names
	}
	defer unix.Close(dfd)
	entries := make([]fileEntry, 0, len(names))
	seen := now.UnixNano()
	for _, name := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			left = append(left, name)
			continue
		}
		mtime := st.Mtim.Nano()
		if t := st.Mode & unix.S_IFMT; (t != unix.S_IFREG && t != unix.S_IFLNK) || time.Duration(seen-mtime) <= racyWindow {
			left = append(left, name)
			continue
		}
		entries = append(entries, fileEntry{name, fileState{size: st.Size, mtime: mtime, ino: uint32(st.Ino)}})
	}
	s.index.baseline(dir, entries)
	return left
}

// seedChunk is how many seeds one flush takes.
const seedChunk = 4096

// takeSeeds takes whole directories of seeds until about n files. mu is
// held.
func (s *Settler) takeSeeds(n int) (map[string][]string, bool) {
	if len(s.seeds) == 0 {
		return nil, false
	}
	out := map[string][]string{}
	taken := 0
	for dir, names := range s.seeds {
		if taken >= n {
			return out, true
		}
		out[dir] = names
		taken += len(names)
		s.seeded -= len(names)
		delete(s.seeds, dir)
	}
	s.seeds, s.seeded = nil, 0 // drained: a map keeps its size when emptied
	return out, false
}

// maxSettle caps how long a path written without pause waits.
func maxSettle(settle time.Duration) time.Duration {
	return max(50*settle, 50*time.Millisecond)
}

// looksComplete reports whether rel can be examined without waiting out
// the quiet period: a file we know, still there, not empty, and open for
// writing by nobody is a finished save. A new file may be a temporary one
// about to be renamed away, a missing one may be mid-way through an
// editor's rename dance, and an empty one may be between its open and its
// write, so those wait. mu is held; the index is only read.
func (s *Settler) looksComplete(rel string, f Flags) bool {
	if f&^Event != 0 {
		return false // seeds, rescans and trees go with the quiet period
	}
	if _, known := s.index.get(rel); !known {
		return false
	}
	abs := filepath.Join(s.root, filepath.FromSlash(rel))
	fi, err := os.Lstat(abs)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return false
	}
	gone, known := writerGone(abs)
	return known && gone
}

// truncating reports whether rel looks caught mid-save and deserves one
// grace period before it is examined: empty now after being new or not
// empty (between an open and its write), or gone after being known (between
// an editor's rename away and its new file).
func (s *Settler) truncating(rel string, now time.Time) bool {
	prev, known := s.index.get(rel)
	fi, err := os.Lstat(filepath.Join(s.root, filepath.FromSlash(rel)))
	emptied := err == nil && fi.Size() == 0 && !(known && prev.size == 0)
	// A known file that vanished may be mid-way through an editor's
	// rename dance whose writer paused; give it the same one grace.
	vanished := err != nil && known
	if !(emptied || vanished) || s.graced[rel] {
		// Seen with content again, or graced once already: the next
		// emptying gets its own grace.
		delete(s.graced, rel)
		return false
	}
	if s.graced == nil {
		s.graced = map[string]bool{}
	}
	s.graced[rel] = true
	return true
}

// examine compares every touched path with the index and returns the
// resulting events: saves, then creations, then deletions.
func (s *Settler) examine(pending map[string]Flags) []event.Event {
	now := time.Now()
	// Files by change, live ones apart from those found changed since the
	// last run (catch-up), so hooks can opt out of the latter.
	type bucket struct {
		change  event.Change
		catchUp bool
	}
	buckets := map[bucket][]event.File{}
	goneIno := map[uint32]gone{} // inodes of deleted files, for renames
	visit := func(rel string, f Flags) {
		prev, _ := s.index.get(rel)
		change, size, ok := s.examineFile(rel, f, now)
		if !ok {
			return
		}
		if change == event.Deleted && prev.ino != 0 {
			goneIno[prev.ino] = gone{path: rel, fileState: prev}
		}
		b := bucket{change, f&CatchUp != 0}
		buckets[b] = append(buckets[b], event.NewFile(s.root, rel, change, size))
	}
	// Trees first, so a directory moved away and a file touched inside it
	// are examined once each.
	for rel, f := range pending {
		if f&Tree == 0 {
			continue
		}
		for _, known := range s.index.under(rel) {
			if _, also := pending[known]; !also {
				visit(known, f&(Rescan|CatchUp))
			}
		}
	}
	for rel, f := range pending {
		visit(rel, f)
	}
	s.pairRenames(buckets[bucket{event.Created, false}], goneIno)
	s.pairRenames(buckets[bucket{event.Created, true}], goneIno)

	var out []event.Event
	for _, catchUp := range []bool{false, true} {
		for _, change := range []event.Change{event.Saved, event.Created, event.Deleted} {
			files := buckets[bucket{change, catchUp}]
			if len(files) == 0 {
				continue
			}
			sortFiles(files)
			out = append(out, event.Event{Kind: event.ChangeKind(change), Time: now, Files: files, CatchUp: catchUp})
		}
	}
	return out
}

// examineFile decides what happened to one path since it was last seen.
func (s *Settler) examineFile(rel string, f Flags, now time.Time) (event.Change, int64, bool) {
	abs := filepath.Join(s.root, filepath.FromSlash(rel))
	prev, known := s.index.get(rel)
	// A path seeded by the start-up scan and not yet examined existed
	// before we looked; if an event came for it too, it changed since. So
	// did one whose baseline was taken while its event was on the way.
	seeded := !known && f&Seed != 0
	changedSinceSeed := (seeded && f&Event != 0) || f&Suspect != 0
	fi, err := os.Lstat(abs)
	if err != nil || !(fi.Mode().IsRegular() || fi.Mode()&os.ModeSymlink != 0) {
		// Gone, or no longer a file (a directory has its own touches). A
		// seed that is gone existed when the scan found it: deleted since.
		if known || seeded {
			s.index.remove(rel)
			return event.Deleted, 0, true
		}
		return "", 0, false
	}
	cur := fileState{size: fi.Size(), mtime: fi.ModTime().UnixNano(), ino: inode(fi)}.recorded(now.UnixNano())
	statSame := known && prev.size == cur.size && prev.mtime == cur.mtime
	trusted := known && !prev.racy

	if seeded && !changedSinceSeed {
		// A recent mtime proves nothing later (see racyWindow), so take
		// the hash now while it is cheap: few files are that fresh.
		if now.Sub(fi.ModTime()) <= racyWindow && cur.size <= maxHashSize {
			cur.hash, cur.hashed = hashFile(abs, fi)
		}
		s.index.put(rel, cur)
		return "", 0, false
	}
	if statSame && trusted && (f&Rescan != 0 || f&Seed != 0 || !prev.hashed) {
		// Size and mtime are trustworthy and equal: unchanged. Only a
		// rescan, or a file never hashed, settles for that.
		return "", 0, false
	}
	if cur.size <= maxHashSize {
		h, ok, gone, known := hashSettled(abs, fi)
		if ok {
			cur.hash, cur.hashed = h, true
		}
		// A writer that had the file open, or opened it while we read it
		// (it may have truncated it under us): the read proves nothing,
		// look again.
		if known && !gone && f&(Seed|Rescan) == 0 {
			since, ok := s.waiting[rel]
			if !ok {
				since = now
				if s.waiting == nil {
					s.waiting = map[string]time.Time{}
				}
				s.waiting[rel] = since
			}
			if now.Sub(since) < maxSettle(s.settle) {
				s.retry = append(s.retry, rel)
				return "", 0, false
			}
		}
	}
	delete(s.waiting, rel)
	s.index.put(rel, cur)
	switch {
	case changedSinceSeed:
		return event.Saved, cur.size, true
	case !known:
		return event.Created, cur.size, true
	case prev.hashed && cur.hashed:
		if prev.hash == cur.hash {
			return "", 0, false
		}
	case statSame && trusted:
		return "", 0, false
	}
	return event.Saved, cur.size, true
}

func hashFile(abs string, fi os.FileInfo) (uint64, bool) {
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(abs)
		if err != nil {
			return 0, false
		}
		return xxhash.Sum64String("symlink:" + target), true
	}
	// Non-blocking: a FIFO swapped in since the stat must not hang us.
	f, err := os.OpenFile(abs, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return 0, false
	}
	return hashReader(f)
}

// hashReader hashes what f holds from where it is.
func hashReader(f *os.File) (uint64, bool) {
	h := xxhash.New()
	var buf [32 << 10]byte
	for {
		n, err := f.Read(buf[:])
		h.Write(buf[:n])
		if err == io.EOF {
			return h.Sum64(), true
		}
		if err != nil {
			return 0, false
		}
	}
}

// pairRenames marks a created file as renamed from a deleted one when both
// are the same inode: a rename keeps it, a copy does not.
func (s *Settler) pairRenames(created []event.File, goneIno map[uint32]gone) {
	if len(goneIno) == 0 {
		return
	}
	for i, c := range created {
		st, ok := s.index.get(c.Path)
		if !ok || st.ino == 0 {
			continue
		}
		// The inode of a file deleted in the same batch may be reused by a
		// new one; a rename also keeps the size and the mtime.
		if gone, ok := goneIno[st.ino]; ok && gone.size == st.size && gone.mtime == st.mtime {
			created[i].From = gone.path
			delete(goneIno, st.ino)
		}
	}
}

// gone is a file deleted in the batch being examined.
type gone struct {
	path string
	fileState
}

func inode(fi os.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint32(st.Ino)
	}
	return 0
}

func sortFiles(files []event.File) {
	slices.SortFunc(files, func(a, b event.File) int { return strings.Compare(a.Path, b.Path) })
}

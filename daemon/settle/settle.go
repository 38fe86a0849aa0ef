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
//     by then, is nothing (a new file named like such a temporary is left
//     a moment longer than the settle period, so a writer that pauses
//     before its rename folds it too);
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
	"log/slog"
	"sync"
	"time"

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

	// Owned by the goroutine that drives the settler (Run, or the
	// daemon's loop).
	timer    *time.Timer
	deadline time.Time // when timer fires; zero when it is not armed
	restored bool      // the index came from a previous run: seeds are compared with it
	index    index
	graced   map[string]bool // paths given the truncate grace once already
	retry    []string        // examined while a writer had them open
	// waiting remembers since when a retried path has waited, so a file a
	// writer never closes (a log) is still reported once the cap passes.
	waiting map[string]time.Time
}

// New returns a settler for the tree at root. emit is called from the
// goroutine that drives the settler (Step) with each settled batch, in
// order.
func New(root string, settle time.Duration, emit func([]event.Event), log *slog.Logger) *Settler {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	return &Settler{
		root: root, settle: settle, emit: emit, log: log,
		pending: map[string]touch{},
		notify:  make(chan struct{}, 1),
		timer:   timer,
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

package settle

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// Run examines touched paths until ctx is done, on its own goroutine: for
// a settler used alone (tests, tools). The daemon drives the same steps
// from its one loop (Wake, Due, Step), so that the index, and every event
// it emits, belong to that loop. No timer runs while nothing is pending.
func (s *Settler) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.Wake():
			s.Step(false)
		case <-s.Due():
			s.Step(true)
		}
	}
}

// Wake is ready when paths have been touched (or a cookie waits) since
// the last step.
func (s *Settler) Wake() <-chan struct{} { return s.notify }

// Due is ready when a path looked at earlier comes due.
func (s *Settler) Due() <-chan time.Time { return s.timer.C }

// Step examines what is ready and emits its events, from the goroutine
// that drives the settler; due says Due fired.
//
// A wake-up for new touches looks only at the paths touched since the last
// scan (they may be ready at once, or due before the armed timer); the
// whole pending set is scanned only when the timer fires or a cookie
// waits. That keeps a burst of n touches O(n) rather than O(n²).
func (s *Settler) Step(due bool) {
	full := due || s.deadline.IsZero()
	if due {
		s.deadline = time.Time{}
	}
	next, more := s.flush(full)
	switch {
	case !more:
		if full {
			s.timer.Stop()
			s.deadline = time.Time{}
		}
	case full || s.deadline.IsZero() || next.Before(s.deadline):
		s.deadline = next
		s.timer.Reset(time.Until(next))
	}
}

// flush examines the paths that are ready (all of them when a cookie
// waits), emits their events, answers the cookies, and returns when the
// earliest of the other paths it looked at is due. It looks at every
// pending path when full, else only at those touched since the last scan.
func (s *Settler) flush(full bool) (next time.Time, more bool) {
	now := time.Now()
	var due earliest
	ready := map[string]Flags{}
	s.mu.Lock()
	cookies := s.cookies
	s.cookies = nil
	full = full || len(cookies) > 0
	candidates := s.candidates(full)
	// Seeds are taken a chunk at a time, so that a change made meanwhile
	// waits for one chunk at most, not for the whole tree's baselines.
	var seeds map[string][]string
	moreSeeds := false
	if !s.holding {
		seeds, moreSeeds = s.takeSeeds(seedChunk)
	}
	barrier := s.markBarrier(len(seeds) > 0)
	baselines := s.routeSeeds(seeds, barrier, ready)
	s.takeDue(candidates, len(cookies) > 0, now, ready, &due)
	s.mu.Unlock()

	if len(cookies) == 0 {
		s.graceTruncating(ready, now, &due)
	}
	s.takeBaselines(baselines, now, ready)
	if len(ready) > 0 {
		if evs := s.examine(ready); len(evs) > 0 {
			s.emit(evs)
		}
	}
	s.requeueRetries(ready, now, &due)
	if barrier != 0 {
		s.barrier(func() { s.confirm(barrier) })
	}
	for _, c := range cookies {
		close(c)
	}
	if moreSeeds {
		s.wake() // the next chunk, after whatever came in meanwhile
	}
	return due.at, due.set
}

// earliest keeps the soonest of the times a flush saw paths come due, so
// Run knows when to look again; set is false when nothing waits.
type earliest struct {
	at  time.Time
	set bool
}

func (e *earliest) add(t time.Time) {
	if !e.set || t.Before(e.at) {
		e.at, e.set = t, true
	}
}

// candidates returns the pending paths a flush looks at: every one when
// full, else those touched since the last scan. mu is held.
func (s *Settler) candidates(full bool) []string {
	out := s.fresh
	if full {
		out = make([]string, 0, len(s.pending))
		for rel := range s.pending {
			out = append(out, rel)
		}
	}
	s.fresh = nil
	return out
}

// markBarrier numbers the barrier that will confirm the baselines about to
// be read, or returns 0 when there are none or no barrier is set. mu is
// held.
func (s *Settler) markBarrier(seeding bool) uint64 {
	if !seeding || s.barrier == nil {
		return 0
	}
	// Mark before the baselines are read: an event from now until the
	// barrier returns may describe a write the baseline already holds.
	s.barrierN++
	if s.tentative == nil {
		s.tentative = map[string]uint64{}
	}
	return s.barrierN
}

// routeSeeds sends each seed its way: one with a touch of its own goes
// with that touch, one to compare with a restored index into ready, and the
// rest, fresh seeds of a first start, back by directory for the fast way
// (baseline). mu is held.
func (s *Settler) routeSeeds(seeds map[string][]string, barrier uint64, ready map[string]Flags) map[string][]string {
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
	return baselines
}

// takeDue moves the candidates that are ready (all of them when a cookie
// waits) from pending into ready, and adds when each of the others is due.
// mu is held.
func (s *Settler) takeDue(candidates []string, cookie bool, now time.Time, ready map[string]Flags, due *earliest) {
	capAt := maxSettle(s.settle)
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
		at := t.last.Add(s.settle)
		if limit := t.first.Add(capAt); limit.Before(at) {
			at = limit
		}
		if _, known := s.index.get(rel); !known && t.flags&Event != 0 {
			if looksTemporary(rel) {
				// A new file named like an atomic save's temporary: the
				// rename that follows folds it into the real file's event.
				at = later(at, t.last.Add(tempGrace))
			}
		}
		if cookie || !at.After(now) || s.looksComplete(rel, t.flags) {
			ready[rel] = t.flags
			delete(s.pending, rel)
			continue
		}
		due.add(at)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// graceTruncating puts back into pending, for one grace period, the ready
// paths that look caught mid-save (see truncating).
func (s *Settler) graceTruncating(ready map[string]Flags, now time.Time, due *earliest) {
	for rel, f := range ready {
		// Only a change the kernel reported can be caught mid-save; a
		// baseline or a rescan is what is there.
		if f&Event == 0 || !s.truncating(rel, now) {
			continue
		}
		delete(ready, rel)
		at := now.Add(truncGrace)
		s.mu.Lock()
		if t, fresh := s.pending[rel]; fresh {
			// Its write came in meanwhile: that touch decides.
			t.flags |= f
			s.pending[rel] = t
			at = t.last.Add(s.settle)
		} else {
			s.pending[rel] = touch{flags: f, first: now, last: at.Add(-s.settle)}
		}
		s.mu.Unlock()
		due.add(at)
	}
}

// takeBaselines records the fast way's baselines and adds to ready, to be
// examined the general way, the files it could not take.
func (s *Settler) takeBaselines(baselines map[string][]string, now time.Time, ready map[string]Flags) {
	for dir, names := range baselines {
		for _, name := range s.baseline(dir, names, now) {
			rel := name
			if dir != "" {
				rel = dir + "/" + name
			}
			ready[rel] = Seed // not a plain file now: the general way
		}
	}
}

// requeueRetries puts the paths examined while a writer had them open back
// into pending, with the flags they were examined with.
func (s *Settler) requeueRetries(ready map[string]Flags, now time.Time, due *earliest) {
	if len(s.retry) == 0 {
		return
	}
	s.mu.Lock()
	for _, rel := range s.retry {
		t, ok := s.pending[rel]
		if !ok {
			t = touch{first: now, last: now}
		}
		t.flags |= ready[rel]
		s.pending[rel] = t
		due.add(t.last.Add(s.settle))
	}
	s.mu.Unlock()
	s.retry = s.retry[:0]
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

// Any reports whether some indexed file satisfies match, called with each
// file's directory and name (no path is built), from the goroutine that
// drives the settler.
func (s *Settler) Any(match func(dir, name string) bool) bool {
	for d, df := range s.index.dirs {
		if df.m != nil {
			for n := range df.m {
				if match(d, n) {
					return true
				}
			}
			continue
		}
		for _, e := range df.list {
			if match(d, e.name) {
				return true
			}
		}
	}
	return false
}

// Paths lists every indexed file, from the goroutine that drives the
// settler.
func (s *Settler) Paths() []string { return s.index.under("") }

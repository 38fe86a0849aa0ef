package settle

import (
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

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

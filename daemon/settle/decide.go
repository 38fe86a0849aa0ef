package settle

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/hookd-dev/hookd/event"
)

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

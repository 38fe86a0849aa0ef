package settle

import (
	"io"
)

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

// Checkpoint calls fn with the index's changes since the last checkpoint,
// from the goroutine that drives the settler, between two steps: every
// change the index holds has been handed to emit, so what fn records is
// consistent with the events. When fn returns true the changes count as
// written, but for the paths it left out (keep), which are offered again
// next time; when false they all are.
//
// While the start-up scan's baselines are still being taken, fn is not
// called and Checkpoint reports false: what the index holds is not the
// tree yet.
func (s *Settler) Checkpoint(fn func(Delta) (keep []string, ok bool)) bool {
	s.mu.Lock()
	seeding := s.holding || len(s.seeds) > 0
	s.mu.Unlock()
	if seeding {
		return false
	}
	// Many changes are cheaper written as a new whole than as a row each.
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
	keep, ok := fn(d)
	if ok {
		s.index.all, s.index.dirty = false, map[string]bool{}
		for _, rel := range keep {
			s.index.dirty[rel] = true
		}
	}
	return ok
}

// WriteIndex writes the whole index as a blob, for the next run's
// Restore, from the goroutine that drives the settler (or once it has
// stopped).
func (s *Settler) WriteIndex(w io.Writer) error { return s.index.writeTo(w) }

package settle

import (
	"path"
	"strings"
)

// fileState is what the settler last saw of a file.
type fileState struct {
	size   int64
	mtime  int64 // unix nanoseconds
	seen   int64 // when this state was recorded, unix nanoseconds
	hash   uint64
	hashed bool
	ino    uint64 // pairs the two halves of a rename
}

// index maps directories to the files seen in them, so that a directory
// that vanishes can be resolved without scanning every path. It remembers
// which paths changed since the last checkpoint, so a checkpoint writes
// only those.
type index struct {
	dirs map[string]map[string]fileState // dir ("" for root) -> name -> state
	// dirty holds the paths changed since the last checkpoint; all says
	// every path is (a fresh baseline, never written).
	dirty map[string]bool
	all   bool
}

func newIndex() index {
	return index{dirs: map[string]map[string]fileState{}, dirty: map[string]bool{}, all: true}
}

// persisted reports whether two states are the same in what a checkpoint
// writes.
func (a fileState) persisted(b fileState) bool {
	return a.size == b.size && a.mtime == b.mtime && a.hash == b.hash && a.hashed == b.hashed
}

func split(rel string) (dir, name string) {
	d := path.Dir(rel)
	if d == "." {
		d = ""
	}
	return d, path.Base(rel)
}

func (x *index) get(rel string) (fileState, bool) {
	d, n := split(rel)
	st, ok := x.dirs[d][n]
	return st, ok
}

func (x *index) put(rel string, st fileState) {
	d, n := split(rel)
	m := x.dirs[d]
	if m == nil {
		m = map[string]fileState{}
		x.dirs[d] = m
	}
	if old, ok := m[n]; !x.all && (!ok || !old.persisted(st)) {
		x.dirty[rel] = true
	}
	m[n] = st
}

func (x *index) remove(rel string) {
	d, n := split(rel)
	if m := x.dirs[d]; m != nil {
		if _, ok := m[n]; ok && !x.all {
			x.dirty[rel] = true
		}
		delete(m, n)
		if len(m) == 0 {
			delete(x.dirs, d)
		}
	}
}

// under lists the indexed files at or below rel.
func (x *index) under(rel string) []string {
	var out []string
	for d, m := range x.dirs {
		if d != rel && !(rel == "" || strings.HasPrefix(d, rel+"/")) {
			continue
		}
		for n := range m {
			if d == "" {
				out = append(out, n)
			} else {
				out = append(out, d+"/"+n)
			}
		}
	}
	if _, ok := x.get(rel); ok {
		out = append(out, rel)
	}
	return out
}

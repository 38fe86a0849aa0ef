package settle

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"time"
)

// fileState is what the settler last saw of a file, in 32 bytes: the
// index holds one per file of the tree.
type fileState struct {
	size  int64
	mtime int64 // unix nanoseconds
	hash  uint64
	ino   uint32 // the inode's low bits: pairs the two halves of a rename
	// hashed says hash is the content's; racy that the mtime was too
	// recent, when this state was recorded, to prove anything later (see
	// racyWindow).
	hashed, racy bool
}

// recorded is st as seen at now.
func (st fileState) recorded(now int64) fileState {
	st.racy = time.Duration(now-st.mtime) <= racyWindow
	return st
}

// index maps directories to the files seen in them, so that a directory
// that vanishes can be resolved without scanning every path. It remembers
// which paths changed since the last checkpoint, so a checkpoint writes
// only those.
type index struct {
	dirs map[string]*dirFiles // dir ("" for root) -> its files
	// dirty holds the paths changed since the last checkpoint; all says
	// every path is (a fresh baseline, never written).
	dirty map[string]bool
	all   bool
}

// dirFiles are one directory's files: a slice sorted by name while the
// directory is small, as nearly all are (a map of ten entries costs twice
// their size), a map once it is big.
type dirFiles struct {
	list []fileEntry
	m    map[string]fileState
}

type fileEntry struct {
	name string
	st   fileState
}

// smallDir is how many files a directory keeps in its sorted slice.
const smallDir = 64

func (d *dirFiles) find(name string) (int, bool) {
	return slices.BinarySearchFunc(d.list, name, func(e fileEntry, n string) int { return strings.Compare(e.name, n) })
}

func (d *dirFiles) get(name string) (fileState, bool) {
	if d.m != nil {
		st, ok := d.m[name]
		return st, ok
	}
	if i, ok := d.find(name); ok {
		return d.list[i].st, true
	}
	return fileState{}, false
}

// put sets name's state and returns the one it replaced.
func (d *dirFiles) put(name string, st fileState) (old fileState, existed bool) {
	if d.m != nil {
		old, existed = d.m[name]
		d.m[name] = st
		return old, existed
	}
	i, ok := d.find(name)
	if ok {
		old = d.list[i].st
		d.list[i].st = st
		return old, true
	}
	if len(d.list) >= smallDir {
		d.m = make(map[string]fileState, 2*len(d.list))
		for _, e := range d.list {
			d.m[e.name] = e.st
		}
		d.list = nil
		d.m[name] = st
		return fileState{}, false
	}
	d.list = slices.Insert(d.list, i, fileEntry{name, st})
	return fileState{}, false
}

func (d *dirFiles) remove(name string) bool {
	if d.m != nil {
		_, ok := d.m[name]
		delete(d.m, name)
		return ok
	}
	if i, ok := d.find(name); ok {
		d.list = slices.Delete(d.list, i, i+1)
		return true
	}
	return false
}

func (d *dirFiles) len() int {
	if d.m != nil {
		return len(d.m)
	}
	return len(d.list)
}

// names returns the directory's file names, sorted.
func (d *dirFiles) names() []string {
	out := make([]string, 0, d.len())
	if d.m != nil {
		for n := range d.m {
			out = append(out, n)
		}
		slices.Sort(out)
		return out
	}
	for _, e := range d.list {
		out = append(out, e.name)
	}
	return out
}

func newIndex() index {
	return index{dirs: map[string]*dirFiles{}, dirty: map[string]bool{}, all: true}
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

// baseline records a directory's files from a fresh scan, names sorted
// or not, in one go. It bypasses the dirty tracking: only a fresh
// baseline, which is written whole, uses it.
func (x *index) baseline(d string, entries []fileEntry) {
	df := x.dirs[d]
	if df == nil {
		df = &dirFiles{}
		x.dirs[d] = df
	}
	if df.len() == 0 && len(entries) <= smallDir {
		slices.SortFunc(entries, func(a, b fileEntry) int { return strings.Compare(a.name, b.name) })
		df.list = slices.Clip(entries)
		return
	}
	for _, e := range entries {
		df.put(e.name, e.st)
	}
}

func (x *index) get(rel string) (fileState, bool) {
	d, n := split(rel)
	if df := x.dirs[d]; df != nil {
		return df.get(n)
	}
	return fileState{}, false
}

func (x *index) put(rel string, st fileState) {
	d, n := split(rel)
	df := x.dirs[d]
	if df == nil {
		df = &dirFiles{}
		x.dirs[d] = df
	}
	if _, known := df.get(n); !known {
		n = strings.Clone(n) // a name cut from rel would keep all of rel alive
	}
	if old, ok := df.put(n, st); !x.all && (!ok || !old.persisted(st)) {
		x.dirty[rel] = true
	}
}

func (x *index) remove(rel string) {
	d, n := split(rel)
	if df := x.dirs[d]; df != nil {
		if df.remove(n) && !x.all {
			x.dirty[rel] = true
		}
		if df.len() == 0 {
			delete(x.dirs, d)
		}
	}
}

// files counts the indexed files.
func (x *index) files() int {
	n := 0
	for _, df := range x.dirs {
		n += df.len()
	}
	return n
}

// under lists the indexed files at or below rel.
func (x *index) under(rel string) []string {
	var out []string
	for d, df := range x.dirs {
		if d != rel && !(rel == "" || strings.HasPrefix(d, rel+"/")) {
			continue
		}
		for _, n := range df.names() {
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

// The persisted index is one compact blob, not a row per file: a hundred
// thousand rows cost a second of CPU and tens of megabytes to write, the
// blob a few milliseconds and its own size. It is written from the maps
// without building a list of entries. Format (all integers uvarint):
//
//	"hki1" ndirs { dir nfiles { name flags size mtime [hash, 8 bytes] } }
//
// with strings as length and bytes, flags bit 0 "hashed", and mtime
// zig-zag encoded.
const indexMagic = "hki1"

// writeTo writes the index as a blob, directories and names sorted, a
// piece at a time.
func (x *index) writeTo(w io.Writer) error {
	dirs := make([]string, 0, len(x.dirs))
	for d := range x.dirs {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 256)
	buf = append(buf, indexMagic...)
	buf = binary.AppendUvarint(buf, uint64(len(dirs)))
	for _, d := range dirs {
		df := x.dirs[d]
		buf = appendString(buf, d)
		buf = binary.AppendUvarint(buf, uint64(df.len()))
		for _, name := range df.names() {
			st, _ := df.get(name)
			buf = appendString(buf, name)
			var flags byte
			if st.hashed {
				flags = 1
			}
			buf = append(buf, flags)
			buf = binary.AppendUvarint(buf, uint64(st.size))
			buf = binary.AppendVarint(buf, st.mtime)
			if st.hashed {
				buf = binary.LittleEndian.AppendUint64(buf, st.hash)
			}
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
	}
	// An empty index is its header alone (FuzzDecodeIndex found it was
	// written as nothing, which reads back as damaged).
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// encode is writeTo into memory.
func (x *index) encode() []byte {
	var b bytes.Buffer
	_ = x.writeTo(&b) // a bytes.Buffer does not fail
	return b.Bytes()
}

func appendString(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}

// errIndex is a blob that is not an index, or a cut one.
var errIndex = errors.New("settle: the saved file index is damaged")

// DecodeIndex calls fn with each entry of an encoded index, in order. A
// damaged blob is errIndex after the entries before the damage: the
// caller starts from what was read, and the files it lacks come out as
// created, never lost.
func DecodeIndex(data []byte, fn func(Entry)) error {
	rest, ok := bytes.CutPrefix(data, []byte(indexMagic))
	if !ok {
		return errIndex
	}
	uvarint := func() (uint64, bool) {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return 0, false
		}
		rest = rest[n:]
		return v, true
	}
	str := func() (string, bool) {
		l, ok := uvarint()
		if !ok || l > uint64(len(rest)) {
			return "", false
		}
		s := string(rest[:l])
		rest = rest[l:]
		return s, true
	}
	ndirs, ok := uvarint()
	if !ok {
		return errIndex
	}
	for range ndirs {
		dir, ok := str()
		if !ok {
			return errIndex
		}
		nfiles, ok := uvarint()
		if !ok {
			return errIndex
		}
		for range nfiles {
			name, ok := str()
			if !ok || len(rest) == 0 || name == "" {
				return errIndex
			}
			flags := rest[0]
			rest = rest[1:]
			size, ok := uvarint()
			if !ok {
				return errIndex
			}
			mtime, n := binary.Varint(rest)
			if n <= 0 {
				return errIndex
			}
			rest = rest[n:]
			e := Entry{Path: name, Size: int64(size), Mtime: mtime}
			if dir != "" {
				e.Path = dir + "/" + name
			}
			if flags&1 != 0 {
				if len(rest) < 8 {
					return errIndex
				}
				e.Hash, e.Hashed = binary.LittleEndian.Uint64(rest), true
				rest = rest[8:]
			}
			fn(e)
		}
	}
	if len(rest) != 0 {
		return errIndex
	}
	return nil
}

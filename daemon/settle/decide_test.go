package settle

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/event"
)

// What examineFile decides for each pair of (what the index holds, what is
// on disk now), with the flags of the touch: the whole of the settler's
// judgement, case by case.
func TestExamineDecides(t *testing.T) {
	old := time.Now().Add(-time.Hour)
	type known struct {
		content string // the content the index's hash is of
		mtime   time.Time
		hashed  bool
		seen    time.Time
	}
	cases := []struct {
		name  string
		index *known // nil: not in the index
		disk  string // "": absent; "dir": a directory; "link:T": a symlink to T
		mtime time.Time
		flags Flags
		want  event.Change // "": no event
	}{
		{name: "new file", disk: "x", flags: Event, want: event.Created},
		{name: "gone, never known", flags: Event},
		{name: "gone, known", index: &known{content: "x", mtime: old, hashed: true, seen: old}, flags: Event, want: event.Deleted},
		{name: "a directory now", index: &known{content: "x", mtime: old, hashed: true, seen: old}, disk: "dir", flags: Event, want: event.Deleted},
		{name: "new content", index: &known{content: "x", mtime: old, hashed: true, seen: old}, disk: "y", mtime: time.Now(), flags: Event, want: event.Saved},
		{name: "same bytes written again", index: &known{content: "x", mtime: old, hashed: true, seen: old}, disk: "x", mtime: time.Now(), flags: Event},
		{name: "same size and mtime, trusted, rescan", index: &known{content: "x", mtime: old, hashed: false, seen: old.Add(time.Minute)}, disk: "x", mtime: old, flags: Rescan},
		{name: "same size and mtime, trusted, never hashed: unchanged even on an event", index: &known{content: "z", mtime: old, hashed: false, seen: old.Add(time.Minute)}, disk: "x", mtime: old, flags: Event},
		{name: "same size and mtime, trusted, hashed: an event hashes", index: &known{content: "z", mtime: old, hashed: true, seen: old.Add(time.Minute)}, disk: "x", mtime: old, flags: Event, want: event.Saved},
		{name: "same size and mtime but racy: the hash decides", index: &known{content: "x", mtime: time.Now(), hashed: true, seen: time.Now()}, disk: "y", flags: Rescan, want: event.Saved},
		{name: "a seed: the baseline, no event", disk: "x", mtime: old, flags: Seed},
		{name: "a seed with an event: changed since the scan", disk: "x", flags: Seed | Event, want: event.Saved},
		{name: "suspect: whatever it holds is a change", index: &known{content: "x", mtime: old, hashed: true, seen: old}, disk: "x", mtime: old, flags: Event | Suspect, want: event.Saved},
		{name: "a symlink retargeted", index: &known{content: "symlink:a", mtime: old, hashed: true, seen: old}, disk: "link:b", flags: Event, want: event.Saved},
		{name: "a symlink unchanged", index: &known{content: "symlink:a", mtime: old, hashed: true, seen: old}, disk: "link:a", flags: Rescan},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			abs := filepath.Join(root, "f")
			switch {
			case c.disk == "dir":
				os.Mkdir(abs, 0o755)
			case len(c.disk) > 5 && c.disk[:5] == "link:":
				os.Symlink(c.disk[5:], abs)
			case c.disk != "":
				os.WriteFile(abs, []byte(c.disk), 0o644)
				if !c.mtime.IsZero() {
					os.Chtimes(abs, c.mtime, c.mtime)
				}
			}
			s := New(root, time.Millisecond, func([]event.Event) {}, nil)
			if k := c.index; k != nil {
				size := int64(len(k.content))
				st := fileState{size: size, mtime: k.mtime.UnixNano(), hashed: k.hashed, racy: k.seen.Sub(k.mtime) <= racyWindow}
				if fi, err := os.Lstat(abs); err == nil && c.disk == k.content {
					st.size, st.mtime = fi.Size(), fi.ModTime().UnixNano() // the same file as indexed
					if !c.mtime.IsZero() && !c.mtime.Equal(k.mtime) {
						st.mtime = k.mtime.UnixNano()
					}
				}
				if k.hashed {
					st.hash = hashOf(t, root, k.content)
				}
				s.index.put("f", st)
			}
			got, _, ok := s.examineFile("f", c.flags, time.Now())
			if !ok {
				got = ""
			}
			if got != c.want {
				t.Fatalf("decided %q, want %q", got, c.want)
			}
		})
	}
}

// hashOf is the hash the settler keeps for a file of that content (or, for
// "symlink:T", of a symlink to T).
func hashOf(t *testing.T, dir, content string) uint64 {
	p := filepath.Join(t.TempDir(), "h")
	if len(content) > 8 && content[:8] == "symlink:" {
		os.Symlink(content[8:], p)
	} else {
		os.WriteFile(p, []byte(content), 0o644)
	}
	fi, _ := os.Lstat(p)
	h, _ := hashFile(p, fi)
	return h
}

// A checkpoint writes the whole index once, then only what changed; what
// it was handed back (kept) comes again; a restored index is clean.
func TestCheckpointDelta(t *testing.T) {
	s := New(t.TempDir(), time.Millisecond, func([]event.Event) {}, nil)
	s.index.put("a", fileState{size: 1})
	s.index.put("b", fileState{size: 2})
	take := func(keep ...string) Delta {
		var got Delta
		s.Checkpoint(func(d Delta) ([]string, bool) {
			got = d
			if d.Full {
				var b bytes.Buffer
				if err := d.Write(&b); err != nil || countBlob(t, b.Bytes()) != s.index.files() {
					t.Errorf("the blob written: %v", err)
				}
			}
			return keep, true
		})
		return got
	}
	if d := take(); !d.Full || len(d.Put) != 0 || countBlob(t, s.index.encode()) != 2 {
		t.Fatalf("first: %+v, want the whole index as a blob", d)
	}
	if d := take(); d.Full || len(d.Put)+len(d.Deleted) != 0 {
		t.Fatalf("unchanged: %+v", d)
	}
	s.index.put("a", fileState{size: 1, racy: true}) // only whether its mtime was recent: not written
	s.index.put("b", fileState{size: 3})
	s.index.remove("c") // never there
	s.index.put("c", fileState{size: 4})
	s.index.remove("a")
	if d := take("c"); len(d.Put) != 2 || len(d.Deleted) != 1 || d.Deleted[0] != "a" {
		t.Fatalf("changes: %+v", d)
	}
	if d := take(); len(d.Put) != 1 || d.Put[0].Path != "c" {
		t.Fatalf("kept c comes again: %+v", d)
	}
	s = New(t.TempDir(), time.Millisecond, func([]event.Event) {}, nil)
	if n, err := s.Restore(nil, []Entry{{Path: "x", Size: 1}}); n != 1 || err != nil || len(s.index.dirty) != 0 || s.index.all {
		t.Fatal("a restored index is not clean")
	}
}

func countBlob(t *testing.T, blob []byte) int {
	t.Helper()
	n := 0
	if err := DecodeIndex(blob, func(Entry) { n++ }); err != nil {
		t.Fatal(err)
	}
	return n
}

// The index blob reads back as it was written, changes after it apply in
// order, and a damaged one keeps what came before the damage.
func TestIndexBlob(t *testing.T) {
	var x index = newIndex()
	want := map[string]fileState{
		"top.go":          {size: 3, mtime: -5, hash: 7, hashed: true},
		"a/b/c.txt":       {size: 1 << 40, mtime: 1_700_000_000_000_000_000},
		"a/b/d.txt":       {size: 0, mtime: 1, hash: 1<<64 - 1, hashed: true},
		"ü/名前 with space": {size: 9, mtime: 2},
	}
	for p, st := range want {
		x.put(p, st)
	}
	blob := x.encode()
	got := map[string]Entry{}
	if err := DecodeIndex(blob, func(e Entry) { got[e.Path] = e }); err != nil {
		t.Fatal(err)
	}
	for p, st := range want {
		e := got[p]
		if e.Size != st.size || e.Mtime != st.mtime || e.Hash != st.hash || e.Hashed != st.hashed {
			t.Errorf("%s: %+v, want %+v", p, e, st)
		}
	}
	s := New(t.TempDir(), time.Millisecond, func([]event.Event) {}, nil)
	n, err := s.Restore(blob, []Entry{{Path: "top.go", Gone: true}, {Path: "new.go", Size: 4}})
	if _, gone := s.index.get("top.go"); n != 4 || err != nil || gone {
		t.Fatalf("restore: %d files, %v", n, err)
	}
	for cut := range len(blob) {
		read := 0
		if err := DecodeIndex(blob[:cut], func(Entry) { read++ }); err == nil || read > len(want) {
			t.Fatalf("cut at %d: %v after %d entries", cut, err, read)
		}
	}
}

func FuzzDecodeIndex(f *testing.F) {
	var x index = newIndex()
	x.put("a/b", fileState{size: 1, hashed: true})
	x.put("c", fileState{size: 2})
	f.Add(x.encode())
	f.Add([]byte(indexMagic))
	f.Add([]byte("hki1\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := DecodeIndex(data, func(e Entry) {
			if e.Path == "" || strings.HasSuffix(e.Path, "/") {
				t.Fatalf("entry %+v", e)
			}
			n++
		})
		if n > len(data) {
			t.Fatalf("%d entries from %d bytes", n, len(data))
		}
		if err == nil {
			// What decodes encodes to the same entries.
			var y index = newIndex()
			_ = DecodeIndex(data, func(e Entry) { y.put(e.Path, fileState{size: e.Size, mtime: e.Mtime, hash: e.Hash, hashed: e.Hashed}) })
			m := 0
			if DecodeIndex(y.encode(), func(Entry) { m++ }) != nil || m > n {
				t.Fatalf("re-encoded: %d entries, was %d", m, n)
			}
		}
	})
}

// A directory keeps its files in a sorted slice while small and in a map
// once big; either way it answers the same.
func TestDirFiles(t *testing.T) {
	var d dirFiles
	want := map[string]int64{}
	for i := range 3 * smallDir {
		name := fmt.Sprintf("f%03d", (i*37)%(3*smallDir)) // not in order
		d.put(name, fileState{size: int64(i)})
		want[name] = int64(i)
		if i == smallDir-1 && d.m != nil || i == smallDir+1 && d.m == nil {
			t.Fatalf("after %d files: map %v", i+1, d.m != nil)
		}
	}
	for name, size := range want {
		if st, ok := d.get(name); !ok || st.size != size {
			t.Fatalf("%s: %+v %v", name, st, ok)
		}
	}
	names := d.names()
	if !slices.IsSorted(names) || len(names) != len(want) || d.len() != len(want) {
		t.Fatalf("names %v", names)
	}
	if !d.remove("f000") || d.remove("f000") || d.len() != len(want)-1 {
		t.Fatal("remove")
	}
	var small dirFiles
	small.put("b", fileState{size: 2})
	small.put("a", fileState{size: 1})
	if old, ok := small.put("b", fileState{size: 3}); !ok || old.size != 2 || !slices.Equal(small.names(), []string{"a", "b"}) {
		t.Fatalf("small: %v %v", old, small.names())
	}
}

// Baselining counts what is still to be baselined, for `hookd status`; a
// chunk taken for baselining leaves the count.
func TestBaselining(t *testing.T) {
	s := New(t.TempDir(), 0, func([]event.Event) {}, nil)
	s.SeedDir("a", []string{"1", "2"})
	s.SeedDir("b", []string{"3"})
	s.SeedDir("a", []string{"4"})
	if got := s.Baselining(); got != 4 {
		t.Fatalf("Baselining() = %d, want 4", got)
	}
	s.mu.Lock()
	taken, more := s.takeSeeds(1)
	s.mu.Unlock()
	left := 4
	for _, names := range taken {
		left -= len(names)
	}
	if got := s.Baselining(); got != left || !more {
		t.Fatalf("after a chunk: Baselining() = %d, more %v; want %d, true", got, more, left)
	}
}

// BenchmarkHashSettled is the examination of a burst's new files: open
// under a read lease, hash (1,000 small files an op).
func BenchmarkHashSettled(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i := range 1000 {
		p := filepath.Join(dir, fmt.Sprint("f", i))
		os.WriteFile(p, []byte(fmt.Sprint("content ", i)), 0o644)
		paths = append(paths, p)
	}
	for b.Loop() {
		for _, p := range paths {
			fi, _ := os.Lstat(p)
			hashSettled(p, fi)
		}
	}
}

package watch_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/hookd-dev/hookd/daemon/settle"
	"github.com/hookd-dev/hookd/daemon/watch"
	"github.com/hookd-dev/hookd/event"
)

type harness struct {
	t    *testing.T
	root string
	w    *watch.Watcher

	mu      sync.Mutex
	events  []event.Event
	arrived chan struct{} // signalled when the settler emits
}

type option func(*watch.Options, *harness)

func start(t *testing.T, setup func(root string), opts ...option) *harness {
	t.Helper()
	h := &harness{t: t, root: t.TempDir(), arrived: make(chan struct{}, 1)}
	if setup != nil {
		setup(h.root)
	}
	s := settle.New(h.root, 2*time.Millisecond, func(evs []event.Event) {
		h.mu.Lock()
		h.events = append(h.events, evs...)
		h.mu.Unlock()
		select {
		case h.arrived <- struct{}{}:
		default:
		}
	}, nil)
	o := watch.Options{Root: h.root, CookieDir: filepath.Join(t.TempDir(), "cookies"), Settler: s}
	for _, opt := range opts {
		opt(&o, h)
	}
	w, err := watch.New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.w = w
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.Run(ctx) }()
	go func() { defer wg.Done(); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return h
}

// settled waits, through the sync cookie, until every change so far has
// been examined, and returns the events since the last call.
func (h *harness) settled() []event.Event {
	h.t.Helper()
	if err := h.w.Sync(context.Background(), 10*time.Second); err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	evs := h.events
	h.events = nil
	return evs
}

// changes flattens events into "change path" lines, sorted.
func changes(evs []event.Event) []string {
	var out []string
	for _, ev := range evs {
		for _, f := range ev.Files {
			if string(ev.Kind) != "file."+f.Change {
				panic(fmt.Sprintf("event %s carries a %s file", ev.Kind, f.Change))
			}
			line := f.Change + " " + f.Path
			if f.From != "" {
				line += " from " + f.From
			}
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

func (h *harness) write(rel, body string) {
	h.t.Helper()
	p := filepath.Join(h.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) expect(want ...string) {
	h.t.Helper()
	got := changes(h.settled())
	slices.Sort(want)
	if !slices.Equal(got, want) {
		h.t.Errorf("events:\n got  %q\n want %q", got, want)
	}
}

func TestCreateSaveDelete(t *testing.T) {
	h := start(t, func(root string) {
		os.WriteFile(filepath.Join(root, "old.txt"), []byte("old"), 0o644)
	})
	h.expect() // the start-up scan is a baseline, not events
	h.write("a.go", "package a")
	h.expect("created a.go")
	h.write("a.go", "package a // changed")
	h.expect("saved a.go")
	if err := os.Remove(filepath.Join(h.root, "a.go")); err != nil {
		t.Fatal(err)
	}
	h.expect("deleted a.go")
	h.write("old.txt", "new")
	h.expect("saved old.txt")
}

// A change made right after start, before the start-up scan has settled,
// is a change, not part of the baseline.
func TestChangeRightAfterStartIsNotLost(t *testing.T) {
	h := start(t, func(root string) {
		os.WriteFile(filepath.Join(root, "a.txt"), []byte("1"), 0o644)
		os.WriteFile(filepath.Join(root, "b.txt"), []byte("1"), 0o644)
		os.WriteFile(filepath.Join(root, "c.txt"), []byte("1"), 0o644)
	})
	h.write("a.txt", "2")
	must(t, os.Remove(filepath.Join(h.root, "b.txt")))
	h.expect("saved a.txt", "deleted b.txt")
}

// A file its writer keeps open (a log) is still reported: waiting for the
// writer to finish is capped.
func TestFileHeldOpenIsStillReported(t *testing.T) {
	h := start(t, func(root string) {
		os.WriteFile(filepath.Join(root, "app.log"), []byte("start\n"), 0o644)
	})
	h.expect()
	f, err := os.OpenFile(filepath.Join(h.root, "app.log"), os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	defer f.Close()
	_, err = f.WriteString("more\n")
	must(t, err)
	// No sync: a cookie would force the decision. The settler must make
	// it on its own while the writer still holds the file.
	select {
	case <-h.arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("a file held open by its writer was never reported")
	}
	h.expect("saved app.log")
}

func TestIdenticalRewriteIsNoEvent(t *testing.T) {
	h := start(t, nil)
	h.write("f.txt", "same")
	h.expect("created f.txt")
	for range 3 {
		h.write("f.txt", "same")
	}
	h.expect()
	// touch(1) changes only the mtime.
	now := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(h.root, "f.txt"), now, now); err != nil {
		t.Fatal(err)
	}
	h.expect()
}

func TestNestedDirectoriesCreatedAtOnce(t *testing.T) {
	h := start(t, nil)
	cmd := exec.Command("sh", "-c", "mkdir -p a/b/c && echo > a/b/c/f")
	cmd.Dir = h.root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatal(err, string(out))
	}
	h.expect("created a/b/c/f")
	// The new directories are watched too.
	h.write("a/b/c/g", "g")
	h.expect("created a/b/c/g")
	// And the same from Go, many levels deep in one call.
	if err := os.MkdirAll(filepath.Join(h.root, "x/y/z/w/v"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.write("x/y/z/w/v/deep.txt", "d")
	h.expect("created x/y/z/w/v/deep.txt")
}

func TestEditorSaves(t *testing.T) {
	h := start(t, func(root string) {
		os.WriteFile(filepath.Join(root, "main.go"), []byte("v1"), 0o644)
	})
	h.expect()
	p := filepath.Join(h.root, "main.go")

	// vim with backupcopy=no: probe file, rename the original to a backup,
	// write a new file, delete the backup.
	must(t, os.WriteFile(filepath.Join(h.root, "4913"), nil, 0o644))
	must(t, os.Remove(filepath.Join(h.root, "4913")))
	must(t, os.Rename(p, p+"~"))
	must(t, os.WriteFile(p, []byte("v2"), 0o644))
	must(t, os.Remove(p+"~"))
	h.expect("saved main.go")

	// Write-in-place: truncate, then write in two pieces.
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	must(t, err)
	_, _ = f.WriteString("v3 first half ")
	_, _ = f.WriteString("second half")
	must(t, f.Close())
	h.expect("saved main.go")

	// Atomic save: write a temp file, rename it over the target.
	tmp := filepath.Join(h.root, ".main.go.tmp.12345")
	must(t, os.WriteFile(tmp, []byte("v4"), 0o644))
	must(t, os.Rename(tmp, p))
	h.expect("saved main.go")

	// JetBrains safe write and an emacs lock never show.
	must(t, os.WriteFile(p+"___jb_tmp___", []byte("v5"), 0o644))
	must(t, os.WriteFile(filepath.Join(h.root, ".#main.go"), nil, 0o644))
	must(t, os.Rename(p+"___jb_tmp___", p))
	h.expect("saved main.go")

	// A swap file comes and goes without a trace.
	must(t, os.WriteFile(filepath.Join(h.root, ".main.go.swp"), []byte("swap"), 0o644))
	h.expect()
}

func TestRealVim(t *testing.T) {
	vim, err := exec.LookPath("vim")
	if err != nil {
		t.Skip("vim not installed")
	}
	for _, mode := range []string{"no", "yes", "auto"} {
		t.Run("backupcopy="+mode, func(t *testing.T) {
			h := start(t, func(root string) {
				os.WriteFile(filepath.Join(root, "notes.md"), []byte("line one\n"), 0o644)
			})
			h.expect()
			cmd := exec.Command(vim, "-u", "NONE", "-i", "NONE", "-N", "-es",
				"-c", "set backup writebackup backupcopy="+mode,
				"-c", "call append(line('$'), 'line two')", "-c", "wq", "notes.md")
			cmd.Dir = h.root
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("vim: %v %s", err, out)
			}
			// vim leaves its notes.md~ backup behind with `set backup`.
			h.expect("saved notes.md")
			got, _ := os.ReadFile(filepath.Join(h.root, "notes.md"))
			if string(got) != "line one\nline two\n" {
				t.Fatalf("vim wrote %q", got)
			}
		})
	}
}

func TestRenamesAndDirectoryMoves(t *testing.T) {
	h := start(t, func(root string) {
		for i := range 3 {
			os.MkdirAll(filepath.Join(root, "pkg/sub"), 0o755)
			os.WriteFile(filepath.Join(root, fmt.Sprintf("pkg/sub/f%d.go", i)), []byte(fmt.Sprint(i)), 0o644)
		}
	})
	h.expect()
	// A file rename pairs the two by content.
	must(t, os.Rename(filepath.Join(h.root, "pkg/sub/f0.go"), filepath.Join(h.root, "pkg/sub/g0.go")))
	h.expect("created pkg/sub/g0.go from pkg/sub/f0.go", "deleted pkg/sub/f0.go")

	// A directory moved within the tree is re-watched under its new name.
	must(t, os.Rename(filepath.Join(h.root, "pkg"), filepath.Join(h.root, "lib")))
	h.expect(
		"created lib/sub/f1.go from pkg/sub/f1.go", "created lib/sub/f2.go from pkg/sub/f2.go",
		"created lib/sub/g0.go from pkg/sub/g0.go",
		"deleted pkg/sub/f1.go", "deleted pkg/sub/f2.go", "deleted pkg/sub/g0.go")
	h.write("lib/sub/new.go", "n")
	h.expect("created lib/sub/new.go")

	// Moved out of the tree: deletions, and no watches left behind.
	before := h.w.Stats().Watches
	must(t, os.Rename(filepath.Join(h.root, "lib"), filepath.Join(t.TempDir(), "gone")))
	h.expect("deleted lib/sub/f1.go", "deleted lib/sub/f2.go", "deleted lib/sub/g0.go", "deleted lib/sub/new.go")
	if after := h.w.Stats().Watches; after != before-2 {
		t.Errorf("watches %d -> %d, want two fewer", before, after)
	}

	// Deleted recursively.
	h.write("tmpdir/a/b/c.txt", "c")
	h.expect("created tmpdir/a/b/c.txt")
	must(t, os.RemoveAll(filepath.Join(h.root, "tmpdir")))
	h.expect("deleted tmpdir/a/b/c.txt")
	if got := h.w.Stats().Watches; got != before-2 {
		t.Errorf("watches after rm -r: %d, want %d", got, before-2)
	}
}

func TestIgnoredTreesAreNotWatched(t *testing.T) {
	h := start(t, func(root string) {
		os.WriteFile(filepath.Join(root, ".gitignore"), []byte("node_modules/\n*.log\n"), 0o644)
		for i := range 50 {
			os.MkdirAll(filepath.Join(root, "node_modules", fmt.Sprint("p", i)), 0o755)
		}
		os.MkdirAll(filepath.Join(root, ".git/objects"), 0o755)
		os.MkdirAll(filepath.Join(root, "src"), 0o755)
	}, func(o *watch.Options, h *harness) { o.Ignore = []string{"generated/"} })
	if got := h.w.Stats().Watches; got != 2 {
		t.Errorf("watching %d directories of the tree, want 2 (root and src)", got)
	}
	h.write("node_modules/p1/index.js", "x")
	h.write("debug.log", "x")
	h.write(".git/objects/ab", "x")
	h.write("generated/x.go", "x")
	h.write("src/app.ts", "x")
	h.expect("created src/app.ts")

	// Un-ignoring a directory starts watching it.
	h.write(".gitignore", "*.log\n")
	h.settled()
	h.write("node_modules/p2/index.js", "y")
	h.expect("created node_modules/p2/index.js")
}

func TestBurstDeliversEveryPathOnce(t *testing.T) {
	h := start(t, nil)
	const n = 10000
	for i := range n {
		h.write(fmt.Sprintf("d%02d/f%05d.txt", i%50, i), fmt.Sprint(i))
	}
	evs := h.settled()
	created := map[string]int{}
	for _, ev := range evs {
		for _, f := range ev.Files {
			switch f.Change {
			case event.Created:
				created[f.Path]++
			case event.Saved:
				// Allowed: fsnotify does not expose IN_CLOSE_WRITE, so a
				// writer that pauses between open and write for longer than
				// the settle period is indistinguishable from a second save.
				// Hook batches merge the two (see the daemon tests).
			default:
				t.Fatalf("unexpected %s %s", f.Change, f.Path)
			}
		}
	}
	if len(created) != n {
		t.Fatalf("got %d created paths, want %d", len(created), n)
	}
	for p, c := range created {
		if c != 1 {
			t.Fatalf("%s created %d times", p, c)
		}
	}
}

// Events the kernel dropped are recovered by the rescan that an overflow
// triggers.
func TestOverflowInjectedLosesNothing(t *testing.T) {
	h := start(t, func(root string) {
		os.WriteFile(filepath.Join(root, "keep.txt"), []byte("1"), 0o644)
		os.WriteFile(filepath.Join(root, "doomed.txt"), []byte("1"), 0o644)
	}, func(o *watch.Options, h *harness) {})
	h.expect()
	h.w.SetDrop(func(string) bool { return true }) // lose everything from now
	h.write("keep.txt", "2")
	must(t, os.Remove(filepath.Join(h.root, "doomed.txt")))
	h.write("newdir/inner/new.txt", "n")
	h.expect() // lost, as in an overflow
	h.w.SetDrop(nil)
	h.w.Resync()
	h.expect("saved keep.txt", "deleted doomed.txt", "created newdir/inner/new.txt")
	h.write("newdir/inner/after.txt", "a")
	h.expect("created newdir/inner/after.txt")
}

// A real IN_Q_OVERFLOW, forced by shrinking the kernel queue.
func TestOverflowForcedByKernel(t *testing.T) {
	const knob = "/proc/sys/fs/inotify/max_queued_events"
	old, err := os.ReadFile(knob)
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root to lower fs.inotify.max_queued_events; TestOverflowInjectedLosesNothing covers the recovery")
	}
	newFS := func() (*fsnotify.Watcher, error) {
		// The limit is read when the instance is created: lower it just
		// for that, then put it back.
		if err := os.WriteFile(knob, []byte("8"), 0o644); err != nil {
			return nil, err
		}
		defer os.WriteFile(knob, old, 0o644)
		return fsnotify.NewWatcher()
	}
	const n = 400
	h := start(t, func(root string) {
		for i := range n {
			os.WriteFile(filepath.Join(root, fmt.Sprintf("old%03d", i)), []byte("1"), 0o644)
		}
		for d := range 7 {
			os.MkdirAll(filepath.Join(root, fmt.Sprintf("new/d%d", d)), 0o755)
		}
	}, func(o *watch.Options, h *harness) { o.NewFSWatcher = newFS })
	h.expect()
	// Stall our event loop so the 8-slot kernel queue must overflow, then
	// let it go.
	release := make(chan struct{})
	h.w.SetDrop(func(string) bool { <-release; return false })
	var want []string
	for i := range n {
		if i%2 == 0 {
			must(t, os.Remove(filepath.Join(h.root, fmt.Sprintf("old%03d", i))))
			want = append(want, fmt.Sprintf("deleted old%03d", i))
		} else {
			must(t, os.WriteFile(filepath.Join(h.root, fmt.Sprintf("old%03d", i)), []byte("2"), 0o644))
			want = append(want, fmt.Sprintf("saved old%03d", i))
		}
		must(t, os.WriteFile(filepath.Join(h.root, fmt.Sprintf("new/d%d/n%03d", i%7, i)), []byte("n"), 0o644))
		want = append(want, fmt.Sprintf("created new/d%d/n%03d", i%7, i))
	}
	close(release)
	// The overflow may be noticed after the cookie, so wait for the
	// recovery to have run before the final sync.
	deadline := time.Now().Add(10 * time.Second)
	var got []string
	for {
		got = append(got, changes(h.settled())...)
		if h.w.Stats().Overflows > 0 && len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
	}
	if h.w.Stats().Overflows == 0 {
		t.Fatal("the kernel queue never overflowed; the test proves nothing")
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(slices.Compact(got), want) {
		t.Errorf("after overflow: got %d changes, want %d\nmissing: %v\nextra: %v", len(got), len(want), missing(want, got), missing(got, want))
	}
}

func missing(want, got []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	return out
}

// Directories over the inotify watch limit are polled, never silently
// unwatched: changes in them still come out as events, the count is in the
// stats and the log names the sysctl. The kernel's ENOSPC is injected here;
// TestRealWatchLimit lowers the real limit, as root, when asked to.
func TestWatchLimitFallsBackToPolling(t *testing.T) {
	root := t.TempDir()
	for i := range 5 {
		os.MkdirAll(filepath.Join(root, fmt.Sprint("d", i), "sub"), 0o755)
	}
	evs := make(chan event.Event, 100)
	s := settle.New(root, time.Millisecond, func(batch []event.Event) {
		for _, ev := range batch {
			evs <- ev
		}
	}, nil)
	var logs strings.Builder
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, nil))
	w, err := watch.New(watch.Options{Root: root, CookieDir: filepath.Join(t.TempDir(), "c"), Settler: s, Log: log, PollInterval: 20 * time.Millisecond})
	must(t, err)
	var mu sync.Mutex
	added := 0
	kernel := w.Add()
	w.SetAdd(func(dir string) error {
		mu.Lock()
		defer mu.Unlock()
		if added == 4 {
			return syscall.ENOSPC
		}
		added++
		return kernel(dir)
	})
	if err := w.Start(); err != nil {
		t.Fatalf("Start = %v; a low limit means polling, not failing", err)
	}
	st := w.Stats()
	if st.Watches != 4 || st.Polled != 7 || st.Uncovered != 7 {
		t.Fatalf("stats %+v, want 4 watched and 7 of 11 directories polled", st)
	}
	logMu.Lock()
	for _, want := range []string{"polled=7", "fix=\"sudo sysctl fs.inotify.max_user_watches="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	logMu.Unlock()
	runBoth(t, s, w)

	// Every directory gets a file; the polled ones deliver too.
	var want []string
	for i := range 5 {
		rel := fmt.Sprintf("d%d/sub/new.txt", i)
		os.WriteFile(filepath.Join(root, rel), []byte("x"), 0o644)
		want = append(want, "created "+rel)
	}
	waitFor(t, evs, want)
	for i := range 5 {
		os.Remove(filepath.Join(root, fmt.Sprintf("d%d/sub/new.txt", i)))
		want[i] = "deleted " + fmt.Sprintf("d%d/sub/new.txt", i)
	}
	waitFor(t, evs, want)
}

// runBoth runs a started watcher and its settler until the test ends.
func runBoth(t *testing.T, s *settle.Settler, w *watch.Watcher) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.Run(ctx) }()
	go func() { defer wg.Done(); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// waitFor reads events until each wanted "change path" has come, once.
func waitFor(t *testing.T, evs <-chan event.Event, want []string) {
	t.Helper()
	left := map[string]bool{}
	for _, w := range want {
		left[w] = true
	}
	deadline := time.After(10 * time.Second)
	for len(left) > 0 {
		select {
		case ev := <-evs:
			for _, line := range changes([]event.Event{ev}) {
				if !left[line] {
					t.Errorf("unexpected %s", line)
				}
				delete(left, line)
			}
		case <-deadline:
			t.Fatalf("never came: %v", left)
		}
	}
}

func TestTempFileNames(t *testing.T) {
	for name, want := range map[string]bool{
		"4913": true, "5036": true, "4914": false, "main.go~": true, ".main.go.swp": true, ".x.swo": true,
		"a.go___jb_tmp___": true, ".#a.go": true, "#a.go#": true, "main.go": false, "swap.go": false,
		"1234": false, "x.swift": false,
	} {
		if got := watch.TempFile(name); got != want {
			t.Errorf("TempFile(%q) = %v, want %v", name, got, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A 1,000-directory subtree renamed is re-watched whole under its new name
// with every file moved; deleted, it leaves no watch behind.
func TestThousandDirectorySubtreeMovesAndDeletes(t *testing.T) {
	const n = 1000
	h := start(t, func(root string) {
		for i := range n {
			d := filepath.Join(root, "big", fmt.Sprint("g", i/100), fmt.Sprint("d", i))
			os.MkdirAll(d, 0o755)
			os.WriteFile(filepath.Join(d, "f.txt"), []byte(fmt.Sprint(i)), 0o644)
		}
	})
	h.expect()
	base := h.w.Stats().Watches // the root, big, 10 groups and 1,000 directories
	if base != 1+1+10+n {
		t.Fatalf("%d watches, want %d", base, 1+1+10+n)
	}
	must(t, os.Rename(filepath.Join(h.root, "big"), filepath.Join(h.root, "moved")))
	// Each file is deleted under its old name and created under the new
	// one (paired as a rename when both land in one settling round).
	got := map[string]bool{}
	for _, line := range changes(h.settled()) {
		line, _, _ = strings.Cut(line, " from ")
		got[line] = true
	}
	missing := 0
	for i := range n {
		from := fmt.Sprintf("big/g%d/d%d/f.txt", i/100, i)
		for _, want := range []string{"deleted " + from, "created moved" + strings.TrimPrefix(from, "big")} {
			if !got[want] {
				missing++
			}
			delete(got, want)
		}
	}
	if missing > 0 || len(got) > 0 {
		t.Errorf("%d events missing, %d unexpected", missing, len(got))
	}
	if got := h.w.Stats().Watches; got != base {
		t.Errorf("%d watches after the move, want %d", got, base)
	}
	// Every directory of the moved tree is watched under its new name.
	var want []string
	for i := 0; i < n; i += 97 {
		rel := fmt.Sprintf("moved/g%d/d%d/new.txt", i/100, i)
		h.write(rel, "x")
		want = append(want, "created "+rel)
	}
	h.expect(want...)
	must(t, os.RemoveAll(filepath.Join(h.root, "moved")))
	evs := h.settled()
	if got := len(changes(evs)); got != n+len(want) {
		t.Errorf("%d deletions, want %d", got, n+len(want))
	}
	if got := h.w.Stats().Watches; got != 1 {
		t.Errorf("%d watches after rm -r, want 1 (the root)", got)
	}
}

package watch_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon/settle"
	"github.com/hookd-dev/hookd/daemon/watch"
	"github.com/hookd-dev/hookd/event"
)

const limitFile = "/proc/sys/fs/inotify/max_user_watches"

// TestRealWatchLimit lowers fs.inotify.max_user_watches for real, so the
// kernel itself refuses watches, and checks that hookd polls what it
// cannot watch. The limit is machine-wide: the test runs only as root and
// when HOOKD_ROOT_TESTS=1, which .ci/run sets for this test alone, after
// the rest of the suite.
func TestRealWatchLimit(t *testing.T) {
	if os.Getenv("HOOKD_ROOT_TESTS") != "1" || os.Getuid() != 0 {
		t.Skip("lowers a machine-wide limit: run as root with HOOKD_ROOT_TESTS=1")
	}
	old, err := os.ReadFile(limitFile)
	if err != nil {
		t.Skip(err)
	}
	root := t.TempDir()
	for i := range 30 {
		os.MkdirAll(filepath.Join(root, fmt.Sprint("d", i)), 0o755)
	}
	inUse := watchesInUse(t)
	// The cookie directory and ten directories of the tree fit.
	if err := os.WriteFile(limitFile, []byte(strconv.Itoa(inUse+11)), 0o644); err != nil {
		t.Skip(err)
	}
	defer os.WriteFile(limitFile, old, 0o644)

	evs := make(chan event.Event, 100)
	s := settle.New(root, time.Millisecond, func(batch []event.Event) {
		for _, ev := range batch {
			evs <- ev
		}
	}, nil)
	w, err := watch.New(watch.Options{Root: root, CookieDir: filepath.Join(t.TempDir(), "c"), Settler: s, PollInterval: 50 * time.Millisecond})
	must(t, err)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	st := w.Stats()
	if st.Polled < 15 || st.Watches+st.Polled != 31 {
		t.Fatalf("stats %+v: want about 10 of 31 directories watched and the rest polled", st)
	}
	runBoth(t, s, w)
	var want []string
	for i := range 30 {
		rel := fmt.Sprintf("d%d/f.txt", i)
		os.WriteFile(filepath.Join(root, rel), []byte("x"), 0o644)
		want = append(want, "created "+rel)
	}
	waitFor(t, evs, want)
}

// watchesInUse counts the inotify watches of this user's processes.
func watchesInUse(t *testing.T) int {
	n := 0
	procs, _ := filepath.Glob("/proc/[0-9]*/fdinfo/*")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n += strings.Count(string(data), "inotify wd:")
	}
	return n
}

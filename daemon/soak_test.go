package daemon_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
)

// TestSoak churns a repository for HOOKD_SOAK (e.g. "60s"; CI runs a
// minute, the full soak is "1h"): creates, saves, renames,
// deletes, directory moves and checkouts, as fast as they come, while a
// command hook and two agent hooks write files of their own (the agents
// ping-pong, a chain the loop guard must end). At the end every file's
// last event must match the disk (the hooks' files too), no run may have
// started past max_depth, and the memory after warm-up (the journal full to
// its retention limits) must not have grown by more than 10%.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("HOOKD_SOAK"))
	if err != nil {
		t.Skip("set HOOKD_SOAK=60s (or 1h) to run the soak")
	}
	last := &lastEvents{m: map[string]lastEvent{}}
	var deepest, tooDeep, runs atomic.Int64
	dir := t.TempDir()
	agentOnPath(t, dir, "claude", `case "$HOOKD_FILES" in
*ping*) announce hooks/pong.txt; echo . >> hooks/pong.txt;;
*pong*) announce hooks/ping.txt; echo . >> hooks/ping.txt;;
*) announce hooks/ping.txt; echo . >> hooks/ping.txt;;
esac`)
	e := startGitDaemon(t, `
[defaults]
max_depth = 3
max_runs_per_minute = 100000 # the churn is faster than any person

[[hook]]
name = "everything"
on = "file.*"
debounce = "50ms"
run = "true"

[[hook]]
name = "stamp"
on = "file.saved"
paths = ["d1/**"]
debounce = "50ms"
run = "mkdir -p hooks && date +%s%N >> hooks/stamp.txt"

[[hook]]
name = "ping"
on = "file.*"
paths = ["d2/*", "hooks/pong.txt"]
debounce = "50ms"
agent = "claude"
prompt = "ping"

[[hook]]
name = "pong"
on = "file.*"
paths = ["hooks/ping.txt"]
debounce = "50ms"
agent = "claude"
prompt = "pong"
`, func(root string) {
		seedSoakRepo(t, root)
		os.MkdirAll(filepath.Join(root, "hooks"), 0o755)
	}, func(o *daemon.Options) {
		o.OnEvent = last.record
		// Runs are counted, not kept: the harness's record buffer would
		// otherwise be the memory that grows.
		o.Observe = func(r queue.Record) {
			switch {
			case r.Phase == queue.Started:
				runs.Add(1)
				// How deep a hook went in a chain of its own.
				if d := int64(r.Event.Depth); slices.Contains(r.Event.Chain, r.Hook) && d > deepest.Load() {
					deepest.Store(d)
				}
			case r.Phase == queue.Skipped && strings.HasPrefix(r.Reason, "chain too deep"):
				tooDeep.Add(1)
			}
		}
	})
	gitCmd(t, e.root, "checkout", "-q", "-f", "main")
	e.drain()
	initial := snapshot(t, e.root)

	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	deadline := time.Now().Add(d)
	// Warm-up: the journal fills to its retention limits (10,000 events
	// and runs) in about 40 s of this churn; memory is flat after that.
	warm := time.Now().Add(d * 2 / 3)
	var warmRSS int64
	ops, branch := 0, "main"
	for time.Now().Before(deadline) {
		if warmRSS == 0 && time.Now().After(warm) {
			e.idle()
			warmRSS = settledRSS()
		}
		ops++
		var fs []string
		for p := range snapshot(t, e.root) {
			fs = append(fs, p)
		}
		churn(t, e, rng, fs, &branch)
		if ops%500 == 0 {
			e.drain() // keep the records channel from filling up
			if os.Getenv("HOOKD_SOAK_TRACE") != "" {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				t.Logf("%5d ops: RSS %.1f MB, heap %.1f MB, files %d", ops, float64(settledRSS())/1e6, float64(ms.HeapInuse)/1e6, len(fs))
			}
		}
	}
	e.drain()
	endRSS := settledRSS()

	final := snapshot(t, e.root)
	last.mu.Lock()
	defer last.mu.Unlock()
	bad := disagreements(t, initial, final, last.m)
	t.Logf("%d operations in %s, %d paths followed, %d files at the end; %d runs, the deepest of a hook in its own chain at depth %d, %d chains stopped; RSS %.1f MB after warm-up, %.1f MB at the end",
		ops, d, len(last.m), len(final), runs.Load(), deepest.Load(), tooDeep.Load(), float64(warmRSS)/1e6, float64(endRSS)/1e6)
	if bad > 0 {
		t.Errorf("%d paths disagree with the disk", bad)
	}
	if deepest.Load() > 3 || tooDeep.Load() == 0 {
		t.Errorf("a hook started at depth %d of its own chain (max_depth 3), %d chains stopped: the agents' ping-pong must end", deepest.Load(), tooDeep.Load())
	}
	if endRSS > warmRSS+warmRSS/10 {
		t.Errorf("RSS grew from %.1f MB to %.1f MB, more than 10%%", float64(warmRSS)/1e6, float64(endRSS)/1e6)
	}
}

// lastEvents remembers, from the daemon's goroutines, each path's latest
// file event.
type lastEvents struct {
	mu sync.Mutex
	m  map[string]lastEvent
}

// lastEvent is the latest file event of one path: its id, and the change.
type lastEvent struct {
	id     uint64
	change string
}

func (l *lastEvents) record(ev event.Event) {
	if !strings.HasPrefix(string(ev.Kind), "file.") {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range ev.Files {
		if prev, ok := l.m[f.Path]; !ok || prev.id < ev.ID {
			l.m[f.Path] = lastEvent{ev.ID, f.Change}
		}
	}
}

// seedSoakRepo commits 200 files on main, and a branch "other" that
// changes five of them and adds one.
func seedSoakRepo(t *testing.T, root string) {
	for d := range 20 {
		for f := range 10 {
			p := filepath.Join(root, fmt.Sprintf("d%d/f%d.txt", d, f))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte("v0"), 0o644)
		}
	}
	gitCmd(t, root, "add", "-A")
	gitCmd(t, root, "commit", "-q", "-m", "base")
	gitCmd(t, root, "checkout", "-q", "-b", "other")
	for d := range 5 {
		os.WriteFile(filepath.Join(root, fmt.Sprintf("d%d/f0.txt", d)), []byte("other"), 0o644)
	}
	os.WriteFile(filepath.Join(root, "d0/only-other.txt"), []byte("x"), 0o644)
}

// churn makes one random change of the work tree, whose files are fs:
// a save, a create, a delete, a rename, a directory move or a checkout
// (of the branch that *branch does not name, then named by it).
func churn(t *testing.T, e *env, rng *rand.Rand, fs []string, branch *string) {
	var scratch []string // untracked: created by the churn
	for _, f := range fs {
		if b := filepath.Base(f); strings.HasPrefix(b, "n") || strings.HasPrefix(b, "r") {
			scratch = append(scratch, f)
		}
	}
	pick := func(from []string) string {
		if len(from) == 0 {
			return "d0/f0.txt"
		}
		return from[rng.IntN(len(from))]
	}
	newDir := func() string {
		if rng.IntN(2) == 0 {
			return fmt.Sprintf("d%d", rng.IntN(20))
		}
		return fmt.Sprintf("s%d", rng.IntN(10))
	}
	// Creates and deletes of untracked files balance, and checkouts
	// only flip tracked contents, so the tree keeps its size: memory
	// that grows is a leak, not more files.
	switch op := rng.IntN(100); {
	case op < 40:
		e.write(pick(fs), strconv.Itoa(rng.Int()))
	case op < 57:
		e.write(fmt.Sprintf("%s/n%d.txt", newDir(), rng.IntN(1000)), "new")
	case op < 74:
		os.Remove(filepath.Join(e.root, pick(scratch)))
	case op < 86:
		from := pick(scratch)
		os.Rename(filepath.Join(e.root, from), filepath.Join(e.root, filepath.Dir(from), fmt.Sprintf("r%d.txt", rng.IntN(1000))))
	case op < 95:
		// A directory of untracked files moves under a free name.
		os.Rename(filepath.Join(e.root, fmt.Sprintf("s%d", rng.IntN(10))), filepath.Join(e.root, fmt.Sprintf("s%d", rng.IntN(10))))
	default:
		if *branch == "main" {
			*branch = "other"
		} else {
			*branch = "main"
		}
		gitCmd(t, e.root, "checkout", "-q", "-f", *branch)
	}
}

// disagreements reports, and counts, the paths whose last event does not
// match the disk: a file there whose last event is a deletion (or that
// changed without one), a file gone whose last event is not a deletion.
func disagreements(t *testing.T, initial, final map[string]string, last map[string]lastEvent) int {
	bad := 0
	for p, content := range final {
		l, seen := last[p]
		switch {
		case seen && l.change != event.Deleted:
		case !seen && initial[p] == content:
		default:
			bad++
			if bad < 10 {
				t.Errorf("%s exists, but its last event is %+v", p, l)
			}
		}
	}
	for p, l := range last {
		if _, exists := final[p]; !exists && l.change != event.Deleted {
			bad++
			if bad < 10 {
				t.Errorf("%s is gone, but its last event is %s", p, l.change)
			}
		}
	}
	for p := range initial {
		if _, exists := final[p]; !exists {
			if l, seen := last[p]; !seen || l.change != event.Deleted {
				bad++
				if bad < 10 {
					t.Errorf("%s was deleted without an event", p)
				}
			}
		}
	}
	return bad
}

// snapshot reads every file of the work tree (not .git) with its content.
func snapshot(t *testing.T, root string) map[string]string {
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			if rel == "hookd.toml" {
				return nil
			}
			data, _ := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return out
}

// settledRSS is the process's resident memory after a full collection.
func settledRSS() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	data, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

package daemon_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// env is a daemon on a temporary work tree, with an out directory outside
// it where hooks write what they saw.
type env struct {
	t    testing.TB
	root string
	out  string
	d    *daemon.Daemon
	o    daemon.Options
	stop func() // stops the daemon and waits for it

	records chan queue.Record
}

func startDaemon(t testing.TB, config string) *env {
	t.Helper()
	return startDaemonIn(t, config, nil)
}

// startDaemonIn is startDaemon with a setup step on the work tree after
// hookd.toml is written and before the daemon starts.
func startDaemonIn(t testing.TB, config string, setup func(root string), opts ...func(*daemon.Options)) *env {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	e := &env{t: t, root: t.TempDir(), out: t.TempDir(), records: make(chan queue.Record, 100000)}
	config = strings.ReplaceAll(config, "$OUT", e.out)
	if err := os.WriteFile(filepath.Join(e.root, "hookd.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(e.root)
	}
	repo, err := daemon.Locate(e.root)
	if err != nil {
		t.Fatal(err)
	}
	e.root = repo.Root
	// The test wrote this hookd.toml itself: trust it, as a user would.
	trust := hooks.TrustStore{Path: filepath.Join(t.TempDir(), "trust.json")}
	if err := trust.TrustAsTheyAre(repo.Root, "hookd.toml"); err != nil {
		t.Fatal(err)
	}
	o := daemon.Options{
		Repo:    repo,
		Config:  hooks.LoadOptions{Root: repo.Root, GitDir: repo.GitDir, Trust: trust},
		Observe: func(r queue.Record) { e.records <- r },
	}
	for _, opt := range opts {
		opt(&o)
	}
	e.o = o
	e.run()
	return e
}

// run starts a daemon with e's options and waits until it is ready.
func (e *env) run() {
	t := e.t
	t.Helper()
	e.d = daemon.New(e.o)
	if _, probs := e.d.Config(); len(probs) > 0 {
		t.Fatalf("config: %v", probs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.d.Run(ctx) }()
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(e.stop)
	select {
	case <-e.d.Ready():
	case err := <-done:
		t.Fatal(err)
	}
}

// restart stops the daemon and starts another on the same repository
// and state, as a user's restart does.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.run()
}

func (e *env) write(rel, body string) {
	e.t.Helper()
	p := filepath.Join(e.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) sync() {
	e.t.Helper()
	if err := e.d.Sync(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// next waits for the next record of the given phase (others are passed
// over), failing after a generous bound.
func (e *env) next(phase queue.Phase) queue.Record {
	e.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case r := <-e.records:
			if r.Phase == phase {
				return r
			}
		case <-deadline:
			e.t.Fatalf("no %s record within 30s", phase)
		}
	}
}

// quiet asserts that, with every file change settled, nothing is waiting
// to run and no record is unread.
func (e *env) quiet() {
	e.t.Helper()
	e.idle()
	select {
	case r := <-e.records:
		e.t.Errorf("unexpected record: %s %s", r.Phase, r.Hook)
	default:
	}
}

// idle waits until every change so far has been settled and handled.
func (e *env) idle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.d.Idle(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// drain waits until everything so far has been handled and forgets its
// records.
func (e *env) drain() {
	e.t.Helper()
	e.idle()
	for {
		select {
		case <-e.records:
		default:
			return
		}
	}
}

func (e *env) readOut(name string) string {
	data, _ := os.ReadFile(filepath.Join(e.out, name))
	return string(data)
}

// A gate is a FIFO a hook blocks on until the test opens it.
func (e *env) gate(name string) string {
	p := filepath.Join(e.out, name)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) open(gate string) {
	f, err := os.OpenFile(gate, os.O_WRONLY, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	f.Close()
}

func TestSaveRunsHookOnceWithItsFile(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "tests-follow-code"
on = ["file.saved", "file.created"]
paths = ["**/*.go", "!**/*_test.go"]
debounce = "20ms"
run = 'printf "%s" "$HOOKD_FILES" > "$OUT/files"; cat > "$OUT/stdin.json"'
`)
	e.write("pkg/app.go", "package pkg")
	e.write("pkg/app_test.go", "package pkg") // excluded by paths
	e.write("README.md", "# hi")              // not a .go file
	r := e.next(queue.Finished)
	if r.Result.Status != runner.StatusOK || r.Hook != "tests-follow-code" {
		t.Fatalf("%+v", r.Result)
	}
	if got := e.readOut("files"); got != "pkg/app.go" {
		t.Errorf("HOOKD_FILES = %q", got)
	}
	var stdin struct {
		Event struct {
			Kind string `json:"kind"`
		} `json:"event"`
		Files []struct {
			Path   string `json:"path"`
			Change string `json:"change"`
			Abs    string `json:"abs"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(e.readOut("stdin.json")), &stdin); err != nil {
		t.Fatal(err)
	}
	if stdin.Event.Kind != "file.created" || len(stdin.Files) != 1 || stdin.Files[0].Path != "pkg/app.go" ||
		stdin.Files[0].Change != "created" || stdin.Files[0].Abs != filepath.Join(e.root, "pkg/app.go") {
		t.Errorf("stdin JSON: %+v", stdin)
	}
	e.quiet()

	e.write("pkg/app.go", "package pkg // v2")
	r = e.next(queue.Finished)
	if r.Event.Kind != "file.saved" || e.readOut("files") != "pkg/app.go" {
		t.Errorf("second run: %s %q", r.Event.Kind, e.readOut("files"))
	}
	e.quiet()
}

func TestIfRuleGatesTheBatch(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "big-batches-only"
on = "file.created"
debounce = "0s"
if = 'len(files) >= 1 && file.ext == ".md"'
run = 'echo "$HOOKD_FILES" >> "$OUT/ran"'
`)
	e.write("a.txt", "x")
	e.quiet()
	e.write("b.md", "x")
	e.next(queue.Finished)
	if got := e.readOut("ran"); got != "b.md\n" {
		t.Errorf("ran for %q", got)
	}
}

// Five saves while a queue-mode run is going give exactly one more run,
// with every file.
func TestQueueModeRunsOnceMoreWithAllFiles(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "q"
on = ["file.saved", "file.created"]
debounce = "0s"
run = 'printf "%s\n--\n" "$HOOKD_FILES" >> "$OUT/batches"; cat "$OUT/gate" > /dev/null'
`)
	gate := e.gate("gate")
	e.write("first.txt", "1")
	e.next(queue.Started)
	for i := range 5 {
		e.write(fmt.Sprintf("f%d.txt", i), "x")
	}
	e.sync() // every save is now part of the queued batch
	e.open(gate)
	if r := e.next(queue.Finished); r.Result.Status != runner.StatusOK {
		t.Fatal(r.Result)
	}
	e.next(queue.Started)
	e.open(gate)
	e.next(queue.Finished)
	e.quiet()
	batches := strings.Split(strings.TrimSuffix(e.readOut("batches"), "--\n"), "--\n")
	if len(batches) != 2 {
		t.Fatalf("%d runs, want 2: %q", len(batches), batches)
	}
	got := strings.Fields(batches[1])
	slices.Sort(got)
	if want := []string{"f0.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt"}; !slices.Equal(got, want) {
		t.Errorf("second batch %v, want %v", got, want)
	}
}

func TestRestartModeStopsTheRunningOne(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "server"
on = ["file.saved", "file.created"]
debounce = "0s"
mode = "restart"
run = 'printf "%s\n" "$HOOKD_FILES" > "$OUT/last"; exec sleep 300'
`)
	e.write("a.go", "1")
	first := e.next(queue.Started)
	e.write("b.go", "2")
	stopped := e.next(queue.Finished)
	if stopped.RunID != first.RunID || stopped.Result.Status != runner.StatusInterrupted {
		t.Fatalf("first run: %+v", stopped)
	}
	second := e.next(queue.Started)
	var files []string
	for _, f := range second.Event.Files {
		files = append(files, f.Path)
	}
	slices.Sort(files)
	if !slices.Equal(files, []string{"a.go", "b.go"}) {
		t.Errorf("restarted run got %v, want the stopped run's files and the new ones", files)
	}
}

func TestSkipModeRecordsTheSkip(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "s"
on = ["file.created"]
debounce = "0s"
mode = "skip"
run = 'cat "$OUT/gate" > /dev/null'
`)
	gate := e.gate("gate")
	e.write("a", "1")
	e.next(queue.Started)
	e.write("b", "2")
	if r := e.next(queue.Skipped); r.Reason == "" {
		t.Error("skip without a reason")
	}
	e.open(gate)
	e.next(queue.Finished)
	e.quiet()
}

// Parallel runs overlap, but never more than max_runs at once.
func TestParallelModeAndGlobalLimit(t *testing.T) {
	e := startDaemon(t, `
[defaults]
max_runs = 2

[[hook]]
name = "p"
on = "file.created"
debounce = "0s"
mode = "parallel"
run = 'cat "$OUT/gate-$HOOKD_FILES" > /dev/null'
`)
	gates := map[string]string{}
	for _, n := range []string{"a", "b", "c"} {
		gates[n] = e.gate("gate-" + n)
	}
	// One batch each: files written together would settle into one.
	for _, n := range []string{"a", "b", "c"} {
		e.write(n, n)
		e.sync()
	}
	first, second := e.next(queue.Started), e.next(queue.Started)
	// Every change is settled and no gate is open: the third run waits for
	// a slot.
	for drained := false; !drained; {
		select {
		case r := <-e.records:
			if r.Phase == queue.Started {
				t.Fatalf("a third run started beyond max_runs = 2: %v", r.Event.Files)
			}
		default:
			drained = true
		}
	}
	release := func(r queue.Record) { e.open(gates[r.Event.Files[0].Path]) }
	release(first)
	// The third starts once the first's slot is free, which may be before
	// the first's end is reported: count the ends on the way.
	finished := 0
	var third queue.Record
	for third.RunID == "" {
		switch r := <-e.records; r.Phase {
		case queue.Started:
			third = r
		case queue.Finished:
			finished++
		}
	}
	release(second)
	release(third)
	for finished < 3 {
		if r := <-e.records; r.Phase == queue.Finished {
			finished++
		}
	}
	e.quiet()
}

// 10,000 files written as fast as possible: every path reaches the hook
// exactly once, in a handful of runs, and the daemon answers throughout.
func TestBurstOfTenThousandFiles(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "burst"
on = ["file.created", "file.saved"]
run = 'printf "%s\n" "$HOOKD_FILES" >> "$OUT/files"'
`)
	const n = 10000
	var wg sync.WaitGroup
	wg.Add(1)
	syncs := 0
	go func() { // the daemon stays responsive during the burst
		defer wg.Done()
		for range 5 {
			if err := e.d.Sync(context.Background()); err != nil {
				t.Error(err)
			}
			syncs++
		}
	}()
	for i := range n {
		e.write(fmt.Sprintf("d%02d/f%05d", i%100, i), "x")
	}
	wg.Wait()
	runs := 0
	seen := map[string]int{}
	for len(seen) < n {
		r := e.next(queue.Finished)
		runs++
		if r.Result.Status != runner.StatusOK {
			t.Fatalf("run failed: %+v", r.Result)
		}
		seen = map[string]int{}
		f, _ := os.Open(filepath.Join(e.out, "files"))
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			seen[sc.Text()]++
		}
		f.Close()
	}
	e.quiet()
	for p, c := range seen {
		if c != 1 {
			t.Errorf("%s delivered %d times", p, c)
		}
	}
	if len(seen) != n {
		t.Errorf("%d paths delivered, want %d", len(seen), n)
	}
	if runs > 10 {
		t.Errorf("%d runs for one burst, want a handful", runs)
	}
	t.Logf("%d files in %d runs; %d syncs answered during the burst", n, runs, syncs)
}

// A hook that takes its time delays no other hook: their events and runs
// go on while it runs.
func TestSlowHookDoesNotDelayOthers(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "slow"
on = "file.*"
debounce = "0s"
run = 'cat "$OUT/gate" > /dev/null'

[[hook]]
name = "fast"
on = "file.*"
debounce = "0s"
run = 'printf "%s\n" "$HOOKD_FILES" >> "$OUT/fast"'
`)
	gate := e.gate("gate")
	e.write("a.txt", "1")
	fastRuns := 0
	for fastRuns < 1 {
		switch r := e.next(queue.Finished); r.Hook {
		case "fast":
			fastRuns++
		default:
			t.Fatalf("%s finished while blocked", r.Hook)
		}
	}
	for i := range 3 {
		e.write(fmt.Sprintf("b%d.txt", i), "x")
		e.sync()
		if r := e.next(queue.Finished); r.Hook != "fast" {
			t.Fatalf("%s finished, want fast", r.Hook)
		}
	}
	if got := strings.Fields(e.readOut("fast")); len(got) != 4 {
		t.Errorf("fast saw %v while slow ran", got)
	}
	e.open(gate)
	for r := e.next(queue.Started); r.Hook != "slow"; r = e.next(queue.Started) {
	}
	e.open(gate) // its queued run, with the three later files
	e.drain()
}

// Event ids name one event across restarts: a second daemon on the same
// state numbers past every id the first one handed out, and history keeps
// them as they were logged.
func TestEventIDsAreUniqueAcrossRestarts(t *testing.T) {
	var mu sync.Mutex
	seen := map[uint64]event.Kind{}
	var dup []uint64
	e := startDaemonIn(t, "", nil, func(o *daemon.Options) {
		o.OnEvent = func(ev event.Event) {
			mu.Lock()
			defer mu.Unlock()
			if _, ok := seen[ev.ID]; ok {
				dup = append(dup, ev.ID)
			}
			seen[ev.ID] = ev.Kind
		}
	})
	for round := range 3 {
		e.write(fmt.Sprintf("f%d.txt", round), "x")
		e.sync()
		e.restart()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dup) > 0 || len(seen) < 6 {
		t.Fatalf("ids handed out twice: %v (of %d events: %v)", dup, len(seen), seen)
	}
}

// A person who keeps saving while a slow command hook runs loses nothing:
// each save, made while the last one's run goes on, starts a run of its
// own, however long the run-after-run goes on (the loop guard used to
// count those saves as the run's chain and drop the fifth).
func TestSavesDuringASlowCommandAreNeverDropped(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "slow"
on = "file.*"
paths = ["src/**"]
debounce = "0s"
mode = "queue"
run = 'sleep 0.2'
`)
	e.write("src/a.ts", "0")
	e.sync()
	e.next(queue.Started)
	const saves = 8 // more than twice the default max_depth
	for i := 1; i <= saves; i++ {
		e.write("src/a.ts", strconv.Itoa(i)) // while the last run goes on
		r := e.next(queue.Started)
		if r.Event.Depth != 0 || len(r.Event.Chain) != 0 {
			t.Fatalf("save %d started a run as a link of a chain: depth %d, chain %v", i, r.Event.Depth, r.Event.Chain)
		}
	}
	for {
		select {
		case r := <-e.records:
			if r.Phase == queue.Skipped {
				t.Fatalf("a save was skipped: %s", r.Reason)
			}
			continue
		default:
		}
		break
	}
}

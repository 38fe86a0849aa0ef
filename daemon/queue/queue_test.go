package queue_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// harness is a scheduler whose runs are in the test's hands: each run
// reports its start and waits until the test ends it (or its context
// does). Everything runs inside a synctest bubble: time is fake, and
// synctest.Wait says when every goroutine is blocked.
type harness struct {
	t     *testing.T
	sched *queue.Scheduler

	mu      sync.Mutex
	records []queue.Record
	running map[string]chan struct{} // run id -> close to end it
	now     int                      // runs going now
	peak    int
}

func newHarness(t *testing.T, maxRuns int, config string) *harness {
	t.Helper()
	cfg, probs := hooks.Parse("hookd.toml", []byte(config))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	h := &harness{t: t, running: map[string]chan struct{}{}}
	h.sched = queue.New(t.Context(), queue.Options{
		Root:     "/repo",
		MaxRuns:  maxRuns,
		MaxDepth: 3,
		Run:      h.run,
		Observe: func(r queue.Record) {
			h.mu.Lock()
			h.records = append(h.records, r)
			h.mu.Unlock()
		},
	})
	h.sched.SetHooks(cfg.Hooks)
	return h
}

func (h *harness) run(ctx context.Context, job runner.Job) runner.Result {
	if job.Started != nil {
		job.Started(1)
	}
	end := make(chan struct{})
	h.mu.Lock()
	h.running[job.ID] = end
	h.now++
	h.peak = max(h.peak, h.now)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.now--
		delete(h.running, job.ID)
		h.mu.Unlock()
	}()
	select {
	case <-end:
		return runner.Result{Status: runner.StatusOK, Start: time.Now()}
	case <-ctx.Done():
		return runner.Result{Status: runner.StatusInterrupted, Exit: -1, Start: time.Now(), Err: context.Cause(ctx)}
	}
}

// save offers a file.saved event of the paths.
func (h *harness) save(paths ...string) {
	ev := event.Event{Kind: event.FileSaved, Time: time.Now()}
	for _, p := range paths {
		ev.Files = append(ev.Files, event.NewFile("/repo", p, event.Saved, 1))
	}
	h.sched.Offer(ev)
}

// endAll ends every run going, then waits for the bubble to settle.
func (h *harness) endAll() {
	h.mu.Lock()
	for id, end := range h.running {
		close(end)
		delete(h.running, id)
	}
	h.mu.Unlock()
	synctest.Wait()
}

// started returns the files of each run that started, in order.
func (h *harness) started() [][]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out [][]string
	for _, r := range h.records {
		if r.Phase != queue.Started {
			continue
		}
		var files []string
		for _, f := range r.Event.Files {
			files = append(files, f.Path)
		}
		out = append(out, files)
	}
	return out
}

func (h *harness) count(phase queue.Phase) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.records {
		if r.Phase == phase {
			n++
		}
	}
	return n
}

// Saves within the debounce are one batch, which runs once the hook has
// been quiet for the debounce, with every file once.
func TestDebounceMakesOneBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, `[[hook]]
name = "h"
on = "file.saved"
debounce = "300ms"
run = "x"
`)
		h.save("a")
		time.Sleep(200 * time.Millisecond)
		h.save("b", "a")
		time.Sleep(299 * time.Millisecond)
		synctest.Wait()
		if n := h.count(queue.Started); n != 0 {
			t.Fatalf("ran %d times before the hook was quiet for its debounce", n)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := h.started(); !slices.Equal(got[0], []string{"a", "b"}) || len(got) != 1 {
			t.Fatalf("started %v, want one run of a and b", got)
		}
		h.endAll()
	})
}

// A steady stream still runs at least every max_wait.
func TestMaxWaitCapsTheDebounce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, `[[hook]]
name = "h"
on = "file.saved"
debounce = "300ms"
max_wait = "1s"
run = "x"
`)
		start := time.Now()
		var firstRun time.Duration
		for i := 0; firstRun == 0 && i < 40; i++ {
			h.save("a")
			time.Sleep(100 * time.Millisecond)
			synctest.Wait()
			if h.count(queue.Started) > 0 {
				firstRun = time.Since(start)
			}
		}
		if firstRun < time.Second || firstRun > 1100*time.Millisecond {
			t.Fatalf("under a steady stream the first run came after %s, want max_wait (1s)", firstRun)
		}
		h.endAll()
	})
}

// When a batch is ready while the hook runs, its mode decides.
func TestModes(t *testing.T) {
	cases := []struct {
		mode string
		// after a second batch comes while the first runs, and both end:
		runs     [][]string // the files of each run, in order
		skipped  int
		parallel bool // both ran at once
		// interrupted counts runs stopped by a newer batch.
		interrupted int
	}{
		{mode: "queue", runs: [][]string{{"a"}, {"b", "c"}}},
		{mode: "restart", runs: [][]string{{"a"}, {"a", "b"}, {"a", "b", "c"}}, interrupted: 2},
		{mode: "skip", runs: [][]string{{"a"}}, skipped: 1},
		{mode: "parallel", runs: [][]string{{"a"}, {"b", "c"}}, parallel: true},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, 4, `[[hook]]
name = "h"
on = "file.saved"
debounce = "0s"
mode = "`+c.mode+`"
run = "x"
`)
				h.save("a")
				synctest.Wait()
				h.save("b")
				synctest.Wait()
				h.save("c") // a third batch, while the first still runs
				synctest.Wait()
				if h.peak > 1 != c.parallel {
					t.Errorf("peak %d runs at once", h.peak)
				}
				for range 3 {
					h.endAll()
				}
				got := h.started()
				if c.mode == "skip" {
					if len(got) != 1 || h.count(queue.Skipped) != 2 {
						t.Fatalf("runs %v, %d skipped; want one run and two skips", got, h.count(queue.Skipped))
					}
					return
				}
				if c.mode == "parallel" {
					if len(got) != 3 {
						t.Fatalf("runs %v, want three at once", got)
					}
					return
				}
				if !slices.EqualFunc(got, c.runs, slices.Equal[[]string]) {
					t.Fatalf("runs %v, want %v", got, c.runs)
				}
				interrupted := 0
				h.mu.Lock()
				for _, r := range h.records {
					if r.Phase == queue.Finished && r.Result.Status == runner.StatusInterrupted {
						interrupted++
					}
				}
				h.mu.Unlock()
				if interrupted != c.interrupted {
					t.Errorf("%d runs interrupted, want %d", interrupted, c.interrupted)
				}
			})
		})
	}
}

// max_runs bounds the runs of all hooks together; a run waiting for a slot
// is queued, not lost.
func TestMaxRunsBoundsAllHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		config := ""
		for _, n := range []string{"a", "b", "c", "d"} {
			config += "[[hook]]\nname = \"" + n + "\"\non = \"file.saved\"\ndebounce = \"0s\"\nrun = \"x\"\n"
		}
		h := newHarness(t, 2, config)
		h.save("f")
		synctest.Wait()
		if h.peak != 2 || h.count(queue.Queued) != 4 {
			t.Fatalf("peak %d, queued %d: want 2 running and all 4 queued", h.peak, h.count(queue.Queued))
		}
		for range 4 {
			h.endAll()
		}
		if n := h.count(queue.Finished); n != 4 || h.peak != 2 {
			t.Fatalf("%d finished, peak %d", n, h.peak)
		}
	})
}

// A hook paused by a reload loses the batch it was gathering, and a queued
// follow-up is skipped with the reason; nothing of it runs.
func TestPausedHookRunsNothingMore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		config := `[[hook]]
name = "h"
on = "file.saved"
debounce = "1s"
run = "x"
`
		h := newHarness(t, 4, config)
		h.save("a")
		time.Sleep(time.Second)
		synctest.Wait() // the first batch runs
		h.save("b")
		time.Sleep(time.Second)
		synctest.Wait() // the second is queued behind it
		h.save("c")     // a third gathers
		cfg, _ := hooks.Parse("hookd.toml", []byte(config))
		cfg.Hooks[0].Disabled = "paused: hookd.toml changed"
		h.sched.SetHooks(cfg.Hooks)
		time.Sleep(time.Hour)
		for range 3 {
			h.endAll()
		}
		if got := h.started(); len(got) != 1 || h.count(queue.Skipped) != 1 || h.sched.Pending() != 0 {
			t.Fatalf("runs %v, %d skipped, %d pending", got, h.count(queue.Skipped), h.sched.Pending())
		}
	})
}

// A blocking hook's runs count as every run does: hookd hooks shows them.
func TestBlockingRunsAreCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, `[[hook]]
name = "checks"
on = "git.pre-commit"
blocking = true
run = "x"
`)
		for range 2 {
			done := make(chan []queue.Record)
			go func() {
				done <- h.sched.RunBlocking(t.Context(), event.Event{Kind: event.GitPreCommit, Time: time.Now()}, nil)
			}()
			synctest.Wait()
			h.endAll()
			if recs := <-done; len(recs) != 1 || recs[0].Result.Status != runner.StatusOK {
				t.Fatalf("records %+v", recs)
			}
		}
		if info := h.sched.Info("checks"); info.Runs != 2 || info.LastStatus != "ok" || info.LastRun.IsZero() {
			t.Fatalf("info %+v", info)
		}
	})
}

// A rule that fails when the batch is ready does not run the hook, and
// says so in a skipped record (history), not only in the log; for a
// blocking run it is RuleErr: it could not decide, which is not "false".
func TestARuleThatFailsIsARecordedSkip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, `[[hook]]
name = "h"
on = ["file.saved", "git.pre-commit"]
debounce = "0s"
if = 'files[3].path != ""'
run = "x"
`)
		h.save("a")
		synctest.Wait()
		h.mu.Lock()
		var skipped []queue.Record
		for _, r := range h.records {
			if r.Phase == queue.Skipped {
				skipped = append(skipped, r)
			}
		}
		h.mu.Unlock()
		if len(skipped) != 1 || skipped[0].RuleErr == nil || !strings.Contains(skipped[0].Reason, "its if rule failed") || h.count(queue.Started) != 0 {
			t.Fatalf("skipped %+v, started %d", skipped, h.count(queue.Started))
		}
		recs := h.sched.RunNow(t.Context(), event.Event{Kind: event.GitPreCommit, Files: []event.File{event.NewFile("/repo", "a", event.Saved, 1)}}, nil, func(*hooks.Hook) bool { return true })
		if len(recs) != 1 || recs[0].Phase != queue.Skipped || recs[0].RuleErr == nil {
			t.Fatalf("RunNow: %+v", recs)
		}
	})
}

// The loop guard: an event past max_depth does not start the hooks of its
// own chain again (a recorded skip says why), and still starts every other
// hook; a chain hookd cannot name holds every hook.
func TestTooDeepStopsOnlyTheChain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, `[[hook]]
name = "a"
on = "file.saved"
debounce = "0s"
run = "x"

[[hook]]
name = "b"
on = "file.saved"
debounce = "0s"
run = "x"
`)
		offer := func(depth int, chain ...string) {
			h.sched.Offer(event.Event{Kind: event.FileSaved, Depth: depth, Chain: chain, Cause: "r",
				Files: []event.File{event.NewFile("/repo", "f", event.Saved, 1)}})
			synctest.Wait()
			h.endAll()
		}
		offer(4, "a") // past the default max_depth (3): a no more, b still
		skips := func() []string {
			h.mu.Lock()
			defer h.mu.Unlock()
			var out []string
			for _, r := range h.records {
				if r.Phase == queue.Skipped {
					out = append(out, r.Hook+": "+r.Reason)
				}
			}
			return out
		}
		if s := skips(); len(s) != 1 || !strings.HasPrefix(s[0], "a: chain too deep") || h.count(queue.Started) != 1 {
			t.Fatalf("skipped %q, started %d; want a skipped and b started", s, h.count(queue.Started))
		}
		offer(3, "a", "b") // within max_depth: both
		if h.count(queue.Started) != 3 {
			t.Fatalf("started %d, want 3", h.count(queue.Started))
		}
		offer(4) // a chain that cannot be named: neither
		if h.count(queue.Started) != 3 || len(skips()) != 3 {
			t.Fatalf("an unnamed chain: started %d, skipped %q", h.count(queue.Started), skips())
		}
		if _, err := h.sched.Trigger("b", event.Event{Kind: event.HookManual, Depth: 4, Chain: []string{"a"}}); err != nil {
			t.Errorf("a trigger of a hook outside the chain: %v", err)
		}
		if _, err := h.sched.Trigger("a", event.Event{Kind: event.HookManual, Depth: 4, Chain: []string{"a"}}); !errors.Is(err, queue.ErrTooDeep) {
			t.Errorf("a trigger of a hook inside the chain: %v", err)
		}
		h.endAll()
	})
}

package queue_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
)

// skips returns the reasons of the skipped records.
func (h *harness) skips() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Phase == queue.Skipped {
			out = append(out, r.Reason)
		}
	}
	return out
}

const selfFeeding = `[[hook]]
name = "self"
on = "hook.manual"
max_runs_per_minute = 5
run = "hookd trigger self"
`

// feed triggers the hook and ends its run at once, as a hook that
// triggers itself does, until the trigger is refused or n runs have gone.
func (h *harness) feed(n int) error {
	for range n {
		if _, err := h.sched.Trigger("self", event.Event{Kind: event.HookManual, Time: time.Now()}); err != nil {
			return err
		}
		synctest.Wait()
		h.endAll()
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// A hook that starts more runs in a minute than max_runs_per_minute is
// paused, whatever feeds it: the run that would be one too many is a
// recorded skip with the reason, later triggers are refused with it, and
// it stays paused past the minute, until ResumeHook.
func TestCircuitBreakerPausesALoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, selfFeeding)
		err := h.feed(100)
		if !errors.Is(err, queue.ErrPaused) {
			t.Fatalf("a hook triggering itself 100 times: %v, want it paused", err)
		}
		if n := h.count(queue.Started); n != 5 {
			t.Fatalf("%d runs started, want max_runs_per_minute = 5", n)
		}
		skips := h.skips()
		if len(skips) != 1 || !strings.Contains(skips[0], "circuit breaker: 5 runs started within") ||
			!strings.Contains(skips[0], "hookd resume self") {
			t.Fatalf("skipped: %q, want the tripping run recorded with the reason and what to do", skips)
		}
		if why := h.sched.Paused("self"); why != skips[0] {
			t.Fatalf("Paused says %q, want the reason of the skip", why)
		}
		time.Sleep(2 * time.Minute)
		if _, err := h.sched.Trigger("self", event.Event{Kind: event.HookManual}); !errors.Is(err, queue.ErrPaused) {
			t.Fatalf("a trigger two minutes later: %v, want still paused", err)
		}
		was, err := h.sched.ResumeHook("self")
		if err != nil || was != skips[0] {
			t.Fatalf("ResumeHook = %q, %v; want the reason it was paused", was, err)
		}
		if was, _ := h.sched.ResumeHook("self"); was != "" {
			t.Fatalf("resuming a hook that runs says %q, want nothing", was)
		}
		if err := h.feed(5); err != nil {
			t.Fatalf("after resume: %v, want five more runs", err)
		}
		if n := h.count(queue.Started); n != 10 {
			t.Fatalf("%d runs in all, want 5 before the pause and 5 after resume", n)
		}
		if _, err := h.sched.ResumeHook("nope"); !errors.Is(err, queue.ErrUnknownHook) {
			t.Fatalf("ResumeHook of no hook: %v", err)
		}
	})
}

// Runs spread out over more than a minute never trip it: the breaker
// counts a sliding minute.
func TestCircuitBreakerCountsOneMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, selfFeeding)
		for range 30 {
			if err := h.feed(1); err != nil {
				t.Fatal(err)
			}
			time.Sleep(13 * time.Second) // 4.6 runs a minute
		}
		if n := h.count(queue.Started); n != 30 {
			t.Fatalf("%d runs, want all 30", n)
		}
	})
}

// A reload that changes the hook resets its breaker; one that leaves it as
// it was does not.
func TestCircuitBreakerResetByAChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, selfFeeding)
		if err := h.feed(10); !errors.Is(err, queue.ErrPaused) {
			t.Fatalf("not paused: %v", err)
		}
		load := func(config string) {
			cfg, probs := hooks.Parse("hookd.toml", []byte(config))
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			h.sched.SetHooks(cfg.Hooks)
		}
		load(selfFeeding)
		if h.sched.Paused("self") == "" {
			t.Fatal("a reload of the same config resumed the hook")
		}
		load(strings.Replace(selfFeeding, "max_runs_per_minute = 5", "max_runs_per_minute = 6", 1))
		if why := h.sched.Paused("self"); why != "" {
			t.Fatalf("a change to the hook left it paused: %s", why)
		}
		if err := h.feed(6); err != nil {
			t.Fatalf("after the change: %v", err)
		}
	})
}

// Batches from events (not triggers) are counted too, and while paused
// each one is a recorded skip, so a person's save is seen in the history.
func TestCircuitBreakerSkipsOfferedBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 4, `[[hook]]
name = "h"
on = "file.saved"
debounce = "0s"
max_runs_per_minute = 3
run = "x"
`)
		for range 6 {
			h.save("a")
			synctest.Wait()
			h.endAll()
		}
		if n, s := h.count(queue.Started), len(h.skips()); n != 3 || s != 3 {
			t.Fatalf("%d runs and %d skips, want 3 and 3", n, s)
		}
	})
}

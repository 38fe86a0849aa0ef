package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/ipc"
)

// A pull that changes hookd.toml pauses its hooks, and a batch already
// gathering for one of them (its debounce not yet over) is dropped, not run.
func TestPausedHookDropsItsDebouncedBatch(t *testing.T) {
	config := `
[[hook]]
name = "later"
on = "file.*"
debounce = "1h"
max_wait = "1h"
run = "touch $OUT/ran"
`
	e := startDaemon(t, config)
	e.write("a.txt", "a")
	e.sync()
	if n := e.d.Pending(); n != 1 {
		t.Fatalf("pending = %d, want the gathering batch", n)
	}
	e.write("hookd.toml", strings.ReplaceAll(config, "$OUT", e.out)+"# pulled\n")
	e.sync()
	if n := e.d.Pending(); n != 0 {
		t.Fatalf("pending = %d after the hook was paused", n)
	}
	e.idle()
	if _, err := os.Stat(filepath.Join(e.out, "ran")); err == nil {
		t.Fatal("the paused hook ran its batch")
	}
	cfg, _ := e.d.Config()
	if !strings.Contains(cfg.Hooks[0].Disabled, "changed since you trusted it") {
		t.Fatalf("hook state: %q", cfg.Hooks[0].Disabled)
	}
}

// The queued follow-up of a queue-mode hook does not run once the hook is
// paused; it is recorded skipped, saying why.
func TestPausedHookSkipsItsQueuedRun(t *testing.T) {
	config := `
[[hook]]
name = "q"
on = "hook.manual"
run = "cat $OUT/gate >/dev/null; echo run >> $OUT/runs"
`
	e := startDaemon(t, config)
	gate := e.gate("gate")
	ctx := context.Background()
	if _, err := e.d.API().Trigger(ctx, "q", ipc.TriggerRequest{}); err != nil {
		t.Fatal(err)
	}
	e.next(queue.Started)
	queued, err := e.d.API().Trigger(ctx, "q", ipc.TriggerRequest{})
	if err != nil {
		t.Fatal(err)
	}
	e.write("hookd.toml", strings.ReplaceAll(config, "$OUT", e.out)+"# pulled\n")
	e.sync()
	skipped := e.next(queue.Skipped)
	if skipped.RunID != queued.Run || !strings.Contains(skipped.Reason, "changed since you trusted it") {
		t.Fatalf("skipped %s (%q), want run %s as paused", skipped.RunID, skipped.Reason, queued.Run)
	}
	e.open(gate)
	e.idle()
	if runs := e.readOut("runs"); runs != "run\n" {
		t.Fatalf("runs = %q, want the first only", runs)
	}
}

// A batch queued when hookd stopped does not run after a restart when a
// pull made meanwhile paused its hook.
func TestPausedHookSkipsAResumedRun(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	root, out := t.TempDir(), t.TempDir()
	repo, err := daemon.Locate(root)
	if err != nil {
		t.Fatal(err)
	}
	gate := filepath.Join(out, "gate")
	config := "[[hook]]\nname = \"q\"\non = \"hook.manual\"\nrun = \"cat " + gate + " >/dev/null; touch " + out + "/ran-$HOOKD_RUN_ID\"\n"
	os.WriteFile(filepath.Join(repo.Root, "hookd.toml"), []byte(config), 0o644)
	trust := hooks.TrustStore{Path: filepath.Join(t.TempDir(), "trust.json")}
	if err := trust.TrustAsTheyAre(repo.Root, "hookd.toml"); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, root: repo.Root, out: out, records: make(chan queue.Record, 100)}
	e.gate("gate")
	start := func() func() {
		e.d = daemon.New(daemon.Options{Repo: repo, Config: hooks.LoadOptions{Root: repo.Root, Trust: trust}, Observe: func(r queue.Record) { e.records <- r }})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- e.d.Run(ctx) }()
		<-e.d.Ready()
		return func() { cancel(); <-done }
	}
	stop := start()
	ctx := context.Background()
	e.d.API().Trigger(ctx, "q", ipc.TriggerRequest{})
	e.next(queue.Started)
	queued, _ := e.d.API().Trigger(ctx, "q", ipc.TriggerRequest{})
	stop() // the first run is interrupted, the second stays queued

	os.WriteFile(filepath.Join(repo.Root, "hookd.toml"), []byte(config+"# pulled while stopped\n"), 0o644)
	stop = start()
	defer stop()
	e.idle()
	run, err := e.d.API().Run(ctx, queued.Run)
	if err != nil || run.Status != "skipped" || !strings.Contains(run.Reason, "changed since you trusted it") {
		t.Fatalf("the resumed run: %+v (%v)", run, err)
	}
	if left, _ := filepath.Glob(filepath.Join(out, "ran-*")); len(left) != 0 {
		t.Fatalf("the paused hook ran: %v", left)
	}
}

// Reloads from many callers at once (the API, SIGHUP, file events) never
// interleave: once they are over, the configuration in force and the
// scheduler's hooks are those of the file as it was last written.
func TestConcurrentReloadsEndWithTheLastFile(t *testing.T) {
	user := filepath.Join(t.TempDir(), "config.toml") // the user's own: no trust needed
	e := startDaemonIn(t, "", nil, func(o *daemon.Options) { o.Config.UserConfig = user })
	write := func(i int) string {
		body := "[[hook]]\nname = \"h" + strconv.Itoa(i) + "\"\non = \"hook.manual\"\nrun = \"true\"\n"
		os.WriteFile(user, []byte(body), 0o644)
		return "h" + strconv.Itoa(i)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				write(i*10 + j)
				e.d.Reload(context.Background())
			}
		}()
	}
	wg.Wait()
	// Every write was followed by a reload that began after it: what is
	// in force is the file as it is now.
	data, _ := os.ReadFile(user)
	last := strings.TrimSuffix(strings.TrimPrefix(strings.Split(string(data), "\n")[1], `name = "`), `"`)
	cfg, _ := e.d.Config()
	var names []string
	for _, h := range cfg.Hooks {
		names = append(names, h.Name)
	}
	if !slices.Contains(names, last) || len(names) != 1 {
		t.Fatalf("hooks in force: %v, want [%s]", names, last)
	}
	if _, err := e.d.API().Trigger(context.Background(), last, ipc.TriggerRequest{}); err != nil {
		t.Fatalf("the scheduler does not have %s: %v", last, err)
	}
}

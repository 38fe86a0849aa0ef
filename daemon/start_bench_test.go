package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
)

// BenchmarkFirstChange measures what a user waits for at start: from Run
// to the first event for a file written every 30 ms from the start, on a
// big tree, first start (no saved index); and the heap at its peak until
// the start-up work is done. Point HOOKD_BENCH_TREE at a tree (go run
// ./bench -tree DIR generates one) and profile with -cpuprofile or
// -memprofile.
func BenchmarkFirstChange(b *testing.B) {
	tree := os.Getenv("HOOKD_BENCH_TREE")
	if tree == "" {
		b.Skip("set HOOKD_BENCH_TREE to a generated tree")
	}
	probe := filepath.Join(tree, "probe.txt")
	if dir := os.Getenv("HOOKD_BENCH_PROBE_DIR"); dir != "" {
		probe = filepath.Join(tree, dir, "probe.txt")
	}
	var total time.Duration
	var peak uint64
	for b.Loop() {
		os.Remove(probe)
		d, first := probeDaemon(b, tree)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		t0 := time.Now()
		go func() { done <- d.Run(ctx) }()
		go func() {
			<-d.Ready()
			if os.Getenv("HOOKD_BENCH_DEBUG") != "" {
				println("ready after", time.Since(t0).String())
			}
		}()
		at := probeUntilSeen(b, probe, first)
		total += at.Sub(t0)
		if os.Getenv("HOOKD_BENCH_DEBUG") != "" {
			println("first after", at.Sub(t0).String())
		}
		// The start-up work that follows (baselines, the checkpoint).
		if err := d.Idle(ctx); err != nil {
			b.Fatal(err)
		}
		if path := os.Getenv("HOOKD_BENCH_HEAPPROFILE"); path != "" {
			writeHeapProfile(b, path)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapSys)
		if os.Getenv("HOOKD_BENCH_DEBUG") != "" {
			printMemory(&ms)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-first")
	b.ReportMetric(float64(peak)/1e6, "MB-heap-sys")
}

// probeDaemon makes, not yet running, a daemon of tree with one hook on
// probe.txt, in a state directory of its own (so no saved index), and the
// channel that gets the time of the first event for the probe.
func probeDaemon(b *testing.B, tree string) (*daemon.Daemon, <-chan time.Time) {
	state := b.TempDir()
	cfgFile := filepath.Join(state, "bench.toml")
	if err := os.WriteFile(cfgFile, []byte(`[[hook]]
name = "probe"
on = ["file.saved", "file.created"]
paths = ["**/probe.txt"]
debounce = "0s"
run = "true"
`), 0o644); err != nil {
		b.Fatal(err)
	}
	first := make(chan time.Time, 1)
	d := daemon.New(daemon.Options{
		Repo:   daemon.Repo{Root: tree, StateDir: state},
		Config: hooks.LoadOptions{Root: tree, Explicit: cfgFile},
		OnEvent: func(ev event.Event) {
			for _, f := range ev.Files {
				if f.Path != "" && filepath.Base(f.Path) == "probe.txt" {
					select {
					case first <- time.Now():
					default:
					}
				}
			}
		},
	})
	return d, first
}

// probeUntilSeen writes the probe every 30 ms until its first event comes,
// and returns when that was.
func probeUntilSeen(b *testing.B, probe string, first <-chan time.Time) time.Time {
	tick := time.NewTicker(30 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		if err := os.WriteFile(probe, []byte("probe "+strconv.Itoa(i)), 0o644); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-first:
			return at
		case <-tick.C:
		}
	}
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// printMemory prints where the memory of ms and of the process went, for
// HOOKD_BENCH_DEBUG.
func printMemory(ms *runtime.MemStats) {
	st, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(st), "\n") {
		if strings.HasPrefix(l, "VmHWM") || strings.HasPrefix(l, "RssAnon") {
			println(l)
		}
	}
	runtime.GC()
	var live runtime.MemStats
	runtime.ReadMemStats(&live)
	println("live heap after GC", live.HeapAlloc>>20, "MB")
	println("heap inuse", ms.HeapInuse>>20, "MB, idle", ms.HeapIdle>>20, "released", ms.HeapReleased>>20, "stacks", ms.StackSys>>20, "other", (ms.Sys-ms.HeapSys-ms.StackSys)>>20, "sys", ms.Sys>>20)
}

// BenchmarkBurst writes 10,000 files at once under a hook with the default
// debounce, and waits for the run that gets them: where the CPU goes
// (-cpuprofile) and how long after the last write the run starts.
func BenchmarkBurst(b *testing.B) {
	var after time.Duration
	for b.Loop() {
		b.StopTimer()
		b.Setenv("XDG_STATE_HOME", b.TempDir())
		root := b.TempDir()
		if err := os.WriteFile(filepath.Join(root, "hookd.toml"), []byte("[[hook]]\nname = \"all\"\non = \"file.*\"\npaths = [\"g*/**\"]\nrun = \"true\"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		repo, _ := daemon.Locate(root)
		trust := hooks.TrustStore{Path: filepath.Join(b.TempDir(), "trust.json")}
		if err := trust.TrustAsTheyAre(repo.Root, "hookd.toml"); err != nil {
			b.Fatal(err)
		}
		const n = 10000
		started := make(chan time.Time, 16)
		seen := 0
		d := daemon.New(daemon.Options{Repo: repo, Config: hooks.LoadOptions{Root: repo.Root, Trust: trust},
			Observe: func(r queue.Record) {
				if r.Phase == queue.Started {
					seen += len(r.Event.Files)
					if seen >= n {
						started <- time.Now()
					}
				}
			}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		<-d.Ready()
		b.StartTimer()
		for i := range n {
			dir := filepath.Join(root, "g"+strconv.Itoa(i%100))
			if i < 100 {
				os.Mkdir(dir, 0o755)
			}
			os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)+".txt"), []byte("x"), 0o644)
		}
		last := time.Now()
		after += (<-started).Sub(last)
		if err := d.Idle(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cancel()
		<-done
		b.StartTimer()
	}
	b.ReportMetric(float64(after.Milliseconds())/float64(b.N), "ms-after-last-write")
}

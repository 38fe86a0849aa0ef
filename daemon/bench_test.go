package daemon_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
)

// BenchmarkWriteToRunStart measures the pipeline inside the daemon: from a
// file write to the moment the runner is about to spawn the command (the
// Started record), with debounce = "0s". Spawning is the floor's cost and
// is measured by `go run ./bench`.
func BenchmarkWriteToRunStart(b *testing.B) {
	for _, settle := range []string{"0s", "1ms"} {
		b.Run("settle="+settle, func(b *testing.B) {
			b.Setenv("XDG_STATE_HOME", b.TempDir())
			root := b.TempDir()
			os.WriteFile(filepath.Join(root, "hookd.toml"), []byte(fmt.Sprintf(`[watch]
settle = %q
[[hook]]
name = "h"
on = "file.saved"
debounce = "0s"
mode = "parallel"
run = "true"
`, settle)), 0o644)
			repo, _ := daemon.Locate(root)
			started := make(chan time.Time, 16)
			queuedAt := make(chan time.Time, 16)
			evAt := make(chan time.Time, 16)
			trust := hooks.TrustStore{Path: filepath.Join(b.TempDir(), "trust.json")}
			trust.TrustAsTheyAre(repo.Root, "hookd.toml")
			d := daemon.New(daemon.Options{Repo: repo, Config: hooks.LoadOptions{Root: repo.Root, GitDir: repo.GitDir, Trust: trust},
				OnEvent: func(ev event.Event) {
					if ev.Kind == event.FileSaved {
						select {
						case evAt <- time.Now():
						default:
						}
					}
				},
				Observe: func(r queue.Record) {
					if r.Phase == queue.Started {
						started <- time.Now()
					}
					if r.Phase == queue.Queued {
						select {
						case queuedAt <- time.Now():
						default:
						}
					}
				}})
			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan struct{})
			defer func() { cancel(); <-stopped }()
			go func() { d.Run(ctx); close(stopped) }()
			<-d.Ready()
			target := filepath.Join(repo.Root, "f.txt")
			os.WriteFile(target, []byte("init"), 0o644)
			d.Idle(ctx)
			var lat, toEvent, toQueued []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				os.WriteFile(target, []byte(fmt.Sprint("v", i)), 0o644)
				t1 := <-started
				lat = append(lat, t1.Sub(t0))
				select {
				case te := <-evAt:
					toEvent = append(toEvent, te.Sub(t0))
				default:
				}
				select {
				case tq := <-queuedAt:
					toQueued = append(toQueued, tq.Sub(t0))
				default:
				}
				b.StopTimer()
				d.Idle(ctx)
				for len(started) > 0 {
					<-started
				}
				for len(evAt) > 0 {
					<-evAt
				}
				for len(queuedAt) > 0 {
					<-queuedAt
				}
				b.StartTimer()
			}
			slices.Sort(lat)
			slices.Sort(toEvent)
			if len(toEvent) > 0 {
				b.ReportMetric(float64(toEvent[len(toEvent)/2].Microseconds()), "event-p50-µs")
			}
			slices.Sort(toQueued)
			if len(toQueued) > 0 {
				b.ReportMetric(float64(toQueued[len(toQueued)/2].Microseconds()), "queued-p50-µs")
			}
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

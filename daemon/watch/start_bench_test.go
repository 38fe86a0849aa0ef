package watch_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon/settle"
	"github.com/hookd-dev/hookd/daemon/watch"
	"github.com/hookd-dev/hookd/event"
)

// BenchmarkStart measures watching a large tree until ready. Point
// HOOKD_BENCH_TREE at a tree (go run ./bench -tree DIR generates one).
func BenchmarkStart(b *testing.B) {
	tree := os.Getenv("HOOKD_BENCH_TREE")
	if tree == "" {
		b.Skip("set HOOKD_BENCH_TREE to a generated tree")
	}
	for b.Loop() {
		s := settle.New(tree, time.Millisecond, func([]event.Event) {}, nil)
		w, err := watch.New(watch.Options{Root: tree, CookieDir: filepath.Join(b.TempDir(), "c"), Settler: s})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w.Stats().Watches), "dirs")
		w.Close()
	}
}

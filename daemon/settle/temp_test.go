package settle

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hookd-dev/hookd/event"
)

// An atomic save (claude's Write: FILE.tmp.PID.HEX, then a rename over
// FILE) is one event of the real file, even with no settle period: the
// temporary is not reported created and then deleted.
func TestAtomicSaveTemporaryIsFolded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		root := t.TempDir()
		var mu sync.Mutex
		var got []string
		s := New(root, 0, func(evs []event.Event) {
			mu.Lock()
			defer mu.Unlock()
			for _, ev := range evs {
				for _, f := range ev.Files {
					got = append(got, string(ev.Kind)+" "+f.Path)
				}
			}
		}, nil)
		go s.Run(t.Context())
		tmp := filepath.Join(root, "a.ts.tmp.4242.1f3a9c")
		if err := os.WriteFile(tmp, []byte("new"), 0o644); err != nil {
			t.Fatal(err)
		}
		s.Touch("a.ts.tmp.4242.1f3a9c", Event)
		time.Sleep(20 * time.Millisecond) // the writer's pause before its rename
		synctest.Wait()
		if err := os.Rename(tmp, filepath.Join(root, "a.ts")); err != nil {
			t.Fatal(err)
		}
		s.Touch("a.ts.tmp.4242.1f3a9c", Event)
		s.Touch("a.ts", Event)
		time.Sleep(time.Second)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(got, []string{"file.created a.ts"}) {
			t.Errorf("events %q, want only the real file's", got)
		}
	})
	for name, want := range map[string]bool{"a.ts.tmp.4242.1f3a9c": true, "4913": true, ".#notes.md": true, "x.go~": true, ".a.go.swp": true,
		"b.3f2a9c1d.tmp": true, "a.ts": false, "tmp.go": false, "notes.tmp.md": false, "a.tmp": false, "a.12.tmp": false,
		"a.tmp.12.zz": false, "a.tmp.x1.ff": false, "x.swq": false, "report.2024.tmp": false} {
		if looksTemporary("src/"+name) != want {
			t.Errorf("looksTemporary(%q) = %v", name, !want)
		}
	}
}

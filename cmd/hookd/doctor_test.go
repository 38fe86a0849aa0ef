package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/ignore"
)

// doctor flags a watch limit too low for the repository, with the sysctl
// that fixes it. The limit is the kernel's in real use; lowering it here
// would starve every other test, so the check gets a low one directly and
// counts a real tree.
func TestDoctorFlagsLowWatchLimit(t *testing.T) {
	root := t.TempDir()
	for i := range 40 {
		if err := os.MkdirAll(filepath.Join(root, fmt.Sprintf("pkg%d/internal", i)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "node_modules", "x", "y"), 0o755)
	dirs := ignore.Walk(root, "", []string{"node_modules/"}).Dirs
	if dirs != 81 {
		t.Fatalf("counted %d directories, want 81 (the root, 40 packages with one sub-directory each; ignored ones left out)", dirs)
	}
	c := watchCheck(dirs, 64)
	if c.Status != "fail" || !strings.Contains(c.Detail, "fs.inotify.max_user_watches is 64") || !strings.Contains(c.Fix, "sudo sysctl fs.inotify.max_user_watches=524288") {
		t.Errorf("%+v", c)
	}
	if c := watchCheck(dirs, 8192); c.Status != "ok" {
		t.Errorf("%+v", c)
	}
}

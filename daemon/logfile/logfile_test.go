package logfile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/logfile"
)

func TestRotatesBySizeKeepingAFew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hookd.log")
	l, err := logfile.Open(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		fmt.Fprintf(l, "line %02d of the log, twenty-nine\n", i)
	}
	l.Close()
	names, _ := filepath.Glob(path + "*")
	if len(names) != 3 {
		t.Fatalf("files %v, want hookd.log and two old ones", names)
	}
	var total int64
	for _, n := range names {
		fi, _ := os.Stat(n)
		if fi.Size() > 100 {
			t.Errorf("%s is %d bytes, over the cap", n, fi.Size())
		}
		total += fi.Size()
	}
	last, _ := os.ReadFile(path)
	if !strings.HasSuffix(string(last), "line 49 of the log, twenty-nine\n") || total > 300 {
		t.Errorf("newest %q, %d bytes in all", last, total)
	}
}

func TestNeverThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("mine"), 0o600)
	os.Symlink(victim, filepath.Join(dir, "hookd.log"))
	if _, err := logfile.Open(filepath.Join(dir, "hookd.log"), 100, 1); err == nil {
		t.Fatal("opened a symlink")
	}
}

// The log is text for people or JSON for machines; anything else is
// named as the mistake it is.
func TestLogger(t *testing.T) {
	var b strings.Builder
	log, err := logfile.Logger(&b, "json", false)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	log.Info("shown", "k", 1)
	if strings.Contains(b.String(), "hidden") || !strings.Contains(b.String(), `"msg":"shown"`) {
		t.Errorf("json log: %q", b.String())
	}
	b.Reset()
	if log, err = logfile.Logger(&b, "text", true); err != nil {
		t.Fatal(err)
	}
	log.Debug("verbose")
	if !strings.Contains(b.String(), "verbose") || strings.Contains(b.String(), "\x1b[") {
		t.Errorf("text log (not a terminal, so no colour): %q", b.String())
	}
	if _, err := logfile.Logger(&b, "xml", false); !errors.Is(err, logfile.ErrFormat) {
		t.Errorf("xml: %v", err)
	}
}

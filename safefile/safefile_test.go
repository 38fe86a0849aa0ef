package safefile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/safefile"
)

func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/zero", filepath.Join(dir, "zero"))
	os.Symlink(fifo, filepath.Join(dir, "to-fifo"))
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	for _, name := range []string{"fifo", "zero", "to-fifo", "sub"} {
		done := make(chan error, 3)
		go func() { _, err := safefile.Read(filepath.Join(dir, name), 1<<20); done <- err }()
		go func() { _, err := safefile.ReadTail(filepath.Join(dir, name), 1<<20); done <- err }()
		go func() {
			f, err := safefile.Open(filepath.Join(dir, name))
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		for range 3 {
			select {
			case err := <-done:
				if !errors.Is(err, safefile.ErrNotRegular) || !strings.Contains(err.Error(), name) {
					t.Errorf("%s: %v, want ErrNotRegular naming it", name, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: the read hangs", name)
			}
		}
	}
}

func TestReadTailReadsTheEnd(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	os.WriteFile(p, []byte("one\ntwo\nthree\n"), 0o644)
	if data, err := safefile.ReadTail(p, 6); err != nil || string(data) != "three\n" {
		t.Fatalf("%q %v", data, err)
	}
	if data, err := safefile.ReadTail(p, 100); err != nil || string(data) != "one\ntwo\nthree\n" {
		t.Fatalf("%q %v", data, err)
	}
}

func TestReadCapsTheSize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	os.WriteFile(p, make([]byte, 2048), 0o644)
	_, err := safefile.Read(p, 1024)
	var tl *safefile.TooLargeError
	if !errors.As(err, &tl) || tl.Size != 2048 || tl.Limit != 1024 || err.Error() != p+": too large (2048 bytes, limit 1024)" {
		t.Fatalf("err = %v", err)
	}
	if data, err := safefile.Read(p, 2048); err != nil || len(data) != 2048 {
		t.Fatalf("at the cap: %d bytes, %v", len(data), err)
	}
}

func TestReadInsideStaysInside(t *testing.T) {
	root := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("secret"), 0o600)
	os.MkdirAll(filepath.Join(root, "docs"), 0o755)
	os.MkdirAll(filepath.Join(root, ".git"), 0o755)
	os.WriteFile(filepath.Join(root, ".git", "config"), []byte("[core]"), 0o644)
	os.WriteFile(filepath.Join(root, "docs", "a.md"), []byte("a"), 0o644)
	os.Symlink(outside, filepath.Join(root, "docs", "out.md"))
	os.Symlink("a.md", filepath.Join(root, "docs", "in.md"))
	os.Symlink("../.git/config", filepath.Join(root, "docs", "git.md"))
	for rel, ok := range map[string]bool{
		"docs/a.md": true, "docs/in.md": true,
		"docs/out.md": false, "docs/git.md": false, ".git/config": false, "../x": false, "/etc/passwd": false,
	} {
		_, err := safefile.ReadInside(root, rel, 1<<20)
		if (err == nil) != ok {
			t.Errorf("%s: err = %v, want ok=%v", rel, err, ok)
		}
	}
}

func TestWriteNeverFollowsASymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("mine"), 0o644)
	link := filepath.Join(dir, "hookd.toml")
	os.Symlink(victim, link)
	if err := safefile.Write(link, []byte("evil"), 0o644); !errors.Is(err, safefile.ErrSymlink) {
		t.Fatalf("err = %v, want ErrSymlink", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "mine" {
		t.Fatalf("the symlink's target was written: %q", data)
	}

	// A directory symlinked out of the root is refused too.
	os.Symlink(filepath.Dir(victim), filepath.Join(dir, "out"))
	if err := safefile.WriteInside(dir, "out/victim", []byte("evil"), 0o644); !errors.Is(err, safefile.ErrOutside) {
		t.Fatalf("err = %v, want ErrOutside", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "mine" {
		t.Fatalf("written through a directory symlink: %q", data)
	}
}

func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("old contents"), 0o600)
	if err := safefile.WriteInside(dir, "f", []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(data) != "new" || fi.Mode().Perm() != 0o640 {
		t.Fatalf("%q %v", data, fi.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

package daemon_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hookd-dev/hookd/daemon"
)

// An empty .git directory above a tree (a sandbox's mount point over
// /tmp, as codex's makes) is no repository: git walks past it, so does
// hookd. A real one is found from any directory inside it.
func TestLocateSkipsAnEmptyDotGit(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	top := t.TempDir()
	tree := filepath.Join(top, "work", "tree")
	if err := os.MkdirAll(filepath.Join(top, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(tree, 0o755)
	repo, err := daemon.Locate(tree)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks(tree); repo.Root != want || repo.GitDir != "" {
		t.Errorf("Locate = %+v, want the tree itself, outside git", repo)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	work := filepath.Join(top, "work")
	if out, err := exec.Command("git", "init", "-q", work).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	repo, _ = daemon.Locate(tree)
	if want, _ := filepath.EvalSymlinks(work); repo.Root != want || repo.GitDir != filepath.Join(want, ".git") {
		t.Errorf("Locate = %+v, want %s", repo, want)
	}
}

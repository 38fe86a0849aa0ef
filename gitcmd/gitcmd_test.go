package gitcmd_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/gitcmd"
)

func repo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start"}} {
		if _, err := gitcmd.Output(context.Background(), root, args...); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// A hookd started from inside a git hook has GIT_DIR and GIT_INDEX_FILE
// set for another repository; its own git commands must not follow them.
func TestGitVariablesDoNotLeakIn(t *testing.T) {
	root := repo(t)
	other := repo(t)
	t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
	t.Setenv("GIT_INDEX_FILE", filepath.Join(other, ".git", "index"))
	out, err := gitcmd.Output(context.Background(), root, "rev-parse", "--absolute-git-dir")
	if err != nil || strings.TrimSpace(string(out)) != filepath.Join(root, ".git") {
		t.Fatalf("git dir = %q (%v), want %s", out, err, filepath.Join(root, ".git"))
	}
	if slices.ContainsFunc(gitcmd.Env(), func(kv string) bool { return strings.HasPrefix(kv, "GIT_DIR=") }) {
		t.Error("Env keeps GIT_DIR")
	}
	t.Setenv("GIT_SSH_COMMAND", "ssh -v")
	child := gitcmd.ChildEnv()
	if slices.Contains(child, "GIT_DIR="+filepath.Join(other, ".git")) || !slices.Contains(child, "GIT_SSH_COMMAND=ssh -v") {
		t.Errorf("ChildEnv = %v: want GIT_DIR gone and GIT_SSH_COMMAND kept", child)
	}
}

func TestErrorsCarryStderr(t *testing.T) {
	root := repo(t)
	_, err := gitcmd.Output(context.Background(), root, "show", "HEAD:nope")
	var ge *gitcmd.Error
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "nope") || gitcmd.ExitCode(err) != 128 {
		t.Fatalf("err = %v (exit %d)", err, gitcmd.ExitCode(err))
	}
}

func TestTracked(t *testing.T) {
	root := repo(t)
	ctx := context.Background()
	os.WriteFile(filepath.Join(root, "staged"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, "loose"), []byte("x"), 0o644)
	if _, err := gitcmd.Output(ctx, root, "add", "staged"); err != nil {
		t.Fatal(err)
	}
	tracked := func(rel string) bool {
		t.Helper()
		ok, err := gitcmd.Tracked(ctx, root, rel)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !tracked("staged") || tracked("loose") {
		t.Fatal("staged must be tracked, loose not")
	}
	// Committed, then untracked with git rm --cached: HEAD still has it.
	gitcmd.Output(ctx, root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "add")
	gitcmd.Output(ctx, root, "rm", "-q", "--cached", "staged")
	if !tracked("staged") {
		t.Fatal("a file HEAD has is tracked")
	}
}

// A repository with no commit yet: nothing is in HEAD, and that is a no,
// not an error.
func TestTrackedOnAnUnbornBranch(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	if _, err := gitcmd.Output(context.Background(), root, "init", "-q"); err != nil {
		t.Fatal(err)
	}
	if ok, err := gitcmd.Tracked(context.Background(), root, "hookd.local.toml"); ok || err != nil {
		t.Fatalf("Tracked = %v, %v; want false, nil", ok, err)
	}
}

// When git refuses the repository (an archive's empty .git/HEAD, dubious
// ownership, damage), nobody can say the file is the user's: it counts as
// tracked, and the error says why.
func TestTrackedFailsClosed(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, ".git", "HEAD"), nil, 0o644)
	os.WriteFile(filepath.Join(root, "hookd.local.toml"), []byte("x"), 0o644)
	ok, err := gitcmd.Tracked(context.Background(), root, "hookd.local.toml")
	if !ok || err == nil {
		t.Fatalf("Tracked = %v, %v; want true and why", ok, err)
	}
}

// Show is a file as a revision has it, by a path relative to the root.
func TestShow(t *testing.T) {
	root := repo(t)
	ctx := context.Background()
	os.MkdirAll(filepath.Join(root, "d"), 0o755)
	os.WriteFile(filepath.Join(root, "d", "f"), []byte("one\n"), 0o644)
	gitcmd.Output(ctx, root, "add", "d/f")
	gitcmd.Output(ctx, root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "f")
	os.WriteFile(filepath.Join(root, "d", "f"), []byte("two\n"), 0o644)
	got, err := gitcmd.Show(ctx, root, "HEAD", "d/f")
	if err != nil || string(got) != "one\n" {
		t.Fatalf("Show = %q, %v; want the committed one", got, err)
	}
	if _, err := gitcmd.Show(ctx, root, "HEAD~1", "d/f"); err == nil {
		t.Error("the first commit has no d/f")
	}
}

package spec

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hookd-dev/hookd/gitcmd"
)

// DiffSince compares the work tree's document with a revision's: a new
// criterion is a change, a re-wrapped line none, a deleted document its
// old version.
func TestDiffSince(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ctx := context.Background()
	root := t.TempDir()
	rel := ".kiro/specs/greet/requirements.md"
	req := "# Requirements\n\n### Requirement 1: Greet\n\n#### Acceptance Criteria\n\n1. WHEN a user arrives THEN the system SHALL greet them\n"
	os.MkdirAll(filepath.Join(root, ".kiro/specs/greet"), 0o755)
	os.WriteFile(filepath.Join(root, rel), []byte(req), 0o644)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "spec"}} {
		if _, err := gitcmd.Output(ctx, root, args...); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, changed := DiffSince(ctx, root, rel, "HEAD", DefaultRoots()); changed {
		t.Error("an unchanged document changed")
	}
	os.WriteFile(filepath.Join(root, rel), []byte(req+"2. WHEN a user leaves THEN the system SHALL say goodbye\n"), 0o644)
	d, c, changed := DiffSince(ctx, root, rel, "HEAD", DefaultRoots())
	if !changed || d == nil || d.File != rel || !slices.Contains(c.Added, "1.2") {
		t.Errorf("a new criterion: %v %+v", changed, c)
	}
	os.Remove(filepath.Join(root, rel))
	d, _, changed = DiffSince(ctx, root, rel, "HEAD", DefaultRoots())
	if !changed || d == nil || len(d.Requirements) != 1 {
		t.Errorf("a deleted document: %v %+v", changed, d)
	}
}

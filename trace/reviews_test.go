package trace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hookd-dev/hookd/safefile"
)

// A broken line is told at its place and the others are kept.
func TestBrokenReviewsLineIsReported(t *testing.T) {
	root := t.TempDir()
	data := "# reviews\n" +
		`{"spec":"a","id":"1","file":"x_test.go","fingerprint":"f1"}` + "\n" +
		`{"spec":"a","id":"2",` + "\n" +
		`{"spec":"a","id":"3","file":"y_test.go"}` + "\n" +
		`{"spec":"a","id":"4","file":"z_test.go","fingerprint":"f4","extra":1}` + "\n"
	if err := os.WriteFile(filepath.Join(root, ReviewsFile), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, probs := LoadReviews(root)
	if len(rs) != 1 || !rs.Holds("a", "1", "x_test.go", "f1") {
		t.Errorf("kept %v, want the one good review", rs)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.Error())
	}
	want := []string{"hookd.reviews:3:", "hookd.reviews:4:1: a review needs spec, id, file and fingerprint", "hookd.reviews:5:"}
	if len(got) != 3 {
		t.Fatalf("problems %q", got)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("problem %d = %q, want %s…", i, got[i], w)
		}
	}
	// A review holds only for the text it was made for.
	if rs.Holds("a", "1", "x_test.go", "other") || rs.Holds("a", "1", "x_test.go", "") {
		t.Error("a review holds for another text")
	}
}

// The reviews file is read as a regular file of bounded size, and written
// never through a symlink: a crafted repository's hookd.reviews pointing
// at /dev/zero or at a file of the user's is refused, not followed.
func TestReviewsFileSymlinks(t *testing.T) {
	root := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(root, ReviewsFile)); err != nil {
		t.Fatal(err)
	}
	if _, probs := LoadReviews(root); len(probs) != 1 || !errors.Is(probs[0], safefile.ErrNotRegular) {
		t.Fatalf("/dev/zero: %v", probs)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, ReviewsFile))
	if err := os.Symlink(victim, filepath.Join(root, ReviewsFile)); err != nil {
		t.Fatal(err)
	}
	rs := Reviews{}
	rs.Add(Review{Spec: "a", ID: "1", File: "f", Fingerprint: "x"})
	if err := rs.Save(root); !errors.Is(err, safefile.ErrSymlink) {
		t.Fatalf("save through a symlink: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "mine\n" {
		t.Fatalf("the symlink's target was written: %q", b)
	}
}

// One History serves concurrent reports, as the daemon's does.
func TestConcurrentReports(t *testing.T) {
	r := authRepo(t)
	r.edit(".kiro/specs/user-authentication/requirements.md", logout21, logout21+" twice")
	r.commit("edit")
	h := NewHistory(r.root)
	x := r.index()
	var wg sync.WaitGroup
	got := make([]int, 4)
	for i := range got {
		wg.Go(func() {
			rep := Build(context.Background(), x, Options{Root: r.root, Policy: DefaultPolicy(), History: h, Stamp: "1"})
			got[i] = len(findings(rep, Suspect))
		})
	}
	wg.Wait()
	for i, n := range got {
		if n != 1 {
			t.Errorf("report %d: %d suspect, want 1", i, n)
		}
	}
}

package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReviews reads arbitrary bytes as a reviews file: it never panics,
// every line it does not keep is reported at its line, and what it keeps
// survives a save and a second read.
func FuzzReviews(f *testing.F) {
	f.Add([]byte(`{"spec":"login","id":"2.1","file":"a_test.go","fingerprint":"0123456789abcdef","by":"Ann"}` + "\n"))
	f.Add([]byte("# comment\n\n{\"spec\":1}\n{not json\n"))
	f.Add([]byte(`{"spec":"s","id":"1","file":"f","fingerprint":"x","extra":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, ReviewsFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		rs, probs := LoadReviews(root)
		for _, p := range probs {
			if !strings.HasPrefix(p.Error(), ReviewsFile+":") {
				t.Errorf("a problem without its place: %v", p)
			}
		}
		if err := rs.Save(root); err != nil {
			t.Fatal(err)
		}
		again, probs := LoadReviews(root)
		if len(probs) > 0 || len(again) != len(rs) {
			t.Fatalf("saved %d reviews, read back %d (%v)", len(rs), len(again), probs)
		}
		for k, r := range rs {
			if again[k] != r {
				t.Fatalf("%v became %v", r, again[k])
			}
		}
	})
}

// FuzzBlame reads arbitrary bytes as git blame --porcelain: it never
// panics, and gives one commit per content line (those after a tab).
func FuzzBlame(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef01234567 1 1 2\nauthor A\ncommitter-time 1700000000\n\tline one\n0123456789abcdef0123456789abcdef01234567 2 2\n\tline two\n"))
	f.Add([]byte("\t\n\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := parseBlame(data)
		want := 0
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(l) > 0 && l[0] == '\t' {
				want++
			}
		}
		if len(lines) != want && !bytes.Contains(data, []byte("\r")) {
			t.Fatalf("%d lines, %d content lines", len(lines), want)
		}
	})
}

// FuzzHunks reads arbitrary bytes as git diff -U0: it never panics, and
// every range it gives is a real one (first ≤ last, from line 1).
func FuzzHunks(f *testing.F) {
	f.Add([]byte("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -3 +3,2 @@\n-a\n+b\n+c\n@@ -9,2 +10,0 @@\n"))
	f.Add([]byte("+++ /dev/null\n@@ -1 +0,0 @@\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for file, rs := range parseHunks(data) {
			for _, r := range rs {
				if r[0] > r[1] || file == "" {
					t.Fatalf("%q: range %v", file, r)
				}
			}
		}
	})
}

package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The tour runs to its end, narrating each step's hooks, and leaves no
// repository behind unless asked to.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a daemon")
	}
	t.Setenv("TMPDIR", t.TempDir())
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out bytes.Buffer
	if err := Run(context.Background(), &out, false); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"hookd demo: a throwaway repository at ",
		"✓ tests-follow-code ran (file.saved: saved src/greet.ts)",
		"nothing ran: a save that leaves the bytes unchanged is not an event",
		"✓ impact ran (spec.changed: saved .kiro/specs/greeting/requirements.md)",
		"✓ progress ran (spec.task",
		"paths     ✗ no file matches",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the tour lacks %q:\n%s", want, out.String())
		}
	}
	if !regexp.MustCompile(`(?m)^Done: [56] runs`).MatchString(out.String()) {
		t.Errorf("the tour does not end with its runs:\n%s", out.String())
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "hookd-demo-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// roundDuration keeps what a reader needs, and a fast run is not 0s.
func TestRoundDuration(t *testing.T) {
	for d, want := range map[time.Duration]time.Duration{
		1234567 * time.Nanosecond:               1224 * time.Microsecond,
		3*time.Second + 456789*time.Microsecond: 3456 * time.Millisecond,
		1500 * time.Nanosecond:                  2 * time.Microsecond,
	} {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%v) = %v, want %v", d, got, want)
		}
	}
}

// indent puts every line written through it three spaces in.
func TestIndent(t *testing.T) {
	var b bytes.Buffer
	w := indent{&b}
	w.Write([]byte("a\nb\n"))
	w.Write([]byte("\n"))
	if b.String() != "   a\n   b\n\n" {
		t.Errorf("%q", b.String())
	}
}

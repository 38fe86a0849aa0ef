package agentcli

import (
	"slices"
	"strings"
	"testing"
)

// parse feeds lines to a stream of format and returns it with the
// activity told. (hooks/runner tests the writer that splits a process's
// output into lines.)
func parse(t testing.TB, format, dir string, lines ...string) (*Stream, []string) {
	t.Helper()
	var told []string
	s := NewStream(format, "/repo", dir, func(a Activity) {
		switch a.Kind {
		case Writes:
			told = append(told, "writes "+a.Path)
		case OpaqueStart:
			told = append(told, "opaque "+a.Tool)
		case OpaqueEnd:
			told = append(told, "end "+a.Tool)
		}
	}, nil)
	for _, l := range lines {
		for _, line := range strings.Split(l, "\n") {
			s.Feed([]byte(line), false)
		}
	}
	return s, told
}

// finalCap is what the tests cap a report's Final at.
const finalCap = 64 << 10

// What the CLIs also print, and what they never should: a banner, broken
// JSON, an unknown event, a stream cut mid-line. None is fatal; what can
// be read is.
func TestStreamBadInput(t *testing.T) {
	s, told := parse(t, "claude", "/repo", "Warning: no stdin data received", claudeInit, `{"type":"assistant","message":`, `{"type":"new_kind","x":[1,2]}`, claudeWrite, `{"type":"result","subtype":"succ`)
	r := s.Finish(finalCap)
	if r.Skipped != 3 || r.Ended || r.Session != "9f31" || !slices.Equal(told, []string{"writes q/1.md"}) {
		t.Errorf("report %+v, told %q", r, told)
	}
	// A path outside the repository stays as the agent named it.
	s, _ = parse(t, "claude", "/repo", `{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"/etc/passwd"}}]}}`,
		`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"../x"}}]}}`)
	if r := s.Finish(finalCap); !slices.Equal(r.Files, []string{"/etc/passwd", "/x"}) {
		t.Errorf("outside files %q", r.Files)
	}
	// The head of a line too long to read whole still names its file.
	s, _ = parse(t, "claude", "/repo")
	s.Feed([]byte(`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"/repo/big.bin","content":"AAAA`), true)
	if r := s.Finish(finalCap); !slices.Equal(r.Files, []string{"big.bin"}) || r.Skipped != 1 {
		t.Errorf("salvaged: report %+v", r)
	}
	// The final text is capped.
	s, _ = parse(t, "claude", "/repo", `{"type":"result","subtype":"success","result":"`+strings.Repeat("x", 100)+`"}`)
	if r := s.Finish(10); r.Final != strings.Repeat("x", 10)+"…" {
		t.Errorf("final %q", r.Final)
	}
}

// Any bytes in any format: no panic, each file once, and a path inside
// the repository never climbs out of it.
func FuzzStream(f *testing.F) {
	for _, l := range []string{claudeInit, claudeWrite, claudeBash, claudeDone, codexCmd, codexPatch, codexDone, geminiWrite, geminiShell, geminiDone, "{\"type\":\"result\"", "\n\n{}",
		claudeRetry, claudeAPIResult, claudeTurn1b, codexRetry, codex429, geminiRetryErr, geminiGaveUp, geminiAPIFail,
		`{"type":"result","total_cost_usd":-1,"usage":{"input_tokens":-5}}`} {
		f.Add(l, uint8(0))
		f.Add(l, uint8(1))
		f.Add(l, uint8(2))
	}
	var formats []string
	for _, c := range All() {
		if c.parser() != nil {
			formats = append(formats, c.Name())
		}
	}
	f.Fuzz(func(t *testing.T, data string, which uint8) {
		s := NewStream(formats[int(which)%len(formats)], "/repo", "/repo/sub", nil, func(string) {})
		for _, line := range strings.Split(data, "\n") {
			s.Feed([]byte(line), false)
			s.FeedStderr([]byte(line)) // gemini's retries are on stderr
		}
		r := s.Finish(finalCap)
		if r.Retries < 0 || r.TokensIn < 0 || r.TokensOut < 0 || r.Cost < 0 {
			t.Fatalf("negative figures: %+v", r)
		}
		seen := map[string]bool{}
		for _, p := range r.Files {
			if seen[p] {
				t.Fatalf("%q reported twice", p)
			}
			seen[p] = true
			if strings.HasPrefix(p, "../") {
				t.Fatalf("%q climbs out of the repository", p)
			}
		}
		if len(s.opaque) != 0 {
			t.Fatalf("opaque calls left open: %v", s.opaque)
		}
	})
}

// The output speaks the stream its format says at its first structured
// line, told once; a wrapper's plain text never does.
func TestStreamSpeaks(t *testing.T) {
	speaks := func(lines ...string) (n int) {
		s := NewStream("claude", "/repo", "/repo", func(a Activity) {
			if a.Kind == Spoke {
				n++
			}
		}, nil)
		for _, l := range lines {
			s.Feed([]byte(l), false)
		}
		return n
	}
	if n := speaks("Working on it...", "done: wrote a.go"); n != 0 {
		t.Errorf("plain text spoke %d times", n)
	}
	if n := speaks("banner", claudeInit, claudeWrite); n != 1 {
		t.Errorf("claude's stream spoke %d times, want once", n)
	}
}

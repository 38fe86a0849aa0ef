package runner

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/agentcli"
)

// Lines of claude's stream-json (claude 2.1.197); agentcli's tests parse
// every CLI's.
const (
	claudeInit  = `{"type":"system","subtype":"init","cwd":"/repo","session_id":"9f31","tools":["Bash","Edit","Write"],"model":"claude-opus-4-8"}`
	claudeWrite = `{"type":"assistant","message":{"id":"m1","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Write","input":{"file_path":"/repo/q/1.md","content":"x\n"}}],"usage":{"input_tokens":10,"output_tokens":1}},"session_id":"9f31"}`
	claudeBash  = `{"type":"assistant","message":{"content":[{"type":"text","text":"running the tests"},{"type":"tool_use","id":"toolu_2","name":"Bash","input":{"command":"go test ./...","description":"tests"}}]},"session_id":"9f31"}`
	claudeOK    = `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_2","type":"tool_result","content":"ok"}]}}`
	claudeDone  = `{"type":"result","subtype":"success","is_error":false,"duration_ms":361,"num_turns":3,"result":"STUB-REPLY","stop_reason":"end_turn","session_id":"9f31","total_cost_usd":0.00035,"usage":{"input_tokens":20,"cache_creation_input_tokens":5,"cache_read_input_tokens":7,"output_tokens":10,"server_tool_use":{"web_search_requests":0}}}`
)

// The writer the runner feeds a stream through splits lines anywhere into
// the same lines, and a last line without its newline is read too.
func TestAgentOutputSplitsLines(t *testing.T) {
	var told []string
	s := agentcli.NewStream("claude", "/repo", "/repo", func(a Activity) {
		switch a.Kind {
		case Writes:
			told = append(told, "writes "+a.Path)
		case OpaqueStart:
			told = append(told, "opaque "+a.Tool)
		case OpaqueEnd:
			told = append(told, "end "+a.Tool)
		}
	}, nil)
	w := newAgentOutput(s)
	all := []byte(strings.Join([]string{"a banner", claudeInit, claudeWrite, claudeBash, claudeOK, claudeDone}, "\n"))
	for len(all) > 0 {
		n := min(len(all), 37)
		w.Write(all[:n])
		all = all[n:]
	}
	w.close()
	r := s.Finish(OutputCap)
	if want := []string{"writes q/1.md", "opaque toolu_2", "end toolu_2"}; !slices.Equal(told, want) {
		t.Errorf("activity %q, want %q", told, want)
	}
	if r.Session != "9f31" || r.Final != "STUB-REPLY" || !r.Ended || r.Skipped != 1 {
		t.Errorf("report %+v", r)
	}
}

// A line longer than the cap is read for its head, where the file path
// is; the writer's buffer stays within the cap however long the line.
func TestStreamLongLine(t *testing.T) {
	var told []string
	s := agentcli.NewStream("claude", "/repo", "/repo", func(a Activity) {
		if a.Kind == Writes {
			told = append(told, a.Path)
		}
	}, nil)
	w := newAgentOutput(s)
	w.Write([]byte(`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"/repo/big.bin","content":"`))
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range 20 {
		w.Write(chunk)
		if cap(w.out.buf) > 2*MaxStreamLine {
			t.Fatalf("the line buffer grew to %d bytes", cap(w.out.buf))
		}
	}
	w.Write([]byte("\"}}]}}\n" + claudeDone + "\n"))
	r := s.Finish(OutputCap)
	if !slices.Equal(told, []string{"big.bin"}) || r.Skipped != 1 || !r.Ended {
		t.Errorf("told %q, report %+v", told, r)
	}
}

// BenchmarkStream1000 parses a 1,000-event claude stream, the way a run
// reads it (goal: ≤ 1 ms).
func BenchmarkStream1000(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(claudeInit + "\n")
	for i := range 333 {
		fmt.Fprintf(&buf, `{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t%d","name":"Edit","input":{"file_path":"/repo/src/f%d.go","old_string":"a","new_string":"b"}}]},"session_id":"9f31"}`+"\n", i, i%50)
		fmt.Fprintf(&buf, `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"t%d","type":"tool_result","content":"ok"}]},"session_id":"9f31"}`+"\n", i)
		buf.WriteString(`{"type":"assistant","message":{"content":[{"type":"text","text":"done with that file, on to the next"}]},"session_id":"9f31"}` + "\n")
	}
	buf.WriteString(claudeDone + "\n")
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s := agentcli.NewStream("claude", "/repo", "/repo", func(Activity) {}, nil)
		w := newAgentOutput(s)
		for off := 0; off < len(data); off += 32 << 10 {
			w.Write(data[off:min(off+32<<10, len(data))])
		}
		w.close()
		if r := s.Finish(OutputCap); !r.Ended || len(r.Files) != 50 {
			b.Fatalf("%+v", r)
		}
	}
}

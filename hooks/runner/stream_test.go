package runner

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Lines as each real CLI prints them (claude 2.1.197, codex 0.169.0,
// gemini-cli 0.61.0 against the API stand-ins), cut to the fields hookd
// reads and a few it does not.
const (
	claudeInit   = `{"type":"system","subtype":"init","cwd":"/repo","session_id":"9f31","tools":["Bash","Edit","Write"],"model":"claude-opus-4-8"}`
	claudeWrite  = `{"type":"assistant","message":{"id":"m1","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Write","input":{"file_path":"/repo/q/1.md","content":"x\n"}}],"usage":{"input_tokens":10,"output_tokens":1}},"session_id":"9f31"}`
	claudeResult = `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"File created successfully"}]},"session_id":"9f31","tool_use_result":{"type":"create","filePath":"/repo/q/1.md"}}`
	claudeBash   = `{"type":"assistant","message":{"content":[{"type":"text","text":"running the tests"},{"type":"tool_use","id":"toolu_2","name":"Bash","input":{"command":"go test ./...","description":"tests"}}]},"session_id":"9f31"}`
	claudeBashOK = `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_2","type":"tool_result","content":"ok"}]}}`
	claudeEdit   = `{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_3","name":"Edit","input":{"file_path":"/repo/q/2.md","old_string":"a","new_string":"b"}},{"type":"tool_use","id":"toolu_4","name":"Read","input":{"file_path":"/repo/README.md"}}]}}`
	claudeDone   = `{"type":"result","subtype":"success","is_error":false,"duration_ms":361,"num_turns":3,"result":"STUB-REPLY","stop_reason":"end_turn","session_id":"9f31","total_cost_usd":0.00035,"usage":{"input_tokens":20,"cache_creation_input_tokens":5,"cache_read_input_tokens":7,"output_tokens":10,"server_tool_use":{"web_search_requests":0}}}`
	claudeTurns  = `{"type":"result","subtype":"error_max_turns","duration_ms":393,"is_error":true,"num_turns":2,"stop_reason":"tool_use","session_id":"1247","total_cost_usd":0.000175,"usage":{"input_tokens":10,"output_tokens":5}}`

	codexStart   = `{"type":"thread.started","thread_id":"01a2"}`
	codexWarn    = `{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for gpt-5-codex not found."}}`
	codexTurn    = `{"type":"turn.started"}`
	codexCmd     = `{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo hi > made.txt'","aggregated_output":"","exit_code":null,"status":"in_progress"}}`
	codexCmdDone = `{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo hi > made.txt'","aggregated_output":"","exit_code":0,"status":"completed"}}`
	codexPatch   = `{"type":"item.completed","item":{"id":"item_2","type":"file_change","changes":[{"path":"/repo/src/a.go","kind":"update"},{"path":"b.go","kind":"add"}],"status":"completed"}}`
	codexMsg     = `{"type":"item.completed","item":{"id":"item_3","type":"agent_message","text":"STUB-REPLY"}}`
	codexDone    = `{"type":"turn.completed","usage":{"input_tokens":20,"cached_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":0}}`
	codexFailed  = `{"type":"turn.failed","error":{"message":"stream disconnected before completion"}}`

	geminiInit   = `{"type":"init","timestamp":"2026-12-02T02:37:58.851Z","session_id":"d728","model":"auto"}`
	geminiUser   = `{"type":"message","role":"user","content":"write g\n"}`
	geminiWrite  = `{"type":"tool_use","tool_name":"write_file","tool_id":"write_file_1","parameters":{"file_path":"g.txt","content":"x\n"}}`
	geminiWrote  = `{"type":"tool_result","tool_id":"write_file_1","status":"success"}`
	geminiShell  = `{"type":"tool_use","tool_name":"run_shell_command","tool_id":"sh_1","parameters":{"command":"make"}}`
	geminiShDone = `{"type":"tool_result","tool_id":"sh_1","status":"success"}`
	geminiMsg1   = `{"type":"message","role":"assistant","content":"STUB-","delta":true}`
	geminiMsg2   = `{"type":"message","role":"assistant","content":"REPLY","delta":true}`
	geminiDone   = `{"type":"result","status":"success","stats":{"total_tokens":45,"input_tokens":30,"output_tokens":15,"cached":0,"duration_ms":383,"tool_calls":1}}`
)

// parse feeds lines through the writer the runner uses, in chunks that
// split lines anywhere, and returns the report and the activity told.
func parse(t testing.TB, format, dir string, lines ...string) (*stream, []string) {
	var told []string
	s := newStream(format, "/repo", dir, func(a Activity) {
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
	all := []byte(strings.Join(lines, "\n") + "\n")
	for len(all) > 0 {
		n := min(len(all), 37)
		w.Write(all[:n])
		all = all[n:]
	}
	w.close()
	return s, told
}

func TestClaudeStream(t *testing.T) {
	s, told := parse(t, FormatClaude, "/repo", claudeInit, claudeWrite, claudeResult, claudeBash, claudeBashOK, claudeEdit, `{"type":"stream_event","event":{}}`, claudeDone)
	r := s.finish()
	if want := []string{"writes q/1.md", "opaque toolu_2", "end toolu_2", "writes q/2.md"}; !slices.Equal(told, want) {
		t.Errorf("activity %q, want %q", told, want)
	}
	if r.Session != "9f31" || r.Final != "STUB-REPLY" || r.Turns != 3 || r.Cost != 0.00035 || r.TokensIn != 32 || r.TokensOut != 10 || !r.Ended || r.Error != "" {
		t.Errorf("report %+v", r)
	}
	if !slices.Equal(r.Files, []string{"q/1.md", "q/2.md"}) || !slices.Equal(r.Commands, []string{"go test ./..."}) {
		t.Errorf("files %q, commands %q", r.Files, r.Commands)
	}

	// An agent that exits 0 having hit its turn cap reports an error.
	s, _ = parse(t, FormatClaude, "/repo", claudeInit, claudeWrite, claudeTurns)
	if r := s.finish(); r.Error != "error_max_turns" || !r.Ended || r.Session != "1247" {
		t.Errorf("max turns: %+v", r)
	}
}

func TestCodexStream(t *testing.T) {
	s, told := parse(t, FormatCodex, "/repo/src", codexStart, codexWarn, codexTurn, codexCmd, codexCmdDone, codexPatch, codexMsg, codexDone)
	r := s.finish()
	if want := []string{"opaque item_1", "end item_1", "writes src/a.go", "writes src/b.go"}; !slices.Equal(told, want) {
		t.Errorf("activity %q, want %q", told, want)
	}
	if r.Session != "01a2" || r.Final != "STUB-REPLY" || r.Turns != 1 || r.TokensIn != 20 || r.TokensOut != 10 || !r.Ended || r.Error != "" {
		t.Errorf("report %+v: a warning item is not a failure", r)
	}
	if len(r.Commands) != 1 || !strings.Contains(r.Commands[0], "made.txt") {
		t.Errorf("commands %q", r.Commands)
	}
	s, _ = parse(t, FormatCodex, "/repo", codexStart, codexTurn, codexFailed)
	if r := s.finish(); r.Error != "stream disconnected before completion" {
		t.Errorf("turn.failed: %+v", r)
	}
}

func TestGeminiStream(t *testing.T) {
	s, told := parse(t, FormatGemini, "/repo/web", geminiInit, geminiUser, geminiWrite, geminiWrote, geminiShell, geminiShDone, geminiMsg1, geminiMsg2, geminiDone)
	r := s.finish()
	if want := []string{"writes web/g.txt", "opaque sh_1", "end sh_1"}; !slices.Equal(told, want) {
		t.Errorf("activity %q, want %q", told, want)
	}
	if r.Session != "d728" || r.Final != "STUB-REPLY" || r.TokensIn != 30 || r.TokensOut != 15 || !r.Ended || r.Error != "" {
		t.Errorf("report %+v", r)
	}
	s, _ = parse(t, FormatGemini, "/repo", geminiInit, `{"type":"result","status":"error","error":{"type":"FatalTurnLimitedError","message":"max turns"}}`)
	if r := s.finish(); r.Error != "error: max turns" {
		t.Errorf("error result: %+v", r)
	}
}

// What the CLIs also print, and what they never should: a banner, broken
// JSON, an unknown event, a stream cut mid-line. None is fatal; what can
// be read is.
func TestStreamBadInput(t *testing.T) {
	s, told := parse(t, FormatClaude, "/repo", "Warning: no stdin data received", claudeInit, `{"type":"assistant","message":`, `{"type":"new_kind","x":[1,2]}`, claudeWrite, `{"type":"result","subtype":"succ`)
	r := s.finish()
	if r.Skipped != 3 || r.Ended || r.Session != "9f31" || !slices.Equal(told, []string{"writes q/1.md"}) {
		t.Errorf("report %+v, told %q", r, told)
	}
	// A path outside the repository stays as the agent named it.
	s, _ = parse(t, FormatClaude, "/repo", `{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"/etc/passwd"}}]}}`,
		`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"../x"}}]}}`)
	if r := s.finish(); !slices.Equal(r.Files, []string{"/etc/passwd", "/x"}) {
		t.Errorf("outside files %q", r.Files)
	}
}

// A line longer than the cap is read for its head, where the file path
// is; the writer's buffer stays within the cap however long the line.
func TestStreamLongLine(t *testing.T) {
	var told []string
	s := newStream(FormatClaude, "/repo", "/repo", func(a Activity) { told = append(told, a.Path) }, nil)
	w := newAgentOutput(s)
	w.Write([]byte(`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"/repo/big.bin","content":"`))
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range 20 {
		w.Write(chunk)
		if cap(w.buf) > 2*MaxStreamLine {
			t.Fatalf("the line buffer grew to %d bytes", cap(w.buf))
		}
	}
	w.Write([]byte("\"}}]}}\n" + claudeDone + "\n"))
	r := s.finish()
	if !slices.Equal(told, []string{"big.bin"}) || r.Skipped != 1 || !r.Ended {
		t.Errorf("told %q, report %+v", told, r)
	}
}

// Any bytes in any format: no panic, each file once, and a path inside
// the repository never climbs out of it.
func FuzzStream(f *testing.F) {
	for _, l := range []string{claudeInit, claudeWrite, claudeBash, claudeDone, codexCmd, codexPatch, codexDone, geminiWrite, geminiShell, geminiDone, "{\"type\":\"result\"", "\n\n{}"} {
		f.Add(l, uint8(0))
		f.Add(l, uint8(1))
		f.Add(l, uint8(2))
	}
	formats := []string{FormatClaude, FormatCodex, FormatGemini}
	f.Fuzz(func(t *testing.T, data string, which uint8) {
		s := newStream(formats[int(which)%len(formats)], "/repo", "/repo/sub", nil, func(string) {})
		w := newAgentOutput(s)
		w.Write([]byte(data))
		w.close()
		r := s.finish()
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
		s := newStream(FormatClaude, "/repo", "/repo", func(Activity) {}, nil)
		w := newAgentOutput(s)
		for off := 0; off < len(data); off += 32 << 10 {
			w.Write(data[off:min(off+32<<10, len(data))])
		}
		w.close()
		if r := s.finish(); !r.Ended || len(r.Files) != 50 {
			b.Fatalf("%+v", r)
		}
	}
}

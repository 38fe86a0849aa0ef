package agentcli

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// Lines as the real CLI prints them (claude 2.1.197 against the API
// stand-in), cut to the fields hookd reads and a few it does not.
const (
	claudeInit   = `{"type":"system","subtype":"init","cwd":"/repo","session_id":"9f31","tools":["Bash","Edit","Write"],"model":"claude-opus-4-8"}`
	claudeWrite  = `{"type":"assistant","message":{"id":"m1","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Write","input":{"file_path":"/repo/q/1.md","content":"x\n"}}],"usage":{"input_tokens":10,"output_tokens":1}},"session_id":"9f31"}`
	claudeResult = `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"File created successfully"}]},"session_id":"9f31","tool_use_result":{"type":"create","filePath":"/repo/q/1.md"}}`
	claudeBash   = `{"type":"assistant","message":{"content":[{"type":"text","text":"running the tests"},{"type":"tool_use","id":"toolu_2","name":"Bash","input":{"command":"go test ./...","description":"tests"}}]},"session_id":"9f31"}`
	claudeBashOK = `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_2","type":"tool_result","content":"ok"}]}}`
	claudeEdit   = `{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_3","name":"Edit","input":{"file_path":"/repo/q/2.md","old_string":"a","new_string":"b"}},{"type":"tool_use","id":"toolu_4","name":"Read","input":{"file_path":"/repo/README.md"}}]}}`
	claudeText   = `{"type":"assistant","message":{"content":[{"type":"text","text":"all done"}]}}`
	claudeDone   = `{"type":"result","subtype":"success","is_error":false,"duration_ms":361,"num_turns":3,"result":"STUB-REPLY","stop_reason":"end_turn","session_id":"9f31","total_cost_usd":0.00035,"usage":{"input_tokens":20,"cache_creation_input_tokens":5,"cache_read_input_tokens":7,"output_tokens":10,"server_tool_use":{"web_search_requests":0}}}`
	claudeTurns  = `{"type":"result","subtype":"error_max_turns","duration_ms":393,"is_error":true,"num_turns":2,"stop_reason":"tool_use","session_id":"1247","total_cost_usd":0.000175,"usage":{"input_tokens":10,"output_tokens":5}}`
)

func TestClaudeStream(t *testing.T) {
	s, told := parse(t, "claude", "/repo", claudeInit, claudeWrite, claudeResult, claudeBash, claudeBashOK, claudeEdit, `{"type":"stream_event","event":{}}`, claudeDone)
	r := s.Finish(finalCap)
	if want := []string{"writes q/1.md", "opaque toolu_2", "end toolu_2", "writes q/2.md"}; !slices.Equal(told, want) {
		t.Errorf("activity %q, want %q", told, want)
	}
	if r.Format != "claude" || r.Session != "9f31" || r.Final != "STUB-REPLY" || r.Turns != 3 || r.Cost != 0.00035 || r.TokensIn != 32 || r.TokensOut != 10 || !r.Ended || r.Error != "" {
		t.Errorf("report %+v", r)
	}
	if !slices.Equal(r.Files, []string{"q/1.md", "q/2.md"}) || !slices.Equal(r.Commands, []string{"go test ./..."}) {
		t.Errorf("files %q, commands %q", r.Files, r.Commands)
	}

	// An agent that exits 0 having hit its turn cap reports an error.
	s, _ = parse(t, "claude", "/repo", claudeInit, claudeWrite, claudeTurns)
	if r := s.Finish(finalCap); r.Error != "error_max_turns" || !r.Ended || r.Session != "1247" {
		t.Errorf("max turns: %+v", r)
	}

	// Without a result, the last assistant text is the final one.
	s, _ = parse(t, "claude", "/repo", claudeInit, claudeBash, claudeText)
	if r := s.Finish(finalCap); r.Final != "all done" || r.Ended {
		t.Errorf("no result: %+v", r)
	}
}

// The argv of a run: structured output unless the args choose another
// format, the turn bound, the session to resume, the prompt on stdin.
func TestClaudeInvoke(t *testing.T) {
	c := Lookup("claude")
	x, err := c.Invoke(Agent{Name: "c", Args: []string{"--permission-mode", "acceptEdits"}, MaxTurns: 5}, "--help", "s-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"claude", "-p", "--output-format", "stream-json", "--verbose", "--max-turns", "5", "--resume", "s-1", "--permission-mode", "acceptEdits"}
	if !slices.Equal(x.Argv, want) || string(x.Stdin) != "--help" || x.Format != "claude" {
		t.Errorf("argv %q, stdin %q, format %q", x.Argv, x.Stdin, x.Format)
	}
	x, _ = c.Invoke(Agent{Command: []string{"/opt/claude", "ignored"}, Args: []string{"--output-format=text", "--max-turns", "2"}, MaxTurns: 5}, "p", "")
	if want := []string{"/opt/claude", "-p", "--output-format=text", "--max-turns", "2"}; !slices.Equal(x.Argv, want) || x.Format != "" {
		t.Errorf("argv %q, format %q", x.Argv, x.Format)
	}
	x, _ = c.Invoke(Agent{Args: []string{"--output-format", "stream-json", "--verbose"}}, "p", "")
	if x.Format != "claude" {
		t.Errorf("chosen stream-json: format %q", x.Format)
	}
	if w := c.Warnings(Agent{MaxTurns: 3, MaxCostPerDay: 1}); len(w) != 0 {
		t.Errorf("claude honours max_turns and reports its cost: %q", w)
	}
}

// What claude's hooks hand their command (claude 2.1.197), mapped to
// hookd's events; the verdict in its protocol.
func TestClaudeSessions(t *testing.T) {
	s := Lookup("claude").Sessions()
	if s.SettingsFile() != ".claude/settings.local.json" || !slices.Equal(s.Events(), []string{"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd"}) {
		t.Errorf("file %s, events %q", s.SettingsFile(), s.Events())
	}
	c, err := s.Parse("PreToolUse", []byte(`{"session_id":"s1","cwd":"/repo/web","hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"app.ts"}}`), "/repo")
	if err != nil || c.Kind != event.AgentToolBefore || !slices.Equal(c.Files, []string{"web/app.ts"}) || c.Agent.Name != "claude" || c.Agent.Session != "s1" {
		t.Errorf("%+v %v", c, err)
	}
	if _, err := s.Parse("", []byte(`{"hook_event_name":"BeforeTool"}`), "/repo"); err == nil {
		t.Error("gemini's event name is not claude's")
	}
	for kind, name := range map[event.Kind]string{event.AgentPrompt: "UserPromptSubmit", event.AgentToolAfter: "PostToolUse", event.AgentSessionStart: "SessionStart"} {
		out, _, code := s.Answer(kind, Verdict{Context: "ctx"})
		var got struct {
			HookSpecificOutput struct{ HookEventName string }
		}
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.HookSpecificOutput.HookEventName != name {
			t.Errorf("%s: %q %d", kind, out, code)
		}
	}
	if out, _, code := s.Answer(event.AgentStop, Verdict{Context: "ctx"}); out != "" || code != 0 {
		t.Errorf("Stop has no context channel: %q %d", out, code)
	}
}

package agentcli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Lines as the real CLI prints them (codex 0.169.0 against the API
// stand-in).
const (
	codexStart   = `{"type":"thread.started","thread_id":"01a2"}`
	codexWarn    = `{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for gpt-5-codex not found."}}`
	codexTurn    = `{"type":"turn.started"}`
	codexCmd     = `{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo hi > made.txt'","aggregated_output":"","exit_code":null,"status":"in_progress"}}`
	codexCmdDone = `{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo hi > made.txt'","aggregated_output":"","exit_code":0,"status":"completed"}}`
	codexPatch   = `{"type":"item.completed","item":{"id":"item_2","type":"file_change","changes":[{"path":"/repo/src/a.go","kind":"update"},{"path":"b.go","kind":"add"}],"status":"completed"}}`
	codexMsg     = `{"type":"item.completed","item":{"id":"item_3","type":"agent_message","text":"STUB-REPLY"}}`
	codexDone    = `{"type":"turn.completed","usage":{"input_tokens":20,"cached_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":0}}`
	codexFailed  = `{"type":"turn.failed","error":{"message":"stream disconnected before completion"}}`
)

func TestCodexStream(t *testing.T) {
	s, told := parse(t, "codex", "/repo/src", codexStart, codexWarn, codexTurn, codexCmd, codexCmdDone, codexPatch, codexMsg, codexDone)
	r := s.Finish(finalCap)
	if want := []string{"opaque item_1", "end item_1", "writes src/a.go", "writes src/b.go"}; !slices.Equal(told, want) {
		t.Errorf("activity %q, want %q", told, want)
	}
	if r.Session != "01a2" || r.Final != "STUB-REPLY" || r.Turns != 1 || r.TokensIn != 20 || r.TokensOut != 10 || !r.Ended || r.Error != "" {
		t.Errorf("report %+v: a warning item is not a failure", r)
	}
	if len(r.Commands) != 1 || !strings.Contains(r.Commands[0], "made.txt") {
		t.Errorf("commands %q", r.Commands)
	}
	s, _ = parse(t, "codex", "/repo", codexStart, codexTurn, codexFailed)
	if r := s.Finish(finalCap); r.Error != "stream disconnected before completion" {
		t.Errorf("turn.failed: %+v", r)
	}
	// A command seen only once it is over opens nothing.
	s, told = parse(t, "codex", "/repo", codexCmdDone)
	if r := s.Finish(finalCap); len(told) != 0 || len(r.Commands) != 1 {
		t.Errorf("told %q, report %+v", told, r)
	}
}

// codex reads the prompt from stdin only when told "-", after its args and
// the session to resume; its file_change comes after the write.
func TestCodexInvoke(t *testing.T) {
	c := Lookup("codex")
	x, err := c.Invoke(Agent{Args: []string{"--full-auto"}, MaxTurns: 4}, "--dangerously-bypass-approvals-and-sandbox", "t-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"codex", "exec", "--json", "--full-auto", "resume", "t-1", "-"}; !slices.Equal(x.Argv, want) || x.Format != "codex" || string(x.Stdin) != "--dangerously-bypass-approvals-and-sandbox" {
		t.Errorf("argv %q, format %q, stdin %q", x.Argv, x.Format, x.Stdin)
	}
	x, _ = c.Invoke(Agent{Args: []string{"--experimental-json"}}, "p", "")
	if want := []string{"codex", "exec", "--experimental-json", "-"}; !slices.Equal(x.Argv, want) {
		t.Errorf("argv %q", x.Argv)
	}
	if caps := c.Caps(); !caps.Resume || caps.ExactWrites || caps.MaxTurns || caps.Cost {
		t.Errorf("caps %+v", caps)
	}
	want := []string{
		"max_turns is passed to claude only; the codex CLI takes no such flag, so it does not bound this agent",
		"max_cost_per_day counts the cost the CLI reports, and only claude reports one; bound this agent with max_tokens_per_day",
	}
	if w := c.Warnings(Agent{MaxTurns: 4, MaxCostPerDay: 2}); !slices.Equal(w, want) {
		t.Errorf("warnings %q", w)
	}
}

// codex's hooks are claude's events in .codex/hooks.json, with a matcher
// on the tool events.
func TestCodexSessions(t *testing.T) {
	s := Lookup("codex").Sessions()
	if s.SettingsFile() != filepath.Join(".codex", "hooks.json") || !slices.Equal(s.Events(), Lookup("claude").Sessions().Events()) {
		t.Errorf("file %s, events %q", s.SettingsFile(), s.Events())
	}
	c, err := s.Parse("PostToolUse", []byte(`{"hook_event_name":"PostToolUse","tool_name":"apply_patch","tool_input":{"path":"/repo/a.go"}}`), "/repo")
	if err != nil || c.Agent.Name != "codex" || !slices.Equal(c.Files, []string{"a.go"}) {
		t.Errorf("%+v %v", c, err)
	}
	root := t.TempDir()
	if _, _, err := s.Install(root, "hookd", filepath.Join(t.TempDir(), "keep")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(root, ".codex", "hooks.json"))
	if strings.Count(string(data), `"matcher": "*"`) != 2 || !strings.Contains(string(data), "hookd agent-hook codex PreToolUse") {
		t.Errorf("installed:\n%s", data)
	}
}

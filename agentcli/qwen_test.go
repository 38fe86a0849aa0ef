package agentcli

import (
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// Qwen Code's hooks, as its documentation gives them: Claude Code's events
// and JSON in .qwen/settings.json, timeouts in milliseconds.
func TestQwenSessions(t *testing.T) {
	s := LookupBridge("qwen").Sessions()
	if s.SettingsFile() != ".qwen/settings.json" || s.ProjectDirEnv() != "QWEN_PROJECT_DIR" {
		t.Errorf("file %s, env %s", s.SettingsFile(), s.ProjectDirEnv())
	}
	c, err := s.Parse("PreToolUse", []byte(`{"session_id":"q1","transcript_path":"/t","cwd":"/repo","hook_event_name":"PreToolUse","timestamp":"2026-12-01T00:00:00Z","permission_mode":"default","tool_name":"write_file","tool_input":{"file_path":"/repo/specs/a.md","content":"x"},"tool_use_id":"toolu_1"}`), "/repo")
	if err != nil || c.Kind != event.AgentToolBefore || !slices.Equal(c.Files, []string{"specs/a.md"}) || !c.Agent.Writes || c.Agent.Session != "q1" {
		t.Errorf("%+v %v", c, err)
	}
	if c, _ := s.Parse("Stop", []byte(`{"hook_event_name":"Stop","stop_hook_active":true,"last_assistant_message":"done"}`), "/repo"); c.Kind != event.AgentStop || !c.Agent.Continued {
		t.Errorf("stop: %+v", c)
	}
	if out, _, exit := s.Answer(event.AgentToolBefore, Verdict{Ask: true, Reason: "sure?"}); exit != 0 || !strings.Contains(out, `"permissionDecision":"ask"`) {
		t.Errorf("ask: %q %d", out, exit)
	}
	if _, stderr, exit := s.Answer(event.AgentStop, Verdict{Deny: true, Reason: "not done"}); exit != 2 || stderr != "not done\n" {
		t.Errorf("continue: %q %d", stderr, exit)
	}
	f := roundTrip(t, s, "/opt/bin/hookd", `{"model":{"name":"qwen3-coder"},"hooks":{"PreToolUse":[{"matcher":"^run_shell_command$","hooks":[{"type":"command","command":"./check.sh"}]}]}}`+"\n")
	hooks := f["hooks"].(map[string]any)["PreToolUse"].([]any)
	group := hooks[0].(map[string]any)
	entry := group["hooks"].([]any)[0].(map[string]any)
	if group["matcher"] != nil || entry["timeout"] != 660_000.0 || entry["command"] != "/opt/bin/hookd agent-hook qwen PreToolUse" {
		t.Errorf("PreToolUse group %v", group)
	}
}

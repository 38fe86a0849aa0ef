package agentcli

import (
	"slices"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// kiro-cli's hooks, as its documentation gives them (kiro.dev/docs/cli/hooks):
// camelCase events, tool_name and tool_input, exit 2 blocking a
// preToolUse call only, stdout as context on agentSpawn and
// userPromptSubmit.
func TestKiroSessions(t *testing.T) {
	s := Lookup("kiro").Sessions()
	if s.SettingsFile() != ".kiro/agents/hookd.json" || !slices.Equal(s.Events(), []string{"agentSpawn", "userPromptSubmit", "preToolUse", "postToolUse", "stop"}) {
		t.Errorf("file %s, events %q", s.SettingsFile(), s.Events())
	}
	// fs_write's command is the kind of write, not a shell command.
	c, err := s.Parse("preToolUse", []byte(`{"hook_event_name":"preToolUse","cwd":"/repo","tool_name":"fs_write","tool_input":{"command":"create","path":"/repo/specs/a.md","file_text":"x"}}`), "/repo")
	if err != nil || c.Kind != event.AgentToolBefore || !slices.Equal(c.Files, []string{"specs/a.md"}) || !c.Agent.Writes || c.Agent.Command != "" {
		t.Errorf("fs_write: %+v %v", c, err)
	}
	c, _ = s.Parse("preToolUse", []byte(`{"hook_event_name":"preToolUse","cwd":"/repo","tool_name":"execute_bash","tool_input":{"command":"rm -rf build"}}`), "/repo")
	if c.Agent.Command != "rm -rf build" || c.Agent.Writes {
		t.Errorf("execute_bash: %+v", c.Agent)
	}
	if c, _ := s.Parse("userPromptSubmit", []byte(`{"hook_event_name":"userPromptSubmit","cwd":"/repo","prompt":"fix it"}`), "/repo"); c.Kind != event.AgentPrompt || c.Agent.Prompt != "fix it" {
		t.Errorf("prompt: %+v", c)
	}
	for _, a := range []struct {
		kind           event.Kind
		v              Verdict
		stdout, stderr string
		exit           int
	}{
		{event.AgentToolBefore, Verdict{Deny: true, Reason: "no"}, "", "no\n", 2},
		{event.AgentPrompt, Verdict{Context: "ctx"}, "ctx\n", "", 0},
		{event.AgentSessionStart, Verdict{Context: "ctx"}, "ctx\n", "", 0},
		// No refusal of a prompt, no continue at a stop: the user is
		// told (exit 1 shows stderr), nothing is enforced.
		{event.AgentPrompt, Verdict{Deny: true, Reason: "no"}, "", "no\nhookd: a blocking hook refused this, and kiro takes no refusal from a hook on agent.prompt: it goes on (said to you, not enforced)\n", 1},
		{event.AgentStop, Verdict{Deny: true, Reason: "run the tests"}, "", "run the tests\nhookd: a blocking hook refused this, and kiro takes no refusal from a hook on agent.stop: it goes on (said to you, not enforced)\n", 1},
		{event.AgentToolBefore, Verdict{Ask: true, Reason: "sure?"}, "", "sure?\nhookd: a hook asks the user about this call, and kiro takes no ask from a hook on agent.tool.before: refused (an ask becomes a deny)\n", 2},
	} {
		stdout, stderr, exit := s.Answer(a.kind, a.v)
		if stdout != a.stdout || stderr != a.stderr || exit != a.exit {
			t.Errorf("%s %+v: %q %q %d, want %q %q %d", a.kind, a.v, stdout, stderr, exit, a.stdout, a.stderr, a.exit)
		}
	}
	f := roundTrip(t, s, "/opt/bin/hookd", `{"name":"mine","tools":["*"],"hooks":{"stop":[{"command":"npm test"}]}}`+"\n")
	if f["name"] != "hookd" || !slices.Equal(f["tools"].([]any), []any{"*"}) {
		t.Errorf("the custom agent: %v", f)
	}
	pre := entries(f, "preToolUse")
	if len(pre) != 1 || pre[0]["command"] != "/opt/bin/hookd agent-hook kiro preToolUse" || pre[0]["matcher"] != "*" || pre[0]["timeout_ms"] != 660_000.0 {
		t.Errorf("preToolUse entry %v", pre)
	}
	if stop := entries(f, "stop"); len(stop) != 1 || stop[0]["matcher"] != nil {
		t.Errorf("stop takes no matcher: %v", stop)
	}
}

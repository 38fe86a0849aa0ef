package agentcli

import (
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// Cursor's hooks, as its documentation's adapters give them:
// conversation_id and workspace_roots, a permission on preToolUse,
// continue on beforeSubmitPrompt, followup_message at stop, exit 2
// denying, failClosed on every entry.
func TestCursorSessions(t *testing.T) {
	s := LookupBridge("cursor").Sessions()
	if s.SettingsFile() != ".cursor/hooks.json" {
		t.Errorf("file %s", s.SettingsFile())
	}
	c, err := s.Parse("preToolUse", []byte(`{"hook_event_name":"preToolUse","conversation_id":"k1","generation_id":"g1","workspace_roots":["/repo"],"tool_name":"Write","tool_input":{"file_path":"/repo/specs/a.md","contents":"x"}}`), "/repo")
	if err != nil || c.Kind != event.AgentToolBefore || !slices.Equal(c.Files, []string{"specs/a.md"}) || c.Agent.Session != "k1" || c.Agent.Cwd != "/repo" || !c.Agent.Writes {
		t.Errorf("%+v %v", c, err)
	}
	if c, _ := s.Parse("beforeSubmitPrompt", []byte(`{"hook_event_name":"beforeSubmitPrompt","conversation_id":"k1","workspace_roots":["/repo"],"prompt":"p"}`), "/repo"); c.Kind != event.AgentPrompt || c.Agent.Prompt != "p" {
		t.Errorf("prompt: %+v", c)
	}
	for _, a := range []struct {
		kind   event.Kind
		v      Verdict
		stdout string
		exit   int
	}{
		{event.AgentToolBefore, Verdict{Deny: true, Reason: "no"}, `{"agent_message":"no","permission":"deny","user_message":"no"}`, 2},
		{event.AgentToolBefore, Verdict{Allow: true}, `{"permission":"allow"}`, 0},
		{event.AgentToolBefore, Verdict{Ask: true, Reason: "sure?"}, `{"agent_message":"sure?","permission":"ask","user_message":"sure?"}`, 0},
		{event.AgentToolBefore, Verdict{Input: map[string]any{"command": "ls"}}, `{"updated_input":{"command":"ls"}}`, 0},
		{event.AgentPrompt, Verdict{Deny: true, Reason: "no"}, `{"continue":false,"user_message":"no"}`, 2},
		{event.AgentToolAfter, Verdict{Context: "ctx"}, `{"additional_context":"ctx"}`, 0},
		// A refusal after a tool is context for the agent, which is what
		// Cursor takes there.
		{event.AgentToolAfter, Verdict{Deny: true, Reason: "vet failed"}, `{"additional_context":"vet failed"}`, 0},
		{event.AgentStop, Verdict{Deny: true, Reason: "run the tests"}, `{"followup_message":"run the tests"}`, 0},
		{event.AgentPrompt, Verdict{Context: "dropped: no channel"}, "", 0},
	} {
		stdout, _, exit := s.Answer(a.kind, a.v)
		if strings.TrimSpace(stdout) != a.stdout || exit != a.exit {
			t.Errorf("%s %+v: %q %d, want %q %d", a.kind, a.v, stdout, exit, a.stdout, a.exit)
		}
	}
	f := roundTrip(t, s, "/opt/bin/hookd", `{"version":1,"hooks":{"afterFileEdit":[{"command":"./fmt.sh"}]}}`+"\n")
	pre := entries(f, "preToolUse")
	if f["version"] != 1.0 || len(pre) != 1 || pre[0]["command"] != "/opt/bin/hookd agent-hook cursor preToolUse" || pre[0]["failClosed"] != true {
		t.Errorf("file %v", f)
	}
}

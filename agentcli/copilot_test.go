package agentcli

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// Copilot CLI's hooks, as its hooks reference gives them: camelCase input
// (toolArgs an object or its JSON as a string), answers as JSON on stdout
// with exit 0 (a failing hook is skipped, never a refusal).
func TestCopilotSessions(t *testing.T) {
	s := LookupBridge("copilot").Sessions()
	if s.SettingsFile() != ".github/hooks/hookd.json" {
		t.Errorf("file %s", s.SettingsFile())
	}
	for _, in := range []string{
		`{"sessionId":"c1","timestamp":1704614600000,"cwd":"/repo/web","toolName":"edit","toolArgs":{"path":"app.ts","old_str":"a","new_str":"b"}}`,
		`{"sessionId":"c1","timestamp":1704614600000,"cwd":"/repo/web","toolName":"edit","toolArgs":"{\"path\":\"app.ts\",\"old_str\":\"a\"}"}`,
	} {
		c, err := s.Parse("preToolUse", []byte(in), "/repo")
		if err != nil || c.Kind != event.AgentToolBefore || !slices.Equal(c.Files, []string{"web/app.ts"}) || c.Agent.Session != "c1" || c.Agent.Tool != "edit" || !c.Agent.Writes {
			t.Errorf("%s: %+v %v", in, c, err)
		}
	}
	c, _ := s.Parse("preToolUse", []byte(`{"sessionId":"c1","cwd":"/repo","toolName":"bash","toolArgs":"{\"command\":\"rm -rf build\"}"}`), "/repo")
	if c.Agent.Command != "rm -rf build" {
		t.Errorf("bash: %+v", c.Agent)
	}
	// toolArgs that are no object cannot be placed: an error, which the
	// caller refuses where a guard may be concerned.
	if c, err := s.Parse("preToolUse", []byte(`{"toolName":"edit","toolArgs":"not json"}`), "/repo"); err == nil || c.Kind != event.AgentToolBefore {
		t.Errorf("unreadable toolArgs: %+v %v", c, err)
	}
	in := map[string]any{"command": "ls"}
	for _, a := range []struct {
		kind   event.Kind
		v      Verdict
		stdout string
		exit   int
	}{
		{event.AgentToolBefore, Verdict{Deny: true, Reason: "no"}, `{"permissionDecision":"deny","permissionDecisionReason":"no"}`, 0},
		{event.AgentToolBefore, Verdict{Allow: true}, `{"permissionDecision":"allow"}`, 0},
		{event.AgentToolBefore, Verdict{Ask: true, Reason: "sure?"}, `{"permissionDecision":"ask","permissionDecisionReason":"sure?"}`, 0},
		{event.AgentToolBefore, Verdict{Input: in}, `{"modifiedArgs":{"command":"ls"}}`, 0},
		{event.AgentStop, Verdict{Deny: true, Reason: "run the tests"}, `{"decision":"block","reason":"run the tests"}`, 0},
		{event.AgentToolBefore, Verdict{}, "", 0},
	} {
		stdout, _, exit := s.Answer(a.kind, a.v)
		if strings.TrimSpace(stdout) != a.stdout || exit != a.exit {
			t.Errorf("%s %+v: %q %d, want %q %d", a.kind, a.v, stdout, exit, a.stdout, a.exit)
		}
	}
	// A refusal of a prompt is said, not enforced: it has no answer there.
	if stdout, stderr, exit := s.Answer(event.AgentPrompt, Verdict{Deny: true, Reason: "no"}); stdout != "" || exit != 0 || !strings.Contains(stderr, "not enforced") {
		t.Errorf("prompt: %q %q %d", stdout, stderr, exit)
	}
	f := roundTrip(t, s, "/opt/bin/hookd", `{"version":1,"hooks":{"preToolUse":[{"type":"command","bash":"./audit.sh"}]}}`+"\n")
	pre := entries(f, "preToolUse")
	if f["version"] != 1.0 || len(pre) != 1 || pre[0]["timeoutSec"] != 660.0 || pre[0]["type"] != "command" ||
		pre[0]["bash"] != "/opt/bin/hookd agent-hook copilot preToolUse || printf '%s\\n' '"+copilotRefused+"'" {
		t.Errorf("file %v", f)
	}
	if stop := entries(f, "agentStop"); len(stop) != 1 || stop[0]["bash"] != "/opt/bin/hookd agent-hook copilot agentStop" {
		t.Errorf("agentStop %v", stop)
	}
}

// Copilot CLI takes a hook that fails for a yes: the preToolUse entry, as
// its shell runs it, refuses when hookd is not there to answer.
func TestCopilotEntryRefusesWithoutHookd(t *testing.T) {
	s := LookupBridge("copilot").Sessions().(jsonHooks)
	cmd := s.entry(filepath.Join(t.TempDir(), "no-hookd")+s.marker()+"preToolUse", "preToolUse")["bash"].(string)
	out, err := exec.Command("bash", "-c", cmd).Output()
	if err != nil || strings.TrimSpace(string(out)) != copilotRefused {
		t.Errorf("%q: %q %v", cmd, out, err)
	}
}

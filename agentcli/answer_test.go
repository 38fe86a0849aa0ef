package agentcli

import (
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// Each CLI's answer to allow, ask, a rewritten input and a stop that must
// go on, in its own protocol, degraded where it has no such answer: an
// ask or an input it cannot take is a deny, an allow it cannot take
// leaves its permissions to decide and says so.
func TestAnswers(t *testing.T) {
	in := map[string]any{"command": "ls -la"}
	for _, c := range []struct {
		agent  string
		kind   event.Kind
		v      Verdict
		stdout string
		stderr string
		exit   int
	}{
		// Claude Code 2.1.197: permissionDecision and updatedInput.
		{"claude", event.AgentToolBefore, Verdict{Allow: true, Reason: "reviewed"}, `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow","permissionDecisionReason":"reviewed"}}` + "\n", "", 0},
		{"claude", event.AgentToolBefore, Verdict{Ask: true, Reason: "sure?"}, `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"ask","permissionDecisionReason":"sure?"}}` + "\n", "", 0},
		{"claude", event.AgentToolBefore, Verdict{Input: in}, `{"hookSpecificOutput":{"hookEventName":"PreToolUse","updatedInput":{"command":"ls -la"}}}` + "\n", "", 0},
		{"claude", event.AgentToolBefore, Verdict{}, "", "", 0},
		{"claude", event.AgentToolBefore, Verdict{Context: "dropped: no channel here"}, "", "", 0},
		{"claude", event.AgentStop, Verdict{Deny: true, Reason: "run the tests first"}, "", "run the tests first\n", 2},
		{"claude", event.AgentPrompt, Verdict{Ask: true, Reason: "sure?"}, "", "sure?\nhookd: a hook asks the user about this call, and claude takes no ask from a hook on agent.prompt: refused (an ask becomes a deny)\n", 2},
		{"claude", event.AgentPrompt, Verdict{Input: in}, "", "hookd: a hook rewrote this call's input, and claude takes no rewritten input from a hook on agent.prompt: refused rather than run unchanged\n", 2},
		{"claude", event.AgentPrompt, Verdict{Allow: true, Context: "ctx"}, `{"hookSpecificOutput":{"additionalContext":"ctx","hookEventName":"UserPromptSubmit"}}` + "\n",
			"hookd: a hook allowed this call; claude takes no allow from a hook on agent.prompt, so its own permissions decide\n", 0},
		// Codex 0.169.0: no ask (its hooks' ask ran the call); a rewrite
		// only with allow.
		{"codex", event.AgentToolBefore, Verdict{Ask: true, Reason: "sure?"}, "", "sure?\nhookd: a hook asks the user about this call, and codex takes no ask from a hook on agent.tool.before: refused (an ask becomes a deny)\n", 2},
		{"codex", event.AgentToolBefore, Verdict{Input: in}, `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow","updatedInput":{"command":"ls -la"}}}` + "\n", "", 0},
		{"codex", event.AgentToolBefore, Verdict{Allow: true}, "", "hookd: a hook allowed this call; codex takes no allow from a hook on agent.tool.before, so its own permissions decide\n", 0},
		// Gemini CLI 0.61.0: decision ask and tool_input; no allow.
		{"gemini", event.AgentToolBefore, Verdict{Ask: true, Reason: "sure?"}, `{"decision":"ask","hookSpecificOutput":{"hookEventName":"BeforeTool"},"reason":"sure?","systemMessage":"sure?"}` + "\n", "", 0},
		{"gemini", event.AgentToolBefore, Verdict{Input: in}, `{"hookSpecificOutput":{"hookEventName":"BeforeTool","tool_input":{"command":"ls -la"}}}` + "\n", "", 0},
		{"gemini", event.AgentToolBefore, Verdict{Allow: true}, "", "hookd: a hook allowed this call; gemini takes no allow from a hook on agent.tool.before, so its own permissions decide\n", 0},
		{"gemini", event.AgentStop, Verdict{Deny: true, Reason: "not done"}, "", "not done\n", 2},
	} {
		stdout, stderr, exit := Lookup(c.agent).Sessions().Answer(c.kind, c.v)
		if stdout != c.stdout || stderr != c.stderr || exit != c.exit {
			t.Errorf("%s %s %+v:\n got %q %q %d\nwant %q %q %d", c.agent, c.kind, c.v, stdout, stderr, exit, c.stdout, c.stderr, c.exit)
		}
	}
}

// The matrix: every bridged CLI denies a tool call; the ones that keep an
// agent going at its stop are named, and so are those that take no
// refusal of a prompt.
func TestCan(t *testing.T) {
	for _, c := range Bridged() {
		s := c.Sessions()
		if !s.Can(event.AgentToolBefore).Deny {
			t.Errorf("%s cannot deny a tool call", c.Name())
		}
		if got, want := s.Can(event.AgentStop).Continue, c.Name() != "kiro"; got != want {
			t.Errorf("%s: continue at stop %v, want %v", c.Name(), got, want)
		}
		if got, want := s.Can(event.AgentPrompt).Deny, c.Name() != "kiro" && c.Name() != "copilot"; got != want {
			t.Errorf("%s: deny a prompt %v, want %v", c.Name(), got, want)
		}
	}
	if a := Lookup("codex").Sessions().Can(event.AgentToolBefore); a.Ask || a.Allow || !a.Input {
		t.Errorf("codex: %+v", a)
	}
}

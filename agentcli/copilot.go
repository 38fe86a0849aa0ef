package agentcli

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// copilot is GitHub Copilot CLI (`copilot`), whose sessions hookd joins;
// it does not run it.
//
// Its hooks, from its hooks reference (docs.github.com, "GitHub Copilot
// CLI hooks reference") and verified with copilot 1.0.102 against a
// stand-in of the chat completions API (agent_copilot.txtar: deny, allow,
// a rewritten input, continue at agentStop, hookd gone), are loaded from
// the repository's .github/hooks/*.json, in a trusted folder only:
// {"version": 1, "hooks": {EVENT: [{"type": "command", "bash": …,
// "timeoutSec": …}]}}, flat, with no matcher. hookd installs into a file
// of its own there, .github/hooks/hookd.json, so a repository's own hook
// files are never rewritten. Under camelCase event names (sessionStart,
// userPromptSubmitted, preToolUse, postToolUse, agentStop, sessionEnd)
// the input is camelCase: sessionId, cwd, prompt, toolName, and toolArgs
// (an object in 1.0.102; its JSON as a string in older documentation).
//
// Its answers are JSON on stdout, never the exit: a hook that fails (any
// non-zero exit, a timeout) is logged and skipped, and the call goes on.
// preToolUse takes permissionDecision allow, deny or ask with
// permissionDecisionReason, and modifiedArgs; agentStop takes decision
// "block" with the reason as the next turn's prompt. A prompt, a tool's
// result and a session's start take no answer from a command hook.
type copilot struct{}

func (copilot) Name() string    { return "copilot" }
func (copilot) Program() string { return "copilot" }

// copilotRefused is what the preToolUse entry prints when hookd itself
// fails to answer (not found, killed, crashed): Copilot CLI takes a
// failing hook for a yes, so the entry's own shell refuses instead.
const copilotRefused = `{"permissionDecision":"deny","permissionDecisionReason":"hookd did not answer this call (not found, or it failed): refused"}`

func (c copilot) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), file: filepath.Join(".github", "hooks", "hookd.json"),
		events: map[string]event.Kind{
			"sessionStart":        event.AgentSessionStart,
			"userPromptSubmitted": event.AgentPrompt,
			"preToolUse":          event.AgentToolBefore,
			"postToolUse":         event.AgentToolAfter,
			"agentStop":           event.AgentStop,
			"sessionEnd":          event.AgentSessionEnd,
		},
		order:  []string{"sessionStart", "userPromptSubmitted", "preToolUse", "postToolUse", "agentStop", "sessionEnd"},
		cmdKey: "bash",
		entry: func(cmd, hookEvent string) map[string]any {
			return map[string]any{"type": "command", "bash": cmd + copilotSuffix(hookEvent), "timeoutSec": 660}
		},
		suffix:   copilotSuffix,
		skeleton: map[string]any{"version": 1},
		can: map[event.Kind]Answers{
			event.AgentToolBefore: {Deny: true, Allow: true, Ask: true, Input: true},
			event.AgentStop:       {Continue: true},
		},
		answer: copilotAnswer,
		reach: "Copilot CLI runs a repository's hooks only in a folder you trusted (or with --trust-folder), and takes a hook that fails or times out for a yes: " +
			"hookd's preToolUse entry refuses in its own shell when hookd does not answer",
	}
}

// copilotSuffix is what the preToolUse entry runs when hookd fails.
func copilotSuffix(hookEvent string) string {
	if hookEvent != "preToolUse" {
		return ""
	}
	return " || printf '%s\\n' '" + copilotRefused + "'"
}

func copilotAnswer(hookEvent string, kind event.Kind, v Verdict) (stdout, stderr string, exit int) {
	out := map[string]any{}
	reason := strings.TrimSpace(v.Reason)
	switch {
	case kind == event.AgentStop && v.Deny:
		out["decision"], out["reason"] = "block", reason
	case v.Deny:
		out["permissionDecision"], out["permissionDecisionReason"] = "deny", reason
	case v.Ask:
		out["permissionDecision"], out["permissionDecisionReason"] = "ask", reason
	case v.Allow:
		out["permissionDecision"] = "allow"
		if reason != "" {
			out["permissionDecisionReason"] = reason
		}
	}
	if v.Input != nil {
		out["modifiedArgs"] = v.Input
	}
	if len(out) == 0 {
		return "", "", 0
	}
	data, _ := json.Marshal(out)
	return string(data) + "\n", "", 0
}

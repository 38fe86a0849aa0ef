package agentcli

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// cursor is Cursor's agent (the editor's, and cursor-agent in a
// terminal), whose sessions hookd joins; it does not run it.
//
// Its hooks, from its documentation as the adapters built on it give it
// (no Cursor was run: it is not in the npm registry): .cursor/hooks.json,
// {"version": 1, "hooks": {EVENT: [{"command": …, "failClosed": …}]}},
// flat. The input is JSON on stdin with hook_event_name,
// conversation_id, workspace_roots, and per event prompt, tool_name and
// tool_input. preToolUse answers {"permission": "allow"|"deny"|"ask",
// "user_message", "agent_message", "updated_input"}; beforeSubmitPrompt
// {"continue": false, "user_message"}; postToolUse and sessionStart
// {"additional_context"}; stop {"followup_message"}, a prompt it submits
// next. Exit 2 denies. failClosed: true makes a hook that fails or times
// out a deny, which hookd sets on every entry.
type cursor struct{}

func (cursor) Name() string    { return "cursor" }
func (cursor) Program() string { return "cursor-agent" }

func (c cursor) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), file: filepath.Join(".cursor", "hooks.json"),
		events: map[string]event.Kind{
			"sessionStart":       event.AgentSessionStart,
			"beforeSubmitPrompt": event.AgentPrompt,
			"preToolUse":         event.AgentToolBefore,
			"postToolUse":        event.AgentToolAfter,
			"stop":               event.AgentStop,
			"sessionEnd":         event.AgentSessionEnd,
		},
		order: []string{"sessionStart", "beforeSubmitPrompt", "preToolUse", "postToolUse", "stop", "sessionEnd"},
		// No timeout: the sources read do not agree on its unit (seconds
		// or milliseconds); with failClosed, a verdict past Cursor's own
		// limit is a deny, never a yes.
		entry: func(cmd, _ string) map[string]any {
			return map[string]any{"command": cmd, "failClosed": true}
		},
		skeleton: map[string]any{"version": 1},
		can: map[event.Kind]Answers{
			event.AgentToolBefore:   {Deny: true, Allow: true, Ask: true, Input: true},
			event.AgentPrompt:       {Deny: true},
			event.AgentToolAfter:    {Context: true},
			event.AgentSessionStart: {Context: true},
			event.AgentStop:         {Continue: true},
		},
		answer: cursorAnswer,
		// ~/.cursor/hooks.json, its user hooks (its docs).
		userFile: filepath.Join(".cursor", "hooks.json"),
	}
}

func cursorAnswer(hookEvent string, kind event.Kind, v Verdict) (stdout, stderr string, exit int) {
	out := map[string]any{}
	reason := strings.TrimSpace(v.Reason)
	switch {
	case kind == event.AgentStop && v.Deny:
		out["followup_message"] = reason // the agent goes on with it
	case kind == event.AgentPrompt && v.Deny:
		out["continue"], out["user_message"], exit = false, reason, 2
	case v.Deny:
		out["permission"], out["user_message"], out["agent_message"], exit = "deny", reason, reason, 2
	case v.Ask:
		out["permission"], out["user_message"], out["agent_message"] = "ask", reason, reason
	case v.Allow:
		out["permission"] = "allow"
	}
	if v.Input != nil {
		out["updated_input"] = v.Input
	}
	if ctx := strings.TrimSpace(v.Context); ctx != "" {
		out["additional_context"] = ctx
	}
	if len(out) == 0 {
		return "", "", 0
	}
	if exit != 0 {
		stderr = reason + "\n"
	}
	data, _ := json.Marshal(out)
	return string(data) + "\n", stderr, exit
}

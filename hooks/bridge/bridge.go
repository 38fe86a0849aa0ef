// Package bridge connects an agent's own session hooks to hookd: it reads
// what an agent CLI's hook hands its command (JSON on stdin), maps it to
// hookd's agent.* events, and answers in that CLI's protocol (exit codes,
// stderr, JSON on stdout). It also installs hookd into the agent's
// project settings, merging with what is there, and removes exactly that.
//
// Claude Code is bridged (its hooks: SessionStart, UserPromptSubmit,
// PreToolUse, PostToolUse, Stop, SessionEnd, verified with claude 2.1.197
// in -p mode), and Gemini CLI (SessionStart, BeforeAgent, BeforeTool,
// AfterTool, AfterAgent, SessionEnd in .gemini/settings.json, verified
// with gemini-cli 0.61.0: the same JSON on stdin; exit 2 denies with
// stderr as the reason; hookSpecificOutput.additionalContext is context),
// and Codex (Claude Code's event names and protocol in .codex/hooks.json,
// verified with codex 0.169.0, which runs a project's hooks once the
// project and the hooks are trusted).
package bridge

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// Agents lists the agents hookd can be installed into.
func Agents() []string { return []string{"claude", "codex", "gemini"} }

// claudeEvents maps Claude Code's hook events to hookd's.
var claudeEvents = map[string]event.Kind{
	"SessionStart":     event.AgentSessionStart,
	"UserPromptSubmit": event.AgentPrompt,
	"PreToolUse":       event.AgentToolBefore,
	"PostToolUse":      event.AgentToolAfter,
	"Stop":             event.AgentStop,
	"SessionEnd":       event.AgentSessionEnd,
}

// claudeOrder is the order install writes them in.
var claudeOrder = []string{"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd"}

// geminiEvents maps Gemini CLI's hook events to hookd's.
var geminiEvents = map[string]event.Kind{
	"SessionStart": event.AgentSessionStart,
	"BeforeAgent":  event.AgentPrompt,
	"BeforeTool":   event.AgentToolBefore,
	"AfterTool":    event.AgentToolAfter,
	"AfterAgent":   event.AgentStop,
	"SessionEnd":   event.AgentSessionEnd,
}

var geminiOrder = []string{"SessionStart", "BeforeAgent", "BeforeTool", "AfterTool", "AfterAgent", "SessionEnd"}

// eventsOf is an agent's map of hook events, and their order.
func eventsOf(agent string) (map[string]event.Kind, []string) {
	switch agent {
	case "claude", "codex":
		return claudeEvents, claudeOrder
	case "gemini":
		return geminiEvents, geminiOrder
	}
	return nil, nil
}

// Call is one hook call of an agent's session, as hookd sees it.
type Call struct {
	Kind  event.Kind
	Files []string // repository-relative files the tool touches
	Agent event.AgentCall
}

// Parse reads what agent's hook for hookEvent gave on stdin. root is the
// repository: paths the tool names are made relative to it, and paths
// outside it are left out of Files.
func Parse(agent, hookEvent string, stdin []byte, root string) (Call, error) {
	events, order := eventsOf(agent)
	if events == nil {
		return Call{}, fmt.Errorf("agent %q is not bridged (one of %s)", agent, strings.Join(Agents(), ", "))
	}
	var in struct {
		SessionID string         `json:"session_id"`
		Cwd       string         `json:"cwd"`
		Event     string         `json:"hook_event_name"`
		Prompt    string         `json:"prompt"`
		ToolName  string         `json:"tool_name"`
		ToolInput map[string]any `json:"tool_input"`
	}
	if len(stdin) > 0 {
		if err := json.Unmarshal(stdin, &in); err != nil {
			return Call{}, fmt.Errorf("the %s hook's input is not JSON: %v", agent, err)
		}
	}
	name := cmp.Or(in.Event, hookEvent)
	kind, ok := events[name]
	if !ok {
		return Call{}, fmt.Errorf("%s hook event %q is not bridged (one of %s)", agent, name, strings.Join(order, ", "))
	}
	c := Call{Kind: kind, Agent: event.AgentCall{Name: agent, Session: in.SessionID, Prompt: in.Prompt, Tool: in.ToolName, Input: in.ToolInput, Cwd: in.Cwd}}
	cwd := cmp.Or(in.Cwd, root)
	for _, key := range []string{"file_path", "notebook_path", "absolute_path", "path"} {
		p, _ := in.ToolInput[key].(string)
		if p == "" {
			continue
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		if rel, err := filepath.Rel(root, p); err == nil && filepath.IsLocal(rel) {
			c.Files = append(c.Files, filepath.ToSlash(rel))
		}
	}
	c.Agent.Command, _ = in.ToolInput["command"].(string)
	return c, nil
}

// Verdict is what hookd's blocking hooks answered.
type Verdict struct {
	Deny    bool
	Reason  string // why it denies: the failing hooks' output
	Context string // the hooks' output, for the agent
}

// Answer is what agent's hook command prints and exits with to give the
// verdict, in the CLI's protocol.
func Answer(agent string, kind event.Kind, v Verdict) (stdout, stderr string, exit int) {
	// Claude Code and Gemini CLI alike: exit 2 blocks (a tool call, a
	// prompt, stopping) and stderr is the reason; on exit 0, JSON on
	// stdout can add context (hookEventName is Claude's; Gemini reads
	// additionalContext alone).
	if v.Deny {
		return "", strings.TrimSpace(v.Reason) + "\n", 2
	}
	ctx := strings.TrimSpace(v.Context)
	if ctx == "" {
		return "", "", 0
	}
	name := ""
	_, order := eventsOf(agent)
	if order == nil {
		return "", "", 0
	}
	switch kind {
	case event.AgentPrompt:
		name = order[1]
	case event.AgentToolAfter:
		name = order[3]
	case event.AgentSessionStart:
		name = order[0]
	default:
		return "", "", 0 // no context channel for this event
	}
	out, _ := json.Marshal(map[string]any{"hookSpecificOutput": map[string]any{"hookEventName": name, "additionalContext": ctx}})
	return string(out) + "\n", "", 0
}

// Events lists the hook events install writes for agent, in order.
func Events(agent string) []string {
	_, order := eventsOf(agent)
	return slices.Clone(order)
}

package agentcli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// kiro is kiro-cli, the agent Kiro users have.
//
// A run is `kiro-cli chat --no-interactive -- PROMPT`: the prompt is the
// one argument after "--" (kiro-cli takes it no other way), so it is
// bounded by MaxArgPrompt. Its output is read as text.
//
// Its session hooks, from its documentation (kiro.dev/docs/cli/hooks and
// the agent configuration reference; no kiro-cli was run: it is not in
// the npm registry), are a custom agent's: `hooks` in
// .kiro/agents/NAME.json, keyed agentSpawn, userPromptSubmit, preToolUse,
// postToolUse and stop, each a flat list of {command, matcher,
// timeout_ms}. They hand the call as JSON on stdin (hook_event_name, cwd,
// prompt, tool_name, tool_input); exit 2 blocks a preToolUse call with
// stderr as the reason the model reads; stdout on exit 0 is context on
// agentSpawn and userPromptSubmit; any other exit only shows stderr to the
// user, and nothing else blocks. hookd installs them as the custom agent
// "hookd" (a file of its own, so a user's agents are never rewritten):
// sessions of that agent are bridged. Its v3 standalone hooks
// (.kiro/hooks/*.json) are not used: hookd reads that directory as the
// repository's own Kiro hooks.
type kiro struct{}

func (kiro) Name() string                { return "kiro" }
func (kiro) Program() string             { return "kiro-cli" }
func (kiro) Caps() Caps                  { return Caps{} }
func (c kiro) Warnings(a Agent) []string { return capWarnings(c, a) }
func (kiro) parser() parser              { return nil }

func (c kiro) Invoke(a Agent, prompt, _ string) (*Invocation, error) {
	if len(prompt) > MaxArgPrompt {
		return nil, fmt.Errorf("the prompt is %d KB, too long for one kiro-cli argument (%d KB): bound it (less diff, fewer #[[file:]]) or use preset command with prompt_via = \"stdin\"", len(prompt)>>10, MaxArgPrompt>>10)
	}
	argv := append(append([]string{program(c, a), "chat", "--no-interactive"}, a.Args...), "--", prompt)
	return &Invocation{Argv: argv, Cleanup: noCleanup}, nil
}

// KiroAgent is the custom agent hookd installs into kiro-cli: sessions
// started with `kiro-cli chat --agent hookd` (or with it as
// chat.defaultAgent) are bridged.
const KiroAgent = "hookd"

func (c kiro) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), file: filepath.Join(".kiro", "agents", KiroAgent+".json"),
		events: map[string]event.Kind{
			"agentSpawn":       event.AgentSessionStart,
			"userPromptSubmit": event.AgentPrompt,
			"preToolUse":       event.AgentToolBefore,
			"postToolUse":      event.AgentToolAfter,
			"stop":             event.AgentStop,
		},
		order: []string{"agentSpawn", "userPromptSubmit", "preToolUse", "postToolUse", "stop"},
		entry: func(cmd, hookEvent string) map[string]any {
			e := map[string]any{"command": cmd, "timeout_ms": 660_000}
			if hookEvent == "preToolUse" || hookEvent == "postToolUse" {
				e["matcher"] = "*"
			}
			return e
		},
		// A custom agent without tools has none: "*" keeps every tool the
		// default agent has.
		skeleton: map[string]any{"name": KiroAgent, "description": "kiro-cli's tools, with hookd's hooks answering its calls (hookd agents install kiro)",
			"tools": []any{"*"}},
		can: map[event.Kind]Answers{
			event.AgentToolBefore:   {Deny: true},
			event.AgentPrompt:       {Context: true},
			event.AgentSessionStart: {Context: true},
		},
		answer:   kiroAnswer,
		warnExit: 1,
		// ~/.kiro/agents: its global custom agents.
		userFile: filepath.Join(".kiro", "agents", KiroAgent+".json"),
		reach: "kiro-cli runs these hooks in sessions of its custom agent \"" + KiroAgent + "\" only: start it with `kiro-cli chat --agent " + KiroAgent +
			"`, or make it the default (`kiro-cli settings chat.defaultAgent " + KiroAgent + "`)",
	}
}

// kiroAnswer is kiro-cli's protocol: exit 2 with the reason on stderr
// blocks a preToolUse call; on exit 0, stdout is context, as plain text.
func kiroAnswer(_ string, _ event.Kind, v Verdict) (stdout, stderr string, exit int) {
	if v.Deny {
		return "", strings.TrimSpace(v.Reason) + "\n", 2
	}
	if ctx := strings.TrimSpace(v.Context); ctx != "" {
		return ctx + "\n", "", 0
	}
	return "", "", 0
}

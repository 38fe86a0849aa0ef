package agentcli

import (
	"path/filepath"

	"github.com/hookd-dev/hookd/event"
)

// qwen is Qwen Code (`qwen`, a fork of Gemini CLI), whose sessions hookd
// joins; it does not run it.
//
// Its hooks, from its documentation (docs/users/features/hooks.md of
// QwenLM/qwen-code), are Claude Code's: SessionStart, UserPromptSubmit,
// PreToolUse, PostToolUse, Stop and SessionEnd under "hooks" in the
// workspace settings .qwen/settings.json (run in a trusted folder), grouped
// with a regular-expression matcher ("" is every tool), a timeout in
// milliseconds, and QWEN_PROJECT_DIR in the environment. The input is
// Claude Code's JSON; exit 2 denies with stderr as the reason (at Stop,
// the agent goes on); PreToolUse takes hookSpecificOutput.permissionDecision
// allow, deny or ask (ask is a deny where nobody can be asked: headless
// runs), and not the updatedInput its documentation lists (qwenCan);
// additionalContext is context after a tool, on a prompt and at a
// session's start. Verified with qwen 0.24.4 against a stand-in of the
// chat completions API (agent_qwen.txtar): the deny, the rewrite refused,
// the continue at Stop.
type qwen struct{}

func (qwen) Name() string    { return "qwen" }
func (qwen) Program() string { return "qwen" }

func (c qwen) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), file: filepath.Join(".qwen", "settings.json"), projectEnv: "QWEN_PROJECT_DIR", timeout: 660_000,
		events: claudeEvents(), order: claudeOrder(), matcher: func(string) string { return "" },
		// The settings schema version qwen 0.24.4 writes into the file on
		// its first run: a file hookd created then holds only what hookd
		// put there, and uninstall can remove it whole.
		skeleton: map[string]any{"$version": 4},
		can:      qwenCan(), decide: claudeDecision,
		// Its user settings, ~/.qwen/settings.json (its docs).
		userFile: filepath.Join(".qwen", "settings.json")}
}

// qwenCan is what Qwen Code 0.24.4 takes. Its documentation lists
// updatedInput on PreToolUse, but its source reads a rewritten input only
// from a PermissionRequest hook, and a rewrite on PreToolUse ran the call
// unchanged (verified, with and without permissionDecision allow): a
// rewrite is therefore a deny, by hookd's policy.
func qwenCan() map[event.Kind]Answers {
	can := claudeCan(true)
	before := can[event.AgentToolBefore]
	before.Input = false
	can[event.AgentToolBefore] = before
	return can
}

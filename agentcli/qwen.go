package agentcli

import (
	"path/filepath"
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
// runs) and updatedInput; additionalContext is context after a tool, on a
// prompt and at a session's start.
type qwen struct{}

func (qwen) Name() string    { return "qwen" }
func (qwen) Program() string { return "qwen" }

func (c qwen) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), file: filepath.Join(".qwen", "settings.json"), projectEnv: "QWEN_PROJECT_DIR", timeout: 660_000,
		events: claudeEvents(), order: claudeOrder(), matcher: func(string) string { return "" },
		can: claudeCan(true), decide: claudeDecision}
}

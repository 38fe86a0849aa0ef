// Package agentcli owns what hookd knows about each agent CLI it runs or
// joins (Claude Code, Codex, Gemini CLI, kiro-cli, aider; Copilot CLI,
// Cursor and Qwen Code, which it only joins) and about its
// other agent presets (command, openai): the preset (the program, the
// argv of a structured run, where the prompt goes, how a session is
// resumed, which bounds it takes), the parser of its structured output,
// the codec and the installer of its session hooks, the configuration
// warnings that depend on it, and the facts the daemon's attribution of
// writes needs of it.
//
// Each CLI is one file (claude.go, codex.go, gemini.go, kiro.go,
// copilot.go, cursor.go, qwen.go; the simpler presets share presets.go)
// implementing [CLI], or [Bridge] for a CLI hookd only joins; [All] and
// [Bridged] list them. The
// rest of hookd asks this package and never switches on an agent's name,
// so adding an agent is adding a file here.
//
// agentcli depends on no other package of hookd's but event and
// safefile: hooks, hooks/runner, hooks/bridge and daemon call into it.
package agentcli

import (
	"fmt"
	"strings"
)

// CLI is one agent preset: an agent CLI hookd runs (and, for some, joins
// through its session hooks), or a preset that is not a CLI of its own
// (command, openai). Only this package implements it.
type CLI interface {
	// Name is the preset's name: `preset = "NAME"`, or `agent = "NAME"`
	// without an [agent.NAME] table.
	Name() string
	// Program is the executable the preset runs unless the agent's
	// command names another; "" when it has none of its own (command,
	// openai).
	Program() string
	// Caps says what the CLI can do.
	Caps() Caps
	// Invoke builds the process of one run of agent a with prompt;
	// resume, when set, is the session to continue. The prompt is never
	// where an option could be: on stdin, in a file, or after "--".
	Invoke(a Agent, prompt, resume string) (*Invocation, error)
	// Sessions is how hookd joins the CLI's interactive sessions
	// through its own hooks; nil when it cannot.
	Sessions() Sessions
	// Warnings are what loads in agent a's configuration but will not do
	// what its author meant with this CLI, one sentence each.
	Warnings(a Agent) []string

	// parser reads the CLI's structured output (the format named after
	// it); nil when hookd reads its output as text.
	parser() parser
}

// Caps are what a CLI can do, as far as hookd uses it.
type Caps struct {
	// Resume: it continues an earlier session by its id (session =
	// "resume").
	Resume bool
	// MaxTurns: it takes a bound on the turns of one run (max_turns).
	MaxTurns bool
	// Cost: its structured output reports what a run cost
	// (max_cost_per_day).
	Cost bool
	// ExactWrites: its structured output names each file a tool writes
	// before the write is made, so a change it did not name during its
	// run is someone else's. Without it, a change made while it runs can
	// only be put down to it by the time window.
	ExactWrites bool
	// Chat: hookd runs no process but asks an OpenAI-compatible
	// chat-completions endpoint itself (url, model, api_key_env).
	Chat bool
}

// Agent is what this package needs of an [agent.NAME] table (hooks.Agent,
// which it cannot import).
type Agent struct {
	Name string
	// Command replaces the program (its first word; a command preset
	// runs all of it), Args are added to the preset's.
	Command []string
	Args    []string
	// PromptVia is where a command preset passes the prompt: "stdin"
	// (""), "arg" or "file".
	PromptVia     string
	MaxTurns      int
	MaxCostPerDay float64
}

// Invocation is the process of one agent run.
type Invocation struct {
	Argv  []string
	Stdin []byte // nil: nothing
	// Format is the structured output the process prints, read for the
	// run's report and its writes (see NewStream); "" when its output is
	// text.
	Format string
	// Cleanup removes what the run needed (a prompt file); never nil.
	Cleanup func()
}

// FormatText names an agent's output read as plain text.
const FormatText = "text"

// All lists the presets, in the order hookd prefers them when it picks
// an installed agent (hookd init). Each call builds the list anew:
// nothing of it is shared state.
func All() []CLI {
	return []CLI{claude{}, codex{}, gemini{}, kiro{}, aider{}, command{}, openai{}}
}

// Lookup returns the preset of that name, or nil.
func Lookup(name string) CLI {
	for _, c := range All() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// Names lists the presets' names, in the order of All.
func Names() []string {
	var out []string
	for _, c := range All() {
		out = append(out, c.Name())
	}
	return out
}

// Bridge is an agent CLI whose interactive sessions hookd joins through
// its hooks: one of the presets with Sessions, or a CLI hookd joins but
// does not run itself (Copilot CLI, Cursor, Qwen Code).
type Bridge interface {
	Name() string
	// Program is the executable looked for on PATH.
	Program() string
	Sessions() Sessions
}

// Bridged lists the CLIs hookd can be installed into: the presets with
// Sessions, in the order of All, then the CLIs it only joins.
func Bridged() []Bridge {
	var out []Bridge
	for _, c := range All() {
		if c.Sessions() != nil {
			out = append(out, c)
		}
	}
	return append(out, copilot{}, cursor{}, qwen{})
}

// LookupBridge returns the bridged CLI of that name, or nil.
func LookupBridge(name string) Bridge {
	for _, c := range Bridged() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// program is the executable an agent of preset c runs: its command's, or
// the preset's.
func program(c CLI, a Agent) string {
	if len(a.Command) > 0 {
		return a.Command[0]
	}
	return c.Program()
}

// capWarnings are the warnings every preset gives: a bound set for a CLI
// that cannot honour it.
func capWarnings(c CLI, a Agent) []string {
	var out []string
	if a.MaxTurns > 0 && !c.Caps().MaxTurns {
		out = append(out, fmt.Sprintf("max_turns is passed to %s only; the %s CLI takes no such flag, so it does not bound this agent",
			namesWith(func(c Caps) bool { return c.MaxTurns }), c.Name()))
	}
	if a.MaxCostPerDay > 0 && !c.Caps().Cost {
		out = append(out, fmt.Sprintf("max_cost_per_day counts the cost the CLI reports, and only %s reports one; bound this agent with max_tokens_per_day",
			namesWith(func(c Caps) bool { return c.Cost })))
	}
	return out
}

// namesWith lists, in words, the presets with a capability.
func namesWith(has func(Caps) bool) string {
	var names []string
	for _, c := range All() {
		if has(c.Caps()) {
			names = append(names, c.Name())
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

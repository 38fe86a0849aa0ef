// Package hooks owns the hook model: loading and merging hookd.toml,
// hookd.local.toml and the user config, validating them with file:line:col
// positions, and deciding which hooks an event concerns.
//
// # Files and precedence
//
// The user config (~/.config/hookd/config.toml) is read first, then the
// repository's hookd.toml, then hookd.local.toml. A later file overrides an
// earlier one key by key: a hook of the same name in hookd.local.toml changes
// only the keys it sets, so `enabled = false` there silences a repository
// hook for one person. An explicitly named config (--config) is read alone.
//
// # Errors
//
// Loading never stops at the first error. Every problem is collected as a
// [Problem] with its position, and every hook that is still sound is kept,
// so a daemon can keep running what is valid while it reports the rest.
package hooks

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/trace"
)

// Origin says whose file a hook came from, which decides whether it needs
// the user's trust before it runs.
type Origin string

const (
	OriginUser     Origin = "user"     // ~/.config/hookd/config.toml: always trusted
	OriginRepo     Origin = "repo"     // hookd.toml: committed, needs trust
	OriginLocal    Origin = "local"    // hookd.local.toml: personal unless git tracks it
	OriginExplicit Origin = "explicit" // --config FILE: the user's own, always trusted
)

// Committed reports whether files of this origin come with the repository
// and so must be trusted before their hooks run. (A hookd.local.toml is
// committed too when git tracks it: see Source.Committed.)
func (o Origin) Committed() bool { return o == OriginRepo || o == OriginKiro }

// Mode says what a hook does when its batch is ready while a run is going.
type Mode string

const (
	ModeQueue    Mode = "queue"    // at most one more run after the current one, files merged
	ModeRestart  Mode = "restart"  // stop the current run, then start with all files
	ModeSkip     Mode = "skip"     // drop the batch (recorded as skipped)
	ModeParallel Mode = "parallel" // start another run at once
)

// Config is a loaded, merged and validated configuration.
type Config struct {
	Defaults Defaults
	Hooks    []*Hook
	Agents   map[string]*Agent
	Specs    Specs
	Trace    Trace
	Watch    Watch
	// Files are the config files that were read, in precedence order, then
	// the Kiro hook files.
	Files []Source
	// Held lists, per committed file that is not trusted, what of it was
	// held back.
	Held []Held
	// Unloaded are the blocking hooks that may be declared but could not
	// be loaded: guards that cannot answer.
	Unloaded []Unloaded
	// TrustedBefore says the user has trusted this work tree's hook files
	// before (or the trust store cannot be read): its blocking hooks are
	// then the user's guards, and one paused by a changed or new file
	// cannot answer, where a clone never trusted has no guards at all.
	TrustedBefore bool
	// Unreadable are the config files (hookd.toml, hookd.local.toml, the
	// user config, --config) that could not be read or do not parse:
	// none of their hooks is known, so a listing of the hooks is not the
	// whole of them, and says so by its exit code.
	Unreadable []string
}

// Source is one config file that was read.
type Source struct {
	Path   string
	Origin Origin
	// Sum is the SHA-256 of the bytes that were read and parsed; Data,
	// those bytes, for a committed file (what `hookd trust` shows).
	Sum  string
	Data []byte
	// Committed says the file may have come with the repository, so its
	// contents take effect only once trusted; Why says why when that is
	// not plain from its name (a hookd.local.toml that git tracks).
	Committed bool
	Why       string
	// Held is why the file does not take effect (not trusted yet, changed
	// since trusted); empty when it does.
	Held string
}

// Held is a committed file that is not trusted, and what of it does not
// apply until it is.
type Held struct {
	File string `json:"file"`
	Why  string `json:"why"`
	// Tables are its parts, e.g. "[defaults]", "[agent.claude]",
	// "2 [[hook]]".
	Tables []string `json:"tables"`
}

// Defaults apply to every hook that does not set its own value.
type Defaults struct {
	Agent     string
	Debounce  time.Duration
	MaxWait   time.Duration
	Timeout   time.Duration
	MaxAgents int // agent runs at once, all hooks together
	MaxRuns   int // runs of any kind at once, all hooks together
	MaxDepth  int // longest chain of runs causing runs
	// MaxRunsPerMinute is each hook's circuit breaker (see Hook).
	MaxRunsPerMinute int
}

// Watch configures the file source.
type Watch struct {
	// Ignore holds extra patterns in .gitignore syntax, rooted at the
	// repository, applied on top of git's own ignore rules.
	Ignore []string
	// Settle is how long a path must be quiet before it is examined, so the
	// several writes of one save are one change.
	Settle time.Duration
}

// Specs configures where specs are found.
type Specs struct {
	Roots []string
}

// Trace configures requirement-reference recognition and the
// traceability policy `hookd trace check` enforces.
type Trace struct {
	Patterns []string
	// Require are the kinds of place that must cover every requirement
	// (test, code, task, design); default test.
	Require []string
	// EachCriterion: every acceptance criterion must be covered on its own.
	EachCriterion bool
	// FailOn are the findings that fail the check (dangling, uncovered,
	// stale, suspect, ambiguous); default dangling.
	FailOn []string
	// Scope names the spec of each folder's citations (folder → spec);
	// Exclude and Include add to and take from the paths that are not
	// indexed (spec.DefaultExclude). The spec index reads them from
	// hookd.toml itself, as it reads every file; they are here to be
	// validated and shown.
	Scope            map[string]string
	Exclude, Include []string
}

// TracePolicy is the [trace] policy of the configuration opts name,
// trusted or not: it runs nothing and changes nothing of the user's, it
// only says what `hookd trace` reports and `hookd trace check` fails on,
// which CI must read from the repository as it is.
func TracePolicy(opts LoadOptions) trace.Policy {
	opts.TrustAll = true
	cfg, _ := Load(opts)
	return cfg.Trace.Policy()
}

// Policy is the traceability policy these settings state.
func (t Trace) Policy() trace.Policy {
	return trace.Policy{Require: t.Require, EachCriterion: t.EachCriterion, FailOn: t.FailOn}
}

// Agent is an agent back-end under [agent.NAME].
type Agent struct {
	Name           string
	Preset         string
	Command        []string
	Args           []string
	Env            map[string]string
	Workdir        string
	Timeout        time.Duration
	MaxRunsPerHour int
	// Budgets: what the agent may spend in a local day, as its CLI reports
	// it (USD, tokens in and out), and the turns one run may take (passed
	// to CLIs that take it: claude --max-turns). Zero is no limit.
	MaxCostPerDay   float64
	MaxTokensPerDay int64
	MaxTurns        int
	URL             string
	Model           string
	APIKeyEnv       string
	PromptVia       string
	Pos             Pos
}

// Resumable says whether a preset's CLI can continue an earlier session
// by its id (session = "resume").
func Resumable(preset string) bool {
	c := agentcli.Lookup(preset)
	return c != nil && c.Caps().Resume
}

// Presets lists the agent presets, in the order of preference.
func Presets() []string { return agentcli.Names() }

// CLI is the agent's preset, or nil when it names none.
func (a *Agent) CLI() agentcli.CLI { return agentcli.Lookup(a.Preset) }

// Spec is what agentcli needs of the agent.
func (a *Agent) Spec() agentcli.Agent {
	return agentcli.Agent{Name: a.Name, Command: a.Command, Args: a.Args, PromptVia: a.PromptVia,
		MaxTurns: a.MaxTurns, MaxCostPerDay: a.MaxCostPerDay}
}

// Program is the executable the agent runs: its command's, or its
// preset's CLI; "" for one hookd talks to itself (openai).
func (a *Agent) Program() string {
	if len(a.Command) > 0 {
		return a.Command[0]
	}
	if c := a.CLI(); c != nil {
		return c.Program()
	}
	return ""
}

// AgentOf returns the agent a hook names: its [agent.NAME], or the preset
// of that name.
func (c *Config) AgentOf(name string) *Agent {
	if a, ok := c.Agents[name]; ok {
		return a
	}
	return &Agent{Name: name, Preset: name}
}

// Hook returns the hook named name, or nil.
func (c *Config) Hook(name string) *Hook {
	for _, h := range c.Hooks {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// BuiltinContext is the action of a Kiro askAgent on a session trigger:
// its prompt, as written, is the output, which goes back to the agent's
// session as context. It is not for hookd.toml, where `run` does the same.
const BuiltinContext = "context"

// BuiltinContinue is the action of a Kiro askAgent on agentStop in a
// bridged session: it answers the stop with the continue decision, its
// prompt as the reason, so the prompt is spoken into the session that
// stopped. It is not for hookd.toml, where a run printing
// {"decision": "continue", "reason": …} does the same.
const BuiltinContinue = "continue"

// Builtins lists the built-in actions.
func Builtins() []string { return []string{"impact"} }

// Command is a command action: Shell runs under `sh -c`, Argv runs directly.
type Command struct {
	Shell string
	Argv  []string
}

// IsZero reports whether no command is set.
func (c Command) IsZero() bool { return c.Shell == "" && len(c.Argv) == 0 }

func (c Command) String() string {
	if c.Shell != "" {
		return c.Shell
	}
	return strings.Join(c.Argv, " ")
}

// Hook is one validated hook.
type Hook struct {
	Name string
	// Title is a Kiro hook's own name ("Run Tests on Save"); hookd.toml
	// hooks have none.
	Title       string
	Description string
	On          []string
	Paths       []string
	If          rules.Rule
	Debounce    time.Duration
	MaxWait     time.Duration
	Timeout     time.Duration
	Mode        Mode
	// MaxRunsPerMinute trips the hook's circuit breaker: a hook that would
	// start more runs than this within a minute is paused until `hookd
	// resume` or a change to it (the scheduler's), whatever the cause of
	// the loop.
	MaxRunsPerMinute int
	Run              Command
	Agent            string
	Prompt           string
	Builtin          string
	Blocking         bool
	FoldVCS          bool
	CatchUp          bool
	Enabled          bool
	Steering         []string
	Env              map[string]string
	// Workdir is where its command runs, repository-relative; empty for
	// the root.
	Workdir string
	// OnErrorAllow (on_error = "allow") lets an agent go on when a
	// blocking hook cannot answer it (no daemon, a broken config, a hook
	// that crashed); the default denies, as the git shims fail closed.
	OnErrorAllow bool
	// Resume (session = "resume") continues the agent session of the
	// hook's last successful run instead of starting a new one.
	Resume bool
	// Literal marks a prompt that is not a template (a Kiro hook's): it is
	// sent as written, with the event's context after it.
	Literal bool
	// PathRegexp filters paths besides Paths (a Kiro v1 matcher).
	PathRegexp *regexp.Regexp

	// Origin is the last file that set any of the hook's keys; Pos is
	// where the hook was first declared. Committed is true when any key
	// came from a file that comes with the repository: such a hook needs
	// the user's trust, even if hookd.local.toml overrides some keys.
	Origin    Origin
	Committed bool
	Pos       Pos
	// Disabled explains why an enabled-looking hook cannot run; empty when
	// it can.
	Disabled string
	// Held says it is paused because a file it comes from is not trusted
	// (Disabled says why).
	Held bool

	kinds []func(event.Kind) bool
	globs rules.Globs
	files []string // the files that set its keys
}

// Action names the hook's action kind: "run", "agent" or "builtin".
func (h *Hook) Action() string {
	switch {
	case !h.Run.IsZero():
		return "run"
	case h.Builtin != "":
		return "builtin"
	default:
		return "agent"
	}
}

// Wants reports whether the hook listens for kind.
func (h *Hook) Wants(kind event.Kind) bool {
	for _, m := range h.kinds {
		if m(kind) {
			return true
		}
	}
	return false
}

// MatchPath reports whether a repository-relative path passes the hook's
// `paths` filter (and a Kiro matcher). A hook without paths takes every
// path.
func (h *Hook) MatchPath(rel string) bool {
	return h.globs.Match(rel) && (h.PathRegexp == nil || h.PathRegexp.MatchString(rel))
}

// HasPaths reports whether the hook filters by path.
func (h *Hook) HasPaths() bool { return !h.globs.Empty() || h.PathRegexp != nil }

// Filter returns the files of ev that concern the hook, and whether the
// event concerns it at all. Events that carry files but have none left
// after the `paths` filter do not concern the hook; events without files
// (a manual trigger, a commit with no file list) concern it when it has no
// paths filter or when it is a manual trigger.
func (h *Hook) Filter(ev event.Event) ([]event.File, bool) {
	if !h.Wants(ev.Kind) {
		return nil, false
	}
	if !h.HasPaths() {
		return ev.Files, true
	}
	var kept []event.File
	for _, f := range ev.Files {
		if h.MatchPath(f.Path) || (f.From != "" && h.MatchPath(f.From)) {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 && !(len(ev.Files) == 0 && ev.Kind == event.HookManual) {
		return nil, false
	}
	return kept, true
}

// Concern is what Concerns decided for one hook and one event.
type Concern struct {
	// Files are the event's files that pass the hook's paths filter.
	Files []event.File
	// OK says the event concerns the hook; Why says why not.
	OK  bool
	Why string
	// Stage is the filter that decided: "enabled", "on", "catch_up",
	// "fold_vcs", "writers" or "paths"; "" when the event concerns the hook.
	Stage string
}

// Concerns applies, in order, every filter that decides whether an event
// is offered to the hook, before its debounce and its `if` rule: the hook
// can run (not paused, not disabled), wants the kind, takes catch-up
// events, sees git's own file changes (fold_vcs), did not cause the event
// itself (writers), and has files left after `paths`. The scheduler offers
// events by it, and `hookd explain` explains with it. A blocking hook is
// concerned too; the scheduler runs those only for a verdict.
func (h *Hook) Concerns(ev event.Event) Concern {
	no := func(stage, why string) Concern { return Concern{Stage: stage, Why: why} }
	switch {
	case h.Disabled != "":
		return no("enabled", h.Disabled)
	case !h.Enabled:
		return no("enabled", "enabled = false")
	case !h.Wants(ev.Kind):
		return no("on", "it does not handle "+string(ev.Kind))
	case ev.CatchUp && !h.CatchUp:
		return no("catch_up", "the change happened while hookd was stopped, and catch_up = false")
	case ev.VCS && h.FoldVCS:
		return no("fold_vcs", "git made this change; it is part of git's own event (fold_vcs = false to see it)")
	case slices.Contains(ev.Writers, h.Name):
		return no("writers", "its own run made this change")
	}
	files, ok := h.Filter(ev)
	if !ok {
		return Concern{Stage: "paths", Why: "no file passes its paths"}
	}
	return Concern{Files: files, OK: true}
}

// WouldConcern is Concerns as if the hook could run: whether a paused
// hook would have had a say.
func (h *Hook) WouldConcern(ev event.Event) bool {
	running := *h
	running.Disabled = ""
	return running.Concerns(ev).OK
}

// GitState returns the repository state for a rule environment, with
// git.dirty worked out only when dirty is set (it costs a git process).
type GitState func(dirty bool) event.Git

// RuleEnv builds the environment the hook's rule and prompt see for a batch:
// the one place the scheduler, replay, the shim and `hookd explain` build
// it. git may be nil (outside git).
func (h *Hook) RuleEnv(root string, batch event.Event, info rules.HookInfo, git GitState) *rules.Env {
	env := rules.NewEnv(root, batch, info)
	if git != nil {
		env.Git = git(h.If.Reads("git.dirty"))
	}
	return env
}

// Problem is one configuration error with its position.
type Problem struct {
	Pos     Pos
	Message string
}

func (p Problem) Error() string {
	if p.Pos.Line == 0 {
		return p.Pos.File + ": " + p.Message
	}
	return fmt.Sprintf("%s: %s", p.Pos, p.Message)
}

// Problems is the list of every problem found while loading.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Settings is what the configuration says of the hook, every key it
// takes, in one comparable string: a reload that leaves it unchanged did
// not touch the hook (the scheduler keeps its circuit breaker paused then).
func (h *Hook) Settings() string {
	re := ""
	if h.PathRegexp != nil {
		re = h.PathRegexp.String()
	}
	b, _ := json.Marshal([]any{h.Name, h.Title, h.Description, h.On, h.Paths, h.If.Source(), re,
		h.Debounce, h.MaxWait, h.Timeout, h.Mode, h.MaxRunsPerMinute, h.Run.Shell, h.Run.Argv,
		h.Agent, h.Prompt, h.Literal, h.Builtin, h.Blocking, h.FoldVCS, h.CatchUp, h.Enabled,
		h.Steering, h.Env, h.Workdir, h.OnErrorAllow, h.Resume})
	return string(b)
}

// Package rules owns the rule environment and the `if` rules evaluated in it.
//
// # The environment
//
// [Env] is the one typed environment of rules (docs/rules.md). The same struct is what an
// `if` rule sees, what a prompt template reads and what a command receives as
// JSON on stdin, so a name learned once holds everywhere. `hookd rules`
// prints its reference, generated from the struct's tags by [Reference].
//
// # Rules
//
// A [Rule] is an expr-lang expression compiled and type-checked once, when
// the config loads, and then run per batch. Compile errors carry expr's own
// line and column inside the rule, which the config loader adds to the
// position of the rule in its file.
package rules

import (
	"os"
	"path/filepath"
	"time"

	"github.com/hookd-dev/hookd/event"
)

// EventInfo is the header of the event that started a batch.
type EventInfo struct {
	Kind  string    `json:"kind" expr:"kind" doc:"event kind, e.g. \"file.saved\"; for a mixed batch, the first event's"`
	ID    uint64    `json:"id" expr:"id" doc:"event id, increasing and unique across restarts"`
	Time  time.Time `json:"time" expr:"time" doc:"when the event happened"`
	Cause string    `json:"cause" expr:"cause" doc:"id of the run whose writes caused the event, else empty"`
	Depth int       `json:"depth" expr:"depth" doc:"chain depth: 0 for outside changes, +1 per run in the chain"`
	Chain []string  `json:"chain" expr:"chain" doc:"the hooks whose runs led to the event, nearest last; empty for outside changes"`
	// CatchUp is the event's own mark, surfaced for rules and commands.
	CatchUp bool `json:"catch_up" expr:"catch_up" doc:"true for a change made while hookd was not running, found when it started"`
}

// HookInfo describes the hook being evaluated.
type HookInfo struct {
	Name       string    `json:"name" expr:"name" doc:"the hook's name"`
	Runs       int       `json:"runs" expr:"runs" doc:"runs since the daemon started"`
	LastStatus string    `json:"last_status" expr:"last_status" doc:"status of the previous run, empty before the first"`
	LastRun    time.Time `json:"last_run" expr:"last_run" doc:"start time of the previous run"`
}

// Env is the rule environment. Zero-valued sections are present but empty,
// so a rule may read `commit.subject` on any event without a nil check.
type Env struct {
	Event   EventInfo       `json:"event" expr:"event" doc:"the event that started the batch"`
	Files   []event.File    `json:"files" expr:"files" doc:"the batch of files, each with its change"`
	File    event.File      `json:"file" expr:"file" doc:"the first of files, for one-file events"`
	Git     event.Git       `json:"git" expr:"git" doc:"repository state"`
	Commit  event.Commit    `json:"commit" expr:"commit" doc:"the newest commit, for git.* events"`
	Commits []event.Commit  `json:"commits" expr:"commits" doc:"all new commits, oldest first"`
	Spec    event.Spec      `json:"spec" expr:"spec" doc:"the requirement-level change, for spec.* events"`
	Run     event.Run       `json:"run" expr:"run" doc:"the finished run, for agent.done"`
	Agent   event.AgentCall `json:"agent" expr:"agent" doc:"what an agent session is doing, for agent.prompt, agent.tool.*, agent.stop and agent.session.*"`
	Hook    HookInfo        `json:"hook" expr:"hook" doc:"the hook being evaluated"`
	Args    map[string]any  `json:"args" expr:"args" doc:"arguments of hook.manual and emitted events"`

	GlobFn    func(pattern, path string) bool `json:"-" expr:"glob" doc:"glob(pattern, path): whether path matches the glob; a pattern without / matches the base name at any depth"`
	AnyGlobFn func(pattern string) bool       `json:"-" expr:"anyGlob" doc:"anyGlob(pattern): whether any file of the batch matches"`
	ExistsFn  func(path string) bool          `json:"-" expr:"exists" doc:"exists(path): whether a repository-relative path exists"`
	EnvFn     func(name string) string        `json:"-" expr:"env" doc:"env(name): an environment variable, empty when unset: of the command a blocking hook answers (the git commit, the agent), else of the daemon"`
}

// NewEnv builds the environment for a batch of ev's hook in the repository
// at root. The functions are bound to this batch.
func NewEnv(root string, ev event.Event, hook HookInfo) *Env {
	env := &Env{
		Event: EventInfo{Kind: string(ev.Kind), ID: ev.ID, Time: ev.Time, Cause: ev.Cause, Depth: ev.Depth, Chain: append([]string{}, ev.Chain...), CatchUp: ev.CatchUp},
		Files: ev.Files,
		Hook:  hook,
		Args:  ev.Args,
	}
	if env.Files == nil {
		env.Files = []event.File{}
	}
	if len(ev.Files) > 0 {
		env.File = ev.Files[0]
	}
	if ev.Git != nil {
		env.Git = *ev.Git
	}
	if ev.Commit != nil {
		env.Commit = *ev.Commit
	}
	env.Commits = ev.Commits
	if ev.Spec != nil {
		env.Spec = *ev.Spec
	}
	if ev.Run != nil {
		env.Run = *ev.Run
	}
	if ev.Agent != nil {
		env.Agent = *ev.Agent
	}
	env.normalize()
	env.bind(root)
	return env
}

// normalize makes every list an empty list rather than nil, so the JSON a
// command reads has [] where there is nothing, never null.
func (env *Env) normalize() {
	for _, l := range []*[]string{
		&env.Commit.Parents, &env.Commit.Files, &env.Spec.Added, &env.Spec.Removed,
		&env.Spec.Modified, &env.Spec.Changed, &env.Run.FilesWritten,
	} {
		if *l == nil {
			*l = []string{}
		}
	}
	if env.Commits == nil {
		env.Commits = []event.Commit{}
	}
	if env.Spec.Renamed == nil {
		env.Spec.Renamed = []event.Rename{}
	}
	if env.Spec.Tasks == nil {
		env.Spec.Tasks = []event.Task{}
	}
	if env.Spec.Impacted == nil {
		env.Spec.Impacted = []event.Citation{}
	}
	if env.Spec.Unscoped == nil {
		env.Spec.Unscoped = []event.Citation{}
	}
	if env.Agent.Input == nil {
		env.Agent.Input = map[string]any{}
	}
	if env.Args == nil {
		env.Args = map[string]any{}
	}
}

func (env *Env) bind(root string) {
	files := env.Files
	env.GlobFn = MatchGlob
	env.AnyGlobFn = func(pattern string) bool {
		for _, f := range files {
			if MatchGlob(pattern, f.Path) {
				return true
			}
		}
		return false
	}
	env.ExistsFn = func(rel string) bool {
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			return false
		}
		_, err := os.Lstat(filepath.Join(root, rel))
		return err == nil
	}
	env.EnvFn = os.Getenv
}

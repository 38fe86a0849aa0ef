// Package event defines the typed events that flow through hookd: what the
// sources observe, what settling produces, what rules see and what runners
// receive. It owns the vocabulary only: kinds, payloads and their JSON and
// expr field names. It does no I/O.
//
// Every struct here is part of a stable contract: the JSON a command reads
// on stdin, the names an `if` rule uses and the fields a prompt template
// reads are all derived from these tags. Each field carries a `doc` tag,
// from which `hookd rules` generates the reference.
package event

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Kind names an event kind, such as "file.saved" or "git.commit".
type Kind string

// The event kinds (docs/events.md).
const (
	FileCreated   Kind = "file.created"
	FileSaved     Kind = "file.saved"
	FileDeleted   Kind = "file.deleted"
	GitCommit     Kind = "git.commit"
	GitCheckout   Kind = "git.checkout"
	GitMerge      Kind = "git.merge"
	GitRewrite    Kind = "git.rewrite"
	GitPreCommit  Kind = "git.pre-commit"
	GitPrePush    Kind = "git.pre-push"
	SpecChanged   Kind = "spec.changed"
	SpecTask      Kind = "spec.task"
	SpecArchived  Kind = "spec.archived"
	HookManual    Kind = "hook.manual"
	AgentDone     Kind = "agent.done"
	DaemonStarted Kind = "daemon.started"

	// The events of an agent's own session (Claude Code, Codex, Gemini
	// CLI, …), sent by `hookd agent-hook` from the agent's hooks.
	AgentSessionStart Kind = "agent.session.start"
	AgentPrompt       Kind = "agent.prompt"
	AgentToolBefore   Kind = "agent.tool.before"
	AgentToolAfter    Kind = "agent.tool.after"
	AgentStop         Kind = "agent.stop"
	AgentSessionEnd   Kind = "agent.session.end"
)

// Answerable says whether a blocking hook on kind answers an agent: it can
// deny what the agent is about to do, or give it context.
func Answerable(k Kind) bool {
	return k == AgentPrompt || k == AgentToolBefore || k == AgentToolAfter || k == AgentStop
}

// Kinds lists every kind in a stable order, for validation and docs.
func Kinds() []Kind {
	return []Kind{
		FileCreated, FileSaved, FileDeleted,
		GitCommit, GitCheckout, GitMerge, GitRewrite, GitPreCommit, GitPrePush,
		SpecChanged, SpecTask, SpecArchived, HookManual, AgentDone, DaemonStarted,
		AgentSessionStart, AgentPrompt, AgentToolBefore, AgentToolAfter, AgentStop, AgentSessionEnd,
	}
}

// Known reports whether k is one of [Kinds].
func Known(k Kind) bool {
	for _, kk := range Kinds() {
		if kk == k {
			return true
		}
	}
	return false
}

// Change says what happened to one file in a batch. It is an alias so that
// rules compare it with plain strings.
type Change = string

// The file changes; they match the file.* kinds.
const (
	Created Change = "created"
	Saved   Change = "saved"
	Deleted Change = "deleted"
)

// ChangeKind returns the file.* kind that carries change c.
func ChangeKind(c Change) Kind {
	switch c {
	case Created:
		return FileCreated
	case Deleted:
		return FileDeleted
	default:
		return FileSaved
	}
}

// ChangeOf returns the change a file.* kind carries; other kinds carry
// files as saved.
func ChangeOf(k Kind) Change {
	switch k {
	case FileCreated:
		return Created
	case FileDeleted:
		return Deleted
	}
	return Saved
}

// File is one file of an event's batch. Paths are repository-relative and
// always use forward slashes.
type File struct {
	Path   string `json:"path" expr:"path" doc:"repository-relative path, with forward slashes"`
	Abs    string `json:"abs" expr:"abs" doc:"absolute path"`
	Dir    string `json:"dir" expr:"dir" doc:"repository-relative directory (\".\" at the root)"`
	Name   string `json:"name" expr:"name" doc:"base name"`
	Ext    string `json:"ext" expr:"ext" doc:"extension with its dot, e.g. \".go\"; empty when none"`
	Size   int64  `json:"size" expr:"size" doc:"size in bytes after the change (0 when deleted)"`
	Change Change `json:"change" expr:"change" doc:"created, saved or deleted"`
	From   string `json:"from,omitempty" expr:"from" doc:"the old path when the file was renamed, else empty"`
	// WrittenBy is set when hookd knows, or guesses, that an agent made
	// the change; Guessed says it is a guess.
	WrittenBy string `json:"written_by,omitempty" expr:"written_by" doc:"the agent that made the change: its tool reported the file (a bridged session, or a hookd agent run), or nothing can tell it from the agent's (its shell command ran, its CLI reports nothing) and guessed is true; see docs/events.md. Empty for a person or a command"`
	Guessed   bool   `json:"guessed,omitempty" expr:"guessed" doc:"written_by is a guess: the change was made while the agent's shell command ran, or by an agent whose CLI reports nothing"`
}

// NewFile fills the derived fields of a File from its repository-relative
// path and the repository root.
func NewFile(root, rel string, change Change, size int64) File {
	return File{
		Path:   rel,
		Abs:    root + "/" + rel,
		Dir:    path.Dir(rel),
		Name:   path.Base(rel),
		Ext:    path.Ext(rel),
		Size:   size,
		Change: change,
	}
}

// Git is the repository state every event carries.
type Git struct {
	Branch string `json:"branch" expr:"branch" doc:"current branch, empty when detached or outside git"`
	Head   string `json:"head" expr:"head" doc:"HEAD commit hash"`
	From   string `json:"from,omitempty" expr:"from" doc:"previous HEAD, for git.checkout and friends"`
	To     string `json:"to,omitempty" expr:"to" doc:"new HEAD, for git.checkout and friends"`
	Dirty  bool   `json:"dirty" expr:"dirty" doc:"whether tracked files have uncommitted changes; worked out (one git status) only for git.* events and for hooks whose rule reads it, else false"`
}

// Commit describes one commit.
type Commit struct {
	Hash    string    `json:"hash" expr:"hash" doc:"full hash"`
	Short   string    `json:"short" expr:"short" doc:"abbreviated hash"`
	Subject string    `json:"subject" expr:"subject" doc:"first line of the message"`
	Message string    `json:"message" expr:"message" doc:"full message"`
	Author  string    `json:"author" expr:"author" doc:"author name"`
	Email   string    `json:"email" expr:"email" doc:"author email"`
	Time    time.Time `json:"time" expr:"time" doc:"author time"`
	Parents []string  `json:"parents" expr:"parents" doc:"parent hashes"`
	Files   []string  `json:"files" expr:"files" doc:"paths changed by the commit"`
}

// Rename is a requirement id that changed its id, e.g. Kiro renumbering.
type Rename struct {
	From string `json:"from" expr:"from" doc:"old id"`
	To   string `json:"to" expr:"to" doc:"new id"`
}

// Task is a task in a spec's tasks file whose status changed.
type Task struct {
	ID           string   `json:"id" expr:"id" doc:"task id as written, e.g. \"2.1\" or \"T004\""`
	Title        string   `json:"title" expr:"title" doc:"task title"`
	From         string   `json:"from" expr:"from" doc:"old status: todo, in_progress, queued or done"`
	To           string   `json:"to" expr:"to" doc:"new status"`
	Requirements []string `json:"requirements" expr:"requirements" doc:"requirement ids the task cites"`
}

// Citation is one place that cites a requirement.
type Citation struct {
	Requirement string `json:"requirement" expr:"requirement" doc:"the cited requirement id"`
	Spec        string `json:"spec" expr:"spec" doc:"the spec the id belongs to, empty when ambiguous"`
	File        string `json:"file" expr:"file" doc:"repository-relative path of the citing file"`
	Line        int    `json:"line" expr:"line" doc:"1-based line of the citation"`
	Kind        string `json:"kind" expr:"kind" doc:"task, design, code, test, or change (an OpenSpec change naming it)"`
	Stale       bool   `json:"stale,omitempty" expr:"stale" doc:"a completed task citing a changed requirement"`
	// Candidates are, for an ambiguous citation (it names no spec, and
	// more than one spec defines what it cites), the specs it could mean.
	Candidates []string `json:"candidates,omitempty" expr:"candidates" doc:"for an ambiguous citation (spec empty): every spec it could mean"`
	// Likely is, for an ambiguous citation, the spec a heuristic suggests:
	// a hint for a person, never a decision.
	Likely string `json:"likely,omitempty" expr:"likely" doc:"for an ambiguous citation: the spec a heuristic suggests (a hint, never a decision)"`
	// Why says what scoped the citation to its spec.
	Why string `json:"why,omitempty" expr:"why" doc:"the evidence that scoped it: named, explicit, folder, config, project or only; for an ambiguous citation, what suggested likely: path, name, stem, imports, words, content, dir, text or file"`
}

// Spec is the payload of spec.* events.
type Spec struct {
	Name     string     `json:"name" expr:"name" doc:"spec name, e.g. the Kiro feature directory"`
	Format   string     `json:"format" expr:"format" doc:"kiro, speckit or openspec"`
	Kind     string     `json:"kind" expr:"kind" doc:"the document: requirements, bugfix, design, tasks, spec (Spec Kit spec.md, OpenSpec main spec), delta (OpenSpec change) or other"`
	Dir      string     `json:"dir" expr:"dir" doc:"repository-relative spec directory"`
	File     string     `json:"file" expr:"file" doc:"repository-relative path of the changed document"`
	Added    []string   `json:"added" expr:"added" doc:"ids of added requirements (Kiro criteria as N.k); task ids for a tasks file, \"Property N\" for a design"`
	Removed  []string   `json:"removed" expr:"removed" doc:"ids of removed requirements"`
	Modified []string   `json:"modified" expr:"modified" doc:"ids of requirements whose text changed"`
	Renamed  []Rename   `json:"renamed" expr:"renamed" doc:"requirements whose id changed"`
	Changed  []string   `json:"changed" expr:"changed" doc:"added, removed, modified and renamed ids together"`
	Tasks    []Task     `json:"tasks" expr:"tasks" doc:"tasks whose status changed (spec.task)"`
	Impacted []Citation `json:"impacted" expr:"impacted" doc:"places citing the changed requirements"`
	Unscoped []Citation `json:"unscoped" expr:"unscoped" doc:"places citing the changed ids without naming a spec, which could mean this one or others (their candidates say which)"`
}

// Run describes a finished run, the payload of agent.done.
type Run struct {
	Hook         string        `json:"hook" expr:"hook" doc:"name of the hook that ran"`
	ID           string        `json:"id" expr:"id" doc:"run id"`
	Status       string        `json:"status" expr:"status" doc:"ok, failed, timeout, interrupted or skipped"`
	Exit         int           `json:"exit" expr:"exit" doc:"exit code, -1 when killed"`
	Duration     time.Duration `json:"duration" expr:"duration" doc:"how long the run took"`
	FilesWritten []string      `json:"files_written" expr:"files_written" doc:"files the run changed: those its agent reported writing, and changes it cannot report (its shell commands, a command agent) made while it ran"`
	Cost         float64       `json:"cost" expr:"cost" doc:"what the agent CLI reported the run cost, in USD; 0 when it does not say"`
	Tokens       int64         `json:"tokens" expr:"tokens" doc:"tokens in and out, as the agent CLI reported them"`
	Turns        int           `json:"turns" expr:"turns" doc:"the agent's turns, as its CLI reported them"`
	Session      string        `json:"session" expr:"session" doc:"the agent session id, which session = \"resume\" resumes"`
}

// AgentCall is the payload of agent.* session events: what an agent's
// session is doing, as its CLI's hook told hookd. The files it touches are
// the event's files.
type AgentCall struct {
	Name    string         `json:"name" expr:"name" doc:"the agent: claude, codex or gemini"`
	Session string         `json:"session" expr:"session" doc:"the agent's session id"`
	Prompt  string         `json:"prompt" expr:"prompt" doc:"the prompt submitted (agent.prompt)"`
	Tool    string         `json:"tool" expr:"tool" doc:"the tool, as the agent names it: Write, Edit, Bash, … (agent.tool.*)"`
	Command string         `json:"command" expr:"command" doc:"a shell tool's command"`
	Input   map[string]any `json:"input" expr:"input" doc:"the tool's input, as the agent sent it"`
	Cwd     string         `json:"cwd" expr:"cwd" doc:"the agent's working directory"`
	// Writes and Continued come from the agent's CLI (agentcli), not from
	// a rule's author: a guard on writes can say so without naming every
	// agent's file tools.
	Writes    bool `json:"writes" expr:"writes" doc:"the tool writes the files it names: a file tool (Write, Edit, write_file, replace, …) or a patch (codex's apply_patch); a shell command's writes are in agent.command"`
	Continued bool `json:"continued" expr:"continued" doc:"the agent goes on because a stop hook told it to (agent.stop; its stop_hook_active): a hook that keeps it going should let it stop now"`
}

// AgentReport is what an agent run reported of itself through its CLI's
// structured output (claude stream-json, codex --json, gemini stream-json).
// Format "text" means the CLI has none, or was told to print text: then
// only Final (the output) is known.
type AgentReport struct {
	Format    string   `json:"format"`
	Session   string   `json:"session,omitempty"`
	Final     string   `json:"final,omitempty"` // the agent's last message
	Error     string   `json:"error,omitempty"` // the agent's own report of failure
	Turns     int      `json:"turns,omitempty"`
	Files     []string `json:"files,omitempty"`    // written by its file tools, repository-relative
	Commands  []string `json:"commands,omitempty"` // shell commands it ran
	TokensIn  int64    `json:"tokens_in,omitempty"`
	TokensOut int64    `json:"tokens_out,omitempty"`
	Cost      float64  `json:"cost_usd,omitempty"`
	// Ended says the stream ended with its result: a stream cut short
	// (the CLI died, or printed no result) is a failed run.
	Ended bool `json:"ended"`
	// Skipped counts stream lines that could not be read (not JSON, or
	// over the line cap); events of unknown types are ignored silently.
	Skipped int `json:"skipped,omitempty"`
	// Retries counts the calls to the model's API the CLI said it
	// retried; APIStatus (the HTTP status, when the CLI tells it: 429 is a
	// rate limit) and APIError say the last one that failed.
	Retries   int    `json:"retries,omitempty"`
	APIStatus int    `json:"api_status,omitempty"`
	APIError  string `json:"api_error,omitempty"`
}

// Trouble words what went wrong between the agent and its model's API,
// as its CLI said ("API 500, 3 retries", "rate limited (API 429)"), or ""
// when nothing did.
func (r *AgentReport) Trouble() string {
	if r == nil || (r.Retries == 0 && r.APIStatus == 0 && r.APIError == "") {
		return ""
	}
	what := "API error"
	switch {
	case r.APIStatus == 429:
		what = "rate limited (API 429)"
	case r.APIStatus != 0:
		what = fmt.Sprintf("API %d", r.APIStatus)
	case r.APIError == "":
		return fmt.Sprintf("API calls retried %d times", r.Retries)
	}
	switch r.Retries {
	case 0:
	case 1:
		what += ", 1 retry"
	default:
		what += fmt.Sprintf(", %d retries", r.Retries)
	}
	return what
}

// Event is one typed occurrence. Sources create events; settling and
// scheduling merge them into batches; rules and runners read them.
type Event struct {
	Kind  Kind      `json:"kind"`
	ID    uint64    `json:"id"`
	Time  time.Time `json:"time"`
	Cause string    `json:"cause,omitempty"`
	Depth int       `json:"depth"`
	// CatchUp marks a change that happened while hookd was not running,
	// found when it started; hooks with catch_up = false ignore it.
	CatchUp bool `json:"catch_up,omitempty"`
	// VCS marks file changes a git operation made; they are folded into
	// its git.* event, and only hooks with fold_vcs = false see them.
	VCS bool `json:"vcs,omitempty"`
	// Writers are the hooks whose running agents the change is put down
	// to: a run's own writes never re-trigger the hook that ran it.
	Writers []string `json:"writers,omitempty"`
	// Chain names the hooks whose runs led to this event, each once, the
	// nearest last. Past max_depth those hooks are not started again by
	// it; every other hook still is (the loop guard never drops a change).
	Chain []string `json:"chain,omitempty"`

	Files   []File         `json:"files,omitempty"`
	Git     *Git           `json:"git,omitempty"`
	Commit  *Commit        `json:"commit,omitempty"`
	Commits []Commit       `json:"commits,omitempty"`
	Spec    *Spec          `json:"spec,omitempty"`
	Run     *Run           `json:"run,omitempty"`
	Agent   *AgentCall     `json:"agent,omitempty"`
	Args    map[string]any `json:"args,omitempty"`
}

// ParseKindPattern compiles an `on` pattern: an exact kind or a family
// wildcard such as "file.*". ok is false when the pattern names no kind.
func ParseKindPattern(pattern string) (match func(Kind) bool, ok bool) {
	if prefix, found := strings.CutSuffix(pattern, ".*"); found {
		family := prefix + "."
		for _, k := range Kinds() {
			if strings.HasPrefix(string(k), family) {
				return func(k Kind) bool { return strings.HasPrefix(string(k), family) }, true
			}
		}
		return nil, false
	}
	if !Known(Kind(pattern)) {
		return nil, false
	}
	return func(k Kind) bool { return k == Kind(pattern) }, true
}

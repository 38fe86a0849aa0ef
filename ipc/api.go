package ipc

import (
	"context"
	"net/http"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/trace"
)

// Version header sent on every reply.
const VersionHeader = "Hookd-Version"

// Status is the reply of GET /v1/status.
type Status struct {
	PID      int       `json:"pid"`
	Version  string    `json:"version"`
	Socket   string    `json:"socket"`
	Repo     string    `json:"repo"`
	StateDir string    `json:"state_dir"`
	Started  time.Time `json:"started"`
	Hooks    []Hook    `json:"hooks"`
	// Held lists the committed files that are not trusted, with what of
	// them does not apply until they are.
	Held     []Held    `json:"held"`
	Problems []Problem `json:"problems"`
	// LastGood says the hooks in force are those of an earlier load: the
	// last one had Problems, and was not applied.
	LastGood  bool  `json:"last_good,omitempty"`
	Queue     int   `json:"queue"`
	Watches   int64 `json:"watches"`
	Uncovered int64 `json:"uncovered"`
	Overflows int64 `json:"overflows"`
	// Baselining counts the files found at start whose baselines are still
	// being taken, in the background: changes are handled meanwhile.
	Baselining int `json:"baselining"`
	// Agents is today's spending per agent that has run or has a budget.
	Agents []AgentDay `json:"agents,omitempty"`
}

// Hook is one hook as the daemon sees it, or a hook file that yields no
// hook (Error set, Name empty).
type Hook struct {
	Name     string   `json:"name"`
	Title    string   `json:"title,omitempty"` // a Kiro hook's own name
	Source   string   `json:"source"`
	Origin   string   `json:"origin"`
	On       []string `json:"on"`
	Paths    []string `json:"paths,omitempty"`
	Action   string   `json:"action"`
	Detail   string   `json:"detail"`
	Blocking bool     `json:"blocking,omitempty"`
	Enabled  bool     `json:"enabled"`
	Reason   string   `json:"reason,omitempty"`
	// Missing names what the hook needs and cannot find: its agent's CLI.
	Missing    string    `json:"missing,omitempty"`
	Runs       int       `json:"runs"`
	LastStatus string    `json:"last_status,omitempty"`
	LastRun    time.Time `json:"last_run,omitzero"`
	Error      string    `json:"error,omitempty"`
	// Paused says why the hook's circuit breaker stopped it: its runs are
	// skipped until `hookd resume` or a change to it.
	Paused string `json:"paused,omitempty"`
	// Trouble is what went wrong with the model's API in the hook's last
	// agent run, as its CLI said ("claude: API 500, 3 retries").
	Trouble string `json:"trouble,omitempty"`
}

// Held is a committed config file that is not trusted: why, and what of
// it is held back ("[defaults]", "[agent.claude]", "2 [[hook]]").
type Held struct {
	File   string   `json:"file"`
	Why    string   `json:"why"`
	Tables []string `json:"tables"`
}

// Problem is a configuration error with its position.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// EmitRequest is the body of POST /v1/events.
type EmitRequest struct {
	Kind  string         `json:"kind"`
	Files []string       `json:"files,omitempty"`
	Args  map[string]any `json:"args,omitempty"`
	Depth int            `json:"depth,omitempty"`
	Cause string         `json:"cause,omitempty"`
	// Agent is the session payload of agent.* events (hookd agent-hook).
	Agent *event.AgentCall `json:"agent,omitempty"`
	// Env is the environment of the process that waits for the verdict
	// (a git shim, an agent's hook): the blocking hooks run with it, as
	// they would without a daemon.
	Env []string `json:"env,omitempty"`
}

// EmitReply is the reply of POST /v1/events.
type EmitReply struct {
	ID uint64 `json:"id"`
	// Verdict is the outcome of the blocking hooks, with ?wait=1.
	Verdict *Verdict `json:"verdict,omitempty"`
}

// Verdict is what the blocking hooks of an event decided (engine.Verdict):
// OK unless one of them denies. Hooks lists every blocking hook that took
// part, and every guard that could not answer, with Denies on those that
// refuse.
type Verdict struct {
	OK    bool  `json:"ok"`
	Hooks []Run `json:"hooks"`
}

// TriggerRequest is the body of POST /v1/hooks/{name}/trigger.
type TriggerRequest struct {
	Files []string       `json:"files,omitempty"`
	Args  map[string]any `json:"args,omitempty"`
	// Depth and Cause carry a chain on: a hook's process that triggers a
	// hook passes its own run id and depth (HOOKD_RUN_ID, HOOKD_DEPTH),
	// so that a hook triggering itself stops at max_depth.
	Depth int    `json:"depth,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// TriggerReply is the reply of POST /v1/hooks/{name}/trigger.
type TriggerReply struct {
	Run string `json:"run"`
}

// Run is one run of a hook.
type Run struct {
	ID       string        `json:"id"`
	Hook     string        `json:"hook"`
	Event    string        `json:"event"`
	Status   string        `json:"status"` // queued, running, ok, failed, timeout, interrupted, skipped
	Exit     int           `json:"exit"`
	Start    time.Time     `json:"start,omitzero"`
	Duration time.Duration `json:"duration_ns"`
	Files    []string      `json:"files"`
	Output   string        `json:"output"` // the tail in lists, all that was kept in GET /v1/runs/{id}
	Error    string        `json:"error,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	// Denies is set, in a verdict, on the rows that refuse the event.
	Denies bool `json:"denies,omitempty"`
	// Prompt is the full prompt of an agent run (GET /v1/runs/{id} only).
	Prompt string `json:"prompt,omitempty"`
	// FilesWritten are the files the run changed (see docs/events.md,
	// "Whose change is it").
	FilesWritten []string `json:"files_written,omitempty"`
	// Agent is what an agent run did, as its CLI reported it.
	Agent *AgentRun `json:"agent,omitempty"`
}

// AgentRun is an agent run's report: the agent it ran, what its CLI said
// it did, and which of its files hookd could only put down to it by the
// time they changed (a shell command's writes, a CLI that reports none).
type AgentRun struct {
	Name string `json:"name"`
	event.AgentReport
	FilesGuessed []string `json:"files_guessed,omitempty"`
	// Resumed is the session the run continued (session = "resume").
	Resumed string `json:"resumed,omitempty"`
}

// AgentDay is what one agent has spent today (a local day), against its
// budgets; Held says why its runs are being skipped, if they are.
type AgentDay struct {
	Name            string  `json:"name"`
	Runs            int     `json:"runs"`
	Cost            float64 `json:"cost_usd"`
	Tokens          int64   `json:"tokens"`
	MaxCostPerDay   float64 `json:"max_cost_per_day,omitempty"`
	MaxTokensPerDay int64   `json:"max_tokens_per_day,omitempty"`
	Held            string  `json:"held,omitempty"`
}

// ForgetReply is the reply of POST /v1/hooks/{name}/forget: the session
// forgotten, "" when there was none.
type ForgetReply struct {
	Session string `json:"session"`
}

// ResumeReply is the reply of POST /v1/hooks/{name}/resume: why the
// hook's circuit breaker had paused it, "" when it was not paused.
type ResumeReply struct {
	Paused string `json:"paused"`
}

// ReloadReply is the reply of POST /v1/reload.
type ReloadReply struct {
	Applied  bool      `json:"applied"`
	Hooks    int       `json:"hooks"`
	Problems []Problem `json:"problems"`
}

// API is what the daemon offers; the server maps it onto HTTP.
type API interface {
	Status(ctx context.Context) Status
	Hooks(ctx context.Context) []Hook
	// Emit accepts an event; with wait, it runs the blocking hooks the
	// event concerns at once and returns their verdict.
	Emit(ctx context.Context, req EmitRequest, wait bool) (EmitReply, error)
	Trigger(ctx context.Context, name string, req TriggerRequest) (TriggerReply, error)
	Runs(ctx context.Context, hook string, limit int) []Run
	Run(ctx context.Context, id string) (Run, error)
	// Logs writes log lines (NDJSON) to send: the recent ones, then, when
	// follow is set, new ones until ctx is done.
	Logs(ctx context.Context, follow bool, send func(line []byte) error) error
	Reload(ctx context.Context) ReloadReply
	Sync(ctx context.Context) error
	// Idle returns once every change made before the call has been
	// settled and every run it caused has ended (POST /v1/sync?idle=1).
	Idle(ctx context.Context) error
	Shutdown()
	// Impact lists the places citing the requirements ids of the named
	// spec (any spec when empty), from the daemon's trace index.
	Impact(ctx context.Context, spec string, ids []string) ([]event.Citation, error)
	// Trace is the traceability report of a spec (every spec when empty),
	// or of one requirement of it, judged by the [trace] policy in force.
	Trace(ctx context.Context, spec, req string) (*trace.Report, error)
	// SpecDiff is the requirement-level change of a spec document since
	// the daemon last saw it.
	SpecDiff(ctx context.Context, file string) (SpecDiff, error)
	// SpecAccept takes a spec document as it is now for the version the
	// daemon last saw, so that its next change is compared with it.
	SpecAccept(ctx context.Context, file string) error
	// ForgetSession makes a hook's next agent run start a new session
	// (session = "resume"); it returns the session forgotten, or "".
	ForgetSession(ctx context.Context, hook string) (string, error)
	// ResumeHook lets a hook its circuit breaker paused run again; it
	// returns why it was paused, or "".
	ResumeHook(ctx context.Context, hook string) (string, error)
}

// SpecDiff is the reply of GET /v1/spec/diff: the change as a spec.changed
// event would carry it, and what it was compared with ("last seen", "HEAD"
// or "first sight").
type SpecDiff struct {
	Against string     `json:"against"`
	Spec    event.Spec `json:"spec"`
}

// Error is an error with an HTTP status, for the API to return: the server
// sends its status and message, the client returns it as is.
type Error struct {
	Code    int    `json:"-"`
	Message string `json:"error"`
}

func (e *Error) Error() string { return e.Message }

// NotFound returns an Error with status 404.
func NotFound(format string) *Error { return &Error{Code: http.StatusNotFound, Message: format} }

// BadRequest returns an Error with status 400.
func BadRequest(msg string) *Error { return &Error{Code: http.StatusBadRequest, Message: msg} }

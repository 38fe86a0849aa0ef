package agentcli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// A CLI's structured output is JSON, one event a line, in a format named
// after the CLI (claude -p --output-format stream-json, codex exec --json,
// gemini -o stream-json: see each CLI's file). These formats change
// between versions: a type or field a parser does not know is ignored,
// never fatal.

// Activity is one thing an agent reports while it runs, as it happens:
// what hookd needs to tell the agent's writes from the user's.
type Activity struct {
	Kind ActivityKind
	// Path is the file a file tool writes, repository-relative (or, when
	// outside the repository, as the agent named it).
	Path string
	// Tool is the tool call's id: an opaque call ends with the same id.
	Tool string
}

// ActivityKind is what an Activity reports.
type ActivityKind int

const (
	// Writes: a file tool writes Path (before the write with a CLI whose
	// Caps have ExactWrites, after it otherwise).
	Writes ActivityKind = iota
	// OpaqueStart: a call whose writes cannot be told, a shell command,
	// has begun; OpaqueEnd: it has ended.
	OpaqueStart
	OpaqueEnd
	// Spoke: the output has shown the structured stream the CLI's format
	// is (told once, at its first such line). Until then, a write it did
	// not report proves nothing: it may be a wrapper, another version, a
	// proxy.
	Spoke
)

// parser reads one run's structured output for its CLI. Each stream has
// its own.
type parser interface {
	// skip reads a line before it is decoded: true when the line needs
	// no decoding now (the parser keeps what it needs of it).
	skip(s *Stream, line []byte) bool
	// event reads one decoded line.
	event(s *Stream, ev *streamEvent)
	// end reads what it kept, once the output has ended.
	end(s *Stream)
}

// stderrParser is a parser that also reads the CLI's stderr, for what its
// structured output does not say (gemini's API retries).
type stderrParser interface {
	stderr(s *Stream, line string)
}

// Stream parses an agent CLI's structured output line by line into its
// report, telling activity as it comes.
type Stream struct {
	p        parser
	report   event.AgentReport
	root     string // the repository, to make the agent's paths relative
	dir      string // the agent's working directory, for its relative paths
	activity func(Activity)
	line     func(string) // a one-line summary for the log, or nil

	files  map[string]bool
	opaque map[string]bool // open opaque calls, by id
	spoke  bool            // Spoke was told
	text   string          // the last assistant text, for Final when no result says it
	// turns holds the usage each model message reported as it came, by
	// message id: what a run cut short (a timeout) has spent, until a
	// result says the total (final).
	turns map[string]usage
	final bool
}

// NewStream reads output in format (an Invocation's) of an agent running
// in dir, inside the repository root. activity, when set, is told what
// the agent does as it is read; line, when set, a one-line summary of
// each tool call, for the log.
func NewStream(format, root, dir string, activity func(Activity), line func(string)) *Stream {
	if activity == nil {
		activity = func(Activity) {}
	}
	s := &Stream{report: event.AgentReport{Format: format}, root: root, dir: dir,
		activity: activity, line: line, files: map[string]bool{}, opaque: map[string]bool{}}
	if c := Lookup(format); c != nil {
		s.p = c.parser()
	}
	return s
}

// Feed parses one line of output (without its newline). truncated says
// the line was too long to be read whole and b is its head.
func (s *Stream) Feed(b []byte, truncated bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return
	}
	if b[0] != '{' {
		s.report.Skipped++ // a banner or warning on stdout
		return
	}
	if s.p != nil && s.p.skip(s, b) {
		s.speak()
		return
	}
	var ev streamEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		s.report.Skipped++
		if truncated {
			s.salvage(b)
		}
		return
	}
	if s.p != nil {
		if ev.Type != "" {
			s.speak()
		}
		s.p.event(s, &ev)
	}
}

// speak tells, once, that the output is the stream its format says.
func (s *Stream) speak() {
	if !s.spoke {
		s.spoke = true
		s.activity(Activity{Kind: Spoke})
	}
}

// WantsStderr says whether the CLI's stderr has something for its report
// (FeedStderr).
func (s *Stream) WantsStderr() bool {
	_, ok := s.p.(stderrParser)
	return ok
}

// FeedStderr reads one line of the CLI's stderr (without its newline).
func (s *Stream) FeedStderr(line []byte) {
	if p, ok := s.p.(stderrParser); ok {
		p.stderr(s, string(bytes.TrimSpace(line)))
	}
}

// turnUsage counts the usage a model message reported so far, for a run
// whose result never comes; a later line of the same message replaces its
// figures. A result's total replaces them all (totalUsage).
func (s *Stream) turnUsage(id string, u *usage) {
	if u == nil || s.final {
		return
	}
	if s.turns == nil {
		s.turns = map[string]usage{}
	}
	prev := s.turns[id]
	s.turns[id] = usage{
		InputTokens:         max(prev.InputTokens, u.InputTokens),
		CacheCreationTokens: max(prev.CacheCreationTokens, u.CacheCreationTokens),
		CacheReadTokens:     max(prev.CacheReadTokens, u.CacheReadTokens),
		OutputTokens:        max(prev.OutputTokens, u.OutputTokens),
	}
	var in, out int64
	for _, t := range s.turns {
		in += t.InputTokens + t.CacheCreationTokens + t.CacheReadTokens
		out += t.OutputTokens
	}
	s.report.TokensIn, s.report.TokensOut = in, out
}

// totalUsage is a result's usage: the run's total.
func (s *Stream) totalUsage(in, out int64) {
	s.final = true
	s.report.TokensIn, s.report.TokensOut = in, out
}

// apiFailed records a failed call to the model's API: retried, or given
// up. status is its HTTP status when the CLI says it (0 when not; then
// the message may name it).
func (s *Stream) apiFailed(status int, msg string, retried bool) {
	if retried {
		s.report.Retries++
	}
	if status == 0 {
		status = statusIn(msg)
	}
	if status != 0 {
		s.report.APIStatus = status
	}
	if msg != "" {
		s.report.APIError = capString(msg, 500)
	}
}

// statusRE finds an HTTP status in a CLI's words for an API error: "last
// status: 429 Too Many Requests" (codex), "\"code\":500" (gemini), "API
// Error: 500" (claude).
var statusRE = regexp.MustCompile(`(?i)(?:status:?|"code":|api error:?)\s*([1-5][0-9][0-9])\b`)

// statusIn is the HTTP status msg names, or 0.
func statusIn(msg string) int {
	m := statusRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// salvage finds the file an over-long tool call writes from its head:
// each CLI puts the path before the content.
func (s *Stream) salvage(head []byte) {
	for _, key := range []string{`"file_path":"`, `"file_path": "`, `"path":"`} {
		i := bytes.Index(head, []byte(key))
		if i < 0 {
			continue
		}
		rest := head[i+len(key):]
		j := bytes.IndexByte(rest, '"')
		if j <= 0 {
			continue
		}
		var p string
		if json.Unmarshal(append(append([]byte{'"'}, rest[:j]...), '"'), &p) == nil {
			s.wrote(p, "")
		}
		return
	}
}

// streamEvent holds the fields of every format's events; each parser
// reads its own. They are decoded together, so a line whose field has a
// type another format gives it is skipped (codex's and gemini's "error"
// events with a string message are, today): splitting it per CLI would
// change what is read.
type streamEvent struct {
	Type    string `json:"type"`
	Subtype string `json:"subtype"`
	// claude
	ErrorStatus    int               `json:"error_status"`     // system/api_retry
	APIErrorStatus int               `json:"api_error_status"` // result
	SessionID      string            `json:"session_id"`
	Message        *claudeMessage    `json:"message"`
	IsError        bool              `json:"is_error"`
	NumTurns       int               `json:"num_turns"`
	Result         json.RawMessage   `json:"result"`
	Cost           float64           `json:"total_cost_usd"`
	Usage          *usage            `json:"usage"`
	Errors         []json.RawMessage `json:"errors"`
	// codex
	ThreadID string          `json:"thread_id"`
	Item     *codexItem      `json:"item"`
	Error    json.RawMessage `json:"error"`
	// gemini
	ToolName   string          `json:"tool_name"`
	ToolID     string          `json:"tool_id"`
	Parameters toolInput       `json:"parameters"`
	Status     string          `json:"status"`
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Delta      bool            `json:"delta"`
	Stats      *geminiStats    `json:"stats"`
}

// toolInput is what hookd reads of a tool call's input: the file it
// writes, or the command it runs. The rest (a Write's content) is skipped
// unread.
type toolInput struct {
	FilePath     string `json:"file_path"`
	NotebookPath string `json:"notebook_path"`
	AbsolutePath string `json:"absolute_path"`
	Path         string `json:"path"`
	Command      string `json:"command"`
}

type usage struct {
	InputTokens         int64 `json:"input_tokens"`
	CacheCreationTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadTokens     int64 `json:"cache_read_input_tokens"`
	OutputTokens        int64 `json:"output_tokens"`
}

// wrote records a file an agent's tool writes.
func (s *Stream) wrote(p, tool string) {
	rel := s.relative(p)
	if !s.files[rel] {
		s.files[rel] = true
		s.report.Files = append(s.report.Files, rel)
	}
	s.activity(Activity{Kind: Writes, Path: rel})
	if s.line != nil {
		s.line(joinNonEmpty(" ", tool, rel))
	}
}

// ran records a shell command; a non-empty id opens an opaque call.
func (s *Stream) ran(cmd, id string) {
	if cmd != "" {
		s.report.Commands = append(s.report.Commands, capString(cmd, 500))
	}
	if id != "" {
		s.opaque[id] = true
		s.activity(Activity{Kind: OpaqueStart, Tool: id})
	}
	if s.line != nil && cmd != "" {
		s.line("$ " + capString(firstLine(cmd), 200))
	}
}

// done ends an opaque call, if id is one.
func (s *Stream) done(id string) {
	if s.opaque[id] {
		delete(s.opaque, id)
		s.activity(Activity{Kind: OpaqueEnd, Tool: id})
	}
}

// Finish completes the report once the output has ended; its Final is
// capped at finalCap bytes.
func (s *Stream) Finish(finalCap int) *event.AgentReport {
	if s.p != nil {
		s.p.end(s)
	}
	if s.report.Final == "" {
		s.report.Final = s.text
	}
	s.report.Final = capString(s.report.Final, finalCap)
	// What was spent counts against budgets: a stream that says less than
	// nothing does not give any back.
	s.report.TokensIn, s.report.TokensOut, s.report.Cost = max(0, s.report.TokensIn), max(0, s.report.TokensOut), max(0, s.report.Cost)
	// Whatever is still open ended with the process.
	for id := range s.opaque {
		s.done(id)
	}
	r := s.report
	return &r
}

// relative makes an agent's path repository-relative: the CLIs name
// files absolutely (claude) or relative to their working directory.
func (s *Stream) relative(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.dir, p)
	}
	if rel, err := filepath.Rel(s.root, p); err == nil && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && rel != ".." {
		return filepath.ToSlash(rel)
	}
	return p
}

// errorText reads an error a CLI reports: a string, or an object with a
// message.
func errorText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	var obj struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Message != "" {
		return obj.Message
	}
	return capString(string(raw), 500)
}

func errorsText(errs []json.RawMessage) string {
	var parts []string
	for _, e := range errs {
		if t := errorText(e); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "; ")
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func capString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

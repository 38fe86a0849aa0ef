package runner

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hookd-dev/hookd/event"
)

// The structured output of the agent CLIs, as each prints it in its own
// mode (verified against claude 2.1, codex 0.169 and gemini-cli 0.61):
//
//   - claude -p --output-format stream-json --verbose: a "system" init line
//     with the session id, "assistant" lines whose tool_use blocks name each
//     tool call (Write/Edit/MultiEdit with file_path, Bash with command)
//     before it runs, "user" lines with their tool_result, and a "result"
//     line with is_error, num_turns, usage and total_cost_usd.
//   - codex exec --json: thread.started (the id `codex exec resume`
//     takes), item.started/item.completed (command_execution, file_change,
//     agent_message; "error" items are warnings), turn.completed with usage,
//     turn.failed and error.
//   - gemini -o stream-json: init (session_id), tool_use (tool_name,
//     parameters.file_path) and tool_result, message, and result (status,
//     stats).
//
// These formats change between versions: a type or field the parser does
// not know is ignored, never fatal.

// Formats of agent output that hookd reads.
const (
	FormatText   = "text"
	FormatClaude = "claude"
	FormatCodex  = "codex"
	FormatGemini = "gemini"
)

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
	// Writes: a file tool writes Path (the CLIs report it before the
	// write, except codex's file_change, which comes after).
	Writes ActivityKind = iota
	// OpaqueStart: a call whose writes cannot be told, a shell command,
	// has begun; OpaqueEnd: it has ended.
	OpaqueStart
	OpaqueEnd
)

// MaxStreamLine is the longest line of structured output read whole; a
// longer one (a Write of a large file) is read for its head only, which
// is where the CLIs put file_path.
const MaxStreamLine = 1 << 20

// streamHead is how much of an over-long line is kept for its fields.
const streamHead = 64 << 10

// stream parses an agent CLI's structured output line by line into its
// report, telling activity as it comes.
type stream struct {
	format   string
	report   event.AgentReport
	root     string // the repository, to make the agent's paths relative
	dir      string // the agent's working directory, for its relative paths
	activity func(Activity)
	line     func(string) // a one-line summary for the log, or nil

	files  map[string]bool
	opaque map[string]bool // open opaque calls, by id
	text   string          // the last assistant text, for Final when no result says it
	// lastText is claude's last assistant line without a tool call, kept
	// undecoded: only the last one's text is ever needed.
	lastText []byte
}

func newStream(format, root, dir string, activity func(Activity), line func(string)) *stream {
	if activity == nil {
		activity = func(Activity) {}
	}
	return &stream{format: format, report: event.AgentReport{Format: format}, root: root, dir: dir,
		activity: activity, line: line, files: map[string]bool{}, opaque: map[string]bool{}}
}

// feed parses one line of output (without its newline). truncated says
// the line was longer than MaxStreamLine and b is its head.
func (s *stream) feed(b []byte, truncated bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return
	}
	if b[0] != '{' {
		s.report.Skipped++ // a banner or warning on stdout
		return
	}
	if s.format == FormatClaude {
		// Most of a claude stream is messages hookd needs only the last
		// of, and tool results: skip decoding what cannot matter now.
		switch {
		case bytes.HasPrefix(b, []byte(`{"type":"user"`)) && len(s.opaque) == 0:
			return // no shell command is open for a result to end
		case bytes.HasPrefix(b, []byte(`{"type":"assistant"`)) && !bytes.Contains(b, []byte(`"tool_use"`)):
			s.lastText = append(s.lastText[:0], b...) // read at finish, if no result says it
			return
		}
	}
	var ev streamEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		s.report.Skipped++
		if truncated {
			s.salvage(b)
		}
		return
	}
	switch s.format {
	case FormatClaude:
		s.claude(&ev)
	case FormatCodex:
		s.codex(&ev)
	case FormatGemini:
		s.gemini(&ev)
	}
}

// salvage finds the file an over-long tool call writes from its head:
// each CLI puts the path before the content.
func (s *stream) salvage(head []byte) {
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
// reads its own.
type streamEvent struct {
	Type    string `json:"type"`
	Subtype string `json:"subtype"`
	// claude
	SessionID string            `json:"session_id"`
	Message   *claudeMessage    `json:"message"`
	IsError   bool              `json:"is_error"`
	NumTurns  int               `json:"num_turns"`
	Result    json.RawMessage   `json:"result"`
	Cost      float64           `json:"total_cost_usd"`
	Usage     *usage            `json:"usage"`
	Errors    []json.RawMessage `json:"errors"`
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

type claudeMessage struct {
	Content []claudeBlock `json:"content"`
}

type claudeBlock struct {
	Type      string    `json:"type"`
	Text      string    `json:"text"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Input     toolInput `json:"input"`
	ToolUseID string    `json:"tool_use_id"`
}

type codexItem struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Text    string `json:"text"`
	Message string `json:"message"`
	Command string `json:"command"`
	Changes []struct {
		Path string `json:"path"`
	} `json:"changes"`
}

type geminiStats struct {
	TotalTokens  int64 `json:"total_tokens"`
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	ToolCalls    int   `json:"tool_calls"`
}

// claudeFileTool says whether a claude tool writes the file in its input.
func claudeFileTool(name string) bool {
	switch name {
	case "Write", "Edit", "MultiEdit", "NotebookEdit":
		return true
	}
	return false
}

func (s *stream) claude(ev *streamEvent) {
	switch ev.Type {
	case "system":
		if ev.SessionID != "" {
			s.report.Session = ev.SessionID
		}
	case "assistant":
		if ev.Message == nil {
			return
		}
		for _, b := range ev.Message.Content {
			switch b.Type {
			case "text":
				if strings.TrimSpace(b.Text) != "" {
					s.text = b.Text
				}
			case "tool_use":
				if claudeFileTool(b.Name) {
					if p := cmp.Or(b.Input.FilePath, b.Input.NotebookPath); p != "" {
						s.wrote(p, b.Name)
					}
				} else if b.Name == "Bash" {
					s.ran(b.Input.Command, b.ID)
				}
			}
		}
	case "user":
		if ev.Message == nil {
			return
		}
		for _, b := range ev.Message.Content {
			if b.Type == "tool_result" {
				s.done(b.ToolUseID)
			}
		}
	case "result":
		s.report.Ended = true
		if ev.SessionID != "" {
			s.report.Session = ev.SessionID
		}
		s.report.Turns = ev.NumTurns
		s.report.Cost = ev.Cost
		if u := ev.Usage; u != nil {
			s.report.TokensIn = u.InputTokens + u.CacheCreationTokens + u.CacheReadTokens
			s.report.TokensOut = u.OutputTokens
		}
		var result string
		_ = json.Unmarshal(ev.Result, &result)
		s.report.Final = result
		if ev.IsError || (ev.Subtype != "" && ev.Subtype != "success") {
			s.report.Error = joinNonEmpty(": ", ev.Subtype, result, errorsText(ev.Errors))
			if s.report.Error == "" {
				s.report.Error = "the agent reported an error"
			}
		}
	}
}

func (s *stream) codex(ev *streamEvent) {
	switch ev.Type {
	case "thread.started":
		s.report.Session = ev.ThreadID
	case "turn.started":
		s.report.Turns++
	case "turn.completed":
		if u := ev.Usage; u != nil {
			s.report.TokensIn += u.InputTokens
			s.report.TokensOut += u.OutputTokens
		}
		s.report.Ended = true
	case "turn.failed", "error":
		s.report.Ended = true
		s.report.Error = joinNonEmpty(": ", errorText(ev.Error), ev.Status)
		if s.report.Error == "" {
			s.report.Error = ev.Type
		}
	case "item.started", "item.updated", "item.completed":
		it := ev.Item
		if it == nil {
			return
		}
		switch it.Type {
		case "command_execution":
			if ev.Type == "item.completed" {
				if !s.opaque[it.ID] {
					s.ran(it.Command, "") // never seen starting: it is over
				}
				s.done(it.ID)
			} else if !s.opaque[it.ID] {
				s.ran(it.Command, it.ID)
			}
		case "file_change":
			for _, c := range it.Changes {
				s.wrote(c.Path, "")
			}
		case "agent_message":
			if ev.Type == "item.completed" && strings.TrimSpace(it.Text) != "" {
				s.text = it.Text
				s.report.Final = it.Text
			}
		}
	}
}

// geminiFileTools are gemini's tools that write the file in their
// parameters.
var geminiFileTools = map[string]bool{"write_file": true, "replace": true, "edit": true}

func (s *stream) gemini(ev *streamEvent) {
	switch ev.Type {
	case "init":
		s.report.Session = ev.SessionID
	case "tool_use":
		switch {
		case geminiFileTools[ev.ToolName]:
			if p := cmp.Or(ev.Parameters.FilePath, ev.Parameters.AbsolutePath, ev.Parameters.Path); p != "" {
				s.wrote(p, ev.ToolName)
			}
		case ev.ToolName == "run_shell_command":
			s.ran(ev.Parameters.Command, ev.ToolID)
		}
	case "tool_result":
		s.done(ev.ToolID)
	case "message":
		if ev.Role != "assistant" {
			return
		}
		var text string
		_ = json.Unmarshal(ev.Content, &text)
		if ev.Delta {
			s.text += text
		} else if text != "" {
			s.text = text
		}
	case "result":
		s.report.Ended = true
		if st := ev.Stats; st != nil {
			s.report.TokensIn, s.report.TokensOut = st.InputTokens, st.OutputTokens
		}
		if ev.Status != "" && ev.Status != "success" {
			s.report.Error = joinNonEmpty(": ", ev.Status, errorText(ev.Error))
		}
		s.report.Turns = max(s.report.Turns, 1)
	case "error":
		s.report.Error = joinNonEmpty(": ", errorText(ev.Error), ev.Status)
		if s.report.Error == "" {
			s.report.Error = "error"
		}
	}
}

// wrote records a file an agent's tool writes.
func (s *stream) wrote(p, tool string) {
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
func (s *stream) ran(cmd, id string) {
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
func (s *stream) done(id string) {
	if s.opaque[id] {
		delete(s.opaque, id)
		s.activity(Activity{Kind: OpaqueEnd, Tool: id})
	}
}

// finish completes the report once the stream has ended.
func (s *stream) finish() *event.AgentReport {
	if len(s.lastText) > 0 && s.report.Final == "" {
		var ev streamEvent
		if json.Unmarshal(s.lastText, &ev) == nil {
			s.claude(&ev)
		} else {
			s.report.Skipped++
		}
		s.lastText = nil
	}
	if s.report.Final == "" {
		s.report.Final = s.text
	}
	s.report.Final = capString(s.report.Final, OutputCap)
	// Whatever is still open ended with the process.
	for id := range s.opaque {
		s.done(id)
	}
	r := s.report
	return &r
}

// relative makes an agent's path repository-relative: the CLIs name
// files absolutely (claude) or relative to their working directory.
func (s *stream) relative(p string) string {
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

// agentOutput splits an agent's stdout into lines for its stream, as it
// comes. It keeps at most MaxStreamLine of a line, so a CLI that writes
// gigabytes without a newline costs a megabyte.
type agentOutput struct {
	s         *stream
	buf       []byte
	truncated bool
	// read counts the bytes read from the pipe, parsed those fed to the
	// stream: catchUp waits until parsed has reached what was in the pipe.
	read, parsed atomic.Int64
	progress     chan struct{} // signalled after each Write
}

func newAgentOutput(s *stream) *agentOutput {
	return &agentOutput{s: s, progress: make(chan struct{}, 1)}
}

func (w *agentOutput) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if room := MaxStreamLine - len(w.buf); room > 0 {
			w.buf = append(w.buf, chunk[:min(len(chunk), room)]...)
		}
		if len(w.buf)+len(chunk) > MaxStreamLine {
			w.truncated = true
		}
		if i < 0 {
			break
		}
		w.line()
		p = p[i+1:]
	}
	w.parsed.Add(int64(n))
	select {
	case w.progress <- struct{}{}:
	default:
	}
	return n, nil
}

func (w *agentOutput) line() {
	b := w.buf
	if w.truncated {
		b = b[:min(len(b), streamHead)]
	}
	w.s.feed(b, w.truncated)
	w.buf, w.truncated = w.buf[:0], false
	if cap(w.buf) > 64<<10 {
		w.buf = nil // one long line does not keep its megabyte
	}
}

// close feeds a last line that had no newline.
func (w *agentOutput) close() {
	if len(w.buf) > 0 {
		w.line()
	}
}

// countingReader counts what it reads into n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// catchUp waits, up to limit, until everything the agent has written to
// its stdout so far has been parsed: then a tool call it announced before
// making a write is known before that write is judged.
func (w *agentOutput) catchUp(pipe *os.File, limit time.Duration) {
	target := w.read.Load() + int64(pending(pipe))
	if w.parsed.Load() >= target {
		return
	}
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for w.parsed.Load() < target {
		select {
		case <-w.progress:
		case <-deadline.C:
			return
		}
	}
}

package agentcli

import (
	"cmp"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// gemini is Google's Gemini CLI.
//
// A run is `gemini -o stream-json`: without -p, gemini takes a piped
// stdin as its prompt and runs once, without a terminal (verified against
// gemini-cli 0.61). Its stream: init (session_id), tool_use (tool_name,
// parameters.file_path) before the tool runs and tool_result, message,
// and result (status, stats).
//
// Its session hooks (SessionStart, BeforeAgent, BeforeTool, AfterTool,
// AfterAgent, SessionEnd, verified with gemini-cli 0.61.0) go in
// .gemini/settings.json, its workspace settings, which have no personal
// variant. They take the same JSON on stdin as Claude Code's; exit 2
// denies with stderr as the reason; hookSpecificOutput.additionalContext
// is context.
type gemini struct{}

func (gemini) Name() string    { return "gemini" }
func (gemini) Program() string { return "gemini" }

func (gemini) Caps() Caps { return Caps{Resume: true, ExactWrites: true} }

func (c gemini) Invoke(a Agent, prompt, resume string) (*Invocation, error) {
	x := &Invocation{Cleanup: noCleanup}
	argv := []string{program(c, a)}
	switch {
	case !hasFlag(a.Args, "-o") && !hasFlag(a.Args, "--output-format"):
		argv, x.Format = append(argv, "-o", "stream-json"), c.Name()
	case flagValue(a.Args, "-o") == "stream-json" || flagValue(a.Args, "--output-format") == "stream-json":
		x.Format = c.Name()
	}
	if resume != "" {
		argv = append(argv, "--resume", resume)
	}
	x.Argv, x.Stdin = append(argv, a.Args...), []byte(prompt)
	return x, nil
}

func (c gemini) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), projectEnv: "GEMINI_PROJECT_DIR", timeout: 660_000, file: filepath.Join(".gemini", "settings.json"),
		events: map[string]event.Kind{
			"SessionStart": event.AgentSessionStart,
			"BeforeAgent":  event.AgentPrompt,
			"BeforeTool":   event.AgentToolBefore,
			"AfterTool":    event.AgentToolAfter,
			"AfterAgent":   event.AgentStop,
			"SessionEnd":   event.AgentSessionEnd,
		},
		order: []string{"SessionStart", "BeforeAgent", "BeforeTool", "AfterTool", "AfterAgent", "SessionEnd"},
		// Gemini's matcher is a regular expression, and none is every
		// tool.
		matcher: func(string) string { return "" },
		can: map[event.Kind]Answers{
			event.AgentToolBefore:   {Deny: true, Ask: true, Input: true},
			event.AgentToolAfter:    {Deny: true, Context: true},
			event.AgentPrompt:       {Deny: true, Context: true},
			event.AgentSessionStart: {Context: true},
			event.AgentStop:         {Continue: true},
		},
		decide: geminiDecision,
		// Its user settings, ~/.gemini/settings.json.
		userFile: filepath.Join(".gemini", "settings.json"),
	}
}

func (c gemini) Warnings(a Agent) []string { return capWarnings(c, a) }

func (gemini) parser() parser { return geminiParser{} }

type geminiStats struct {
	TotalTokens  int64 `json:"total_tokens"`
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	ToolCalls    int   `json:"tool_calls"`
}

// geminiFileTool says whether a gemini tool writes the file in its
// parameters.
func geminiFileTool(name string) bool {
	switch name {
	case "write_file", "replace", "edit":
		return true
	}
	return false
}

// geminiParser reads gemini -o stream-json, and its stderr: the stream
// says nothing of the API calls it retries (verified with gemini-cli
// 0.61.0), stderr does: "Attempt 2 failed with status 500. Retrying with
// backoff... _ApiError: …", and "Attempt 10 failed: {…}." when it gives up.
type geminiParser struct{}

var geminiRetryRE = regexp.MustCompile(`^Attempt \d+ failed(?: with status (\d{3}))?[.:] ?(.*)`)

func (geminiParser) stderr(s *Stream, line string) {
	m := geminiRetryRE.FindStringSubmatch(line)
	if m == nil {
		return
	}
	status, _ := strconv.Atoi(m[1])
	msg, retried := strings.CutPrefix(m[2], "Retrying with backoff...")
	if retried {
		msg = strings.TrimPrefix(strings.TrimSpace(msg), "_ApiError: ")
	}
	s.apiFailed(status, strings.TrimSuffix(strings.TrimSpace(msg), "."), retried)
}

func (geminiParser) skip(*Stream, []byte) bool { return false }
func (geminiParser) end(*Stream)               {}

func (geminiParser) event(s *Stream, ev *streamEvent) {
	switch ev.Type {
	case "init":
		s.report.Session = ev.SessionID
	case "tool_use":
		switch {
		case geminiFileTool(ev.ToolName):
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
			msg := errorText(ev.Error)
			s.report.Error = joinNonEmpty(": ", ev.Status, msg)
			if statusIn(msg) != 0 || s.report.Retries > 0 {
				// "[API Error: {\"error\":{…,\"code\":500}}]"
				s.apiFailed(0, msg, false)
			}
		}
		s.report.Turns = max(s.report.Turns, 1)
	case "error":
		s.report.Error = joinNonEmpty(": ", errorText(ev.Error), ev.Status)
		if s.report.Error == "" {
			s.report.Error = "error"
		}
	}
}

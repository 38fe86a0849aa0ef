package agentcli

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/safefile"
)

// claude is Claude Code.
//
// A run is `claude -p --output-format stream-json --verbose`, the prompt
// on stdin, verified against claude 2.1. Its stream: a "system" init line
// with the session id, "assistant" lines whose tool_use blocks name each
// tool call (Write/Edit/MultiEdit with file_path, Bash with command)
// before it runs, "user" lines with their tool_result, and a "result"
// line with is_error, num_turns, usage and total_cost_usd.
//
// Its session hooks (SessionStart, UserPromptSubmit, PreToolUse,
// PostToolUse, Stop, SessionEnd, verified with claude 2.1.197 in -p mode)
// go in .claude/settings.local.json, its personal project settings, which
// are not committed: a clone brings no hookd hooks into anyone's session.
type claude struct{}

func (claude) Name() string    { return "claude" }
func (claude) Program() string { return "claude" }

func (claude) Caps() Caps {
	return Caps{Resume: true, MaxTurns: true, Cost: true, ExactWrites: true}
}

func (c claude) Invoke(a Agent, prompt, resume string) (*Invocation, error) {
	x := &Invocation{Cleanup: noCleanup}
	argv := []string{program(c, a), "-p"}
	if !hasFlag(a.Args, "--output-format") {
		argv, x.Format = append(argv, "--output-format", "stream-json", "--verbose"), c.Name()
	} else if flagValue(a.Args, "--output-format") == "stream-json" {
		x.Format = c.Name()
	}
	if a.MaxTurns > 0 && !hasFlag(a.Args, "--max-turns") {
		argv = append(argv, "--max-turns", fmt.Sprint(a.MaxTurns))
	}
	if resume != "" {
		argv = append(argv, "--resume", resume)
	}
	x.Argv, x.Stdin = append(argv, a.Args...), []byte(prompt)
	return x, nil
}

func (c claude) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), file: filepath.Join(".claude", "settings.local.json"),
		events: claudeEvents(), order: claudeOrder(), matcher: claudeMatcher, projectEnv: "CLAUDE_PROJECT_DIR", timeout: 660,
		reach: "Claude Code reads a project's .claude settings only in the directory it starts in (verified with 2.1.197): " +
			"a session started in a subdirectory (cd src && claude) runs no hookd hook; start claude at the repository's root, " +
			"or install for your user (hookd agents install --user claude), which every session reaches",
		unreached: claudeUnreached, can: claudeCan(true), decide: claudeDecision,
		// Its user settings: every session, wherever it starts.
		userFile: filepath.Join(".claude", "settings.json")}
}

// claudeCan is what Claude Code's hooks take (verified with 2.1.197), and
// codex's (0.169.0, codex false), which has no ask (its hooks' ask ran
// the call without asking) and no allow hookd could verify (codex exec
// asks nothing; its maintainers closed the change that would read one).
func claudeCan(claude bool) map[event.Kind]Answers {
	return map[event.Kind]Answers{
		event.AgentToolBefore:   {Deny: true, Allow: claude, Ask: claude, Input: true},
		event.AgentToolAfter:    {Deny: true, Context: true},
		event.AgentPrompt:       {Deny: true, Context: true},
		event.AgentSessionStart: {Context: true},
		event.AgentStop:         {Continue: true},
	}
}

// claudeUnreached lists the subdirectories of root in which Claude Code
// sessions started, from its transcripts: ~/.claude/projects/<the
// starting directory, every character but a letter or digit made "-">/
// <session>.jsonl, whose lines carry the session's exact cwd (2.1.197).
// Sessions started at root are reached; those started below it are not
// (Claude reads .claude/settings*.json where it starts, not above).
func claudeUnreached(root, home string) []string {
	projects := filepath.Join(home, ".claude", "projects")
	entries, err := os.ReadDir(projects)
	if err != nil {
		return nil
	}
	prefix := claudeProjectName(root) + "-"
	var out []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		cwd := claudeSessionCwd(filepath.Join(projects, e.Name()))
		rel, err := filepath.Rel(root, cwd)
		if cwd == "" || err != nil || rel == "." || !filepath.IsLocal(rel) {
			continue // a sibling that only shares the prefix (my-repo-2), or unknown
		}
		if rel = filepath.ToSlash(rel); !slices.Contains(out, rel) {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

// claudeProjectName is the name of Claude Code's folder of the sessions
// started in dir.
func claudeProjectName(dir string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return '-'
	}, dir)
}

// claudeSessionCwd is the directory a session recorded in the project
// folder dir started in: the first cwd of its transcripts' first lines.
func claudeSessionCwd(dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, f := range files {
		data, _, err := safefile.ReadHead(f, 256<<10) // the cwd is on the first lines
		if err != nil {
			continue
		}
		for i, line := range bytes.SplitN(data, []byte("\n"), 21) {
			var l struct {
				Cwd string `json:"cwd"`
			}
			if i < 20 && json.Unmarshal(line, &l) == nil && filepath.IsAbs(l.Cwd) {
				return filepath.Clean(l.Cwd)
			}
		}
	}
	return ""
}

func (c claude) Warnings(a Agent) []string { return capWarnings(c, a) }

func (claude) parser() parser { return &claudeParser{} }

// claudeEvents maps Claude Code's hook events to hookd's. Codex uses the
// same.
func claudeEvents() map[string]event.Kind {
	return map[string]event.Kind{
		"SessionStart":     event.AgentSessionStart,
		"UserPromptSubmit": event.AgentPrompt,
		"PreToolUse":       event.AgentToolBefore,
		"PostToolUse":      event.AgentToolAfter,
		"Stop":             event.AgentStop,
		"SessionEnd":       event.AgentSessionEnd,
	}
}

// claudeOrder is the order install writes them in.
func claudeOrder() []string {
	return []string{"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd"}
}

// claudeMatcher matches every tool on the tool events.
func claudeMatcher(hookEvent string) string {
	if hookEvent == "PreToolUse" || hookEvent == "PostToolUse" {
		return "*"
	}
	return ""
}

type claudeMessage struct {
	ID      string        `json:"id"`
	Content []claudeBlock `json:"content"`
	Usage   *usage        `json:"usage"`
	// Text is a message that is a string, not an object: codex's error
	// events say {"type":"error","message":"…"}.
	Text string `json:"-"`
}

func (m *claudeMessage) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.Text)
	}
	type plain claudeMessage
	return json.Unmarshal(b, (*plain)(m))
}

type claudeBlock struct {
	Type      string    `json:"type"`
	Text      string    `json:"text"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Input     toolInput `json:"input"`
	ToolUseID string    `json:"tool_use_id"`
}

// claudeFileTool says whether a claude tool writes the file in its input.
func claudeFileTool(name string) bool {
	switch name {
	case "Write", "Edit", "MultiEdit", "NotebookEdit":
		return true
	}
	return false
}

// claudeParser reads claude's stream-json.
type claudeParser struct {
	// lastText is the last assistant line without a tool call, kept
	// undecoded: only the last one's text is ever needed.
	lastText []byte
}

// skip passes over what cannot matter now: most of a claude stream is
// messages hookd needs only the last of, and tool results.
func (p *claudeParser) skip(s *Stream, b []byte) bool {
	switch {
	case bytes.HasPrefix(b, []byte(`{"type":"user"`)) && len(s.opaque) == 0:
		return true // no shell command is open for a result to end
	case bytes.HasPrefix(b, []byte(`{"type":"assistant"`)) && !bytes.Contains(b, []byte(`"tool_use"`)):
		p.lastText = append(p.lastText[:0], b...) // read at the end, if no result says it
		// Its usage is read now: a run cut short has spent it.
		var m struct {
			Message struct {
				ID    string `json:"id"`
				Usage *usage `json:"usage"`
			} `json:"message"`
		}
		if json.Unmarshal(b, &m) == nil {
			s.turnUsage(m.Message.ID, m.Message.Usage)
		}
		return true
	}
	return false
}

func (p *claudeParser) event(s *Stream, ev *streamEvent) {
	switch ev.Type {
	case "system":
		if ev.SessionID != "" {
			s.report.Session = ev.SessionID
		}
		if ev.Subtype == "api_retry" {
			// {"attempt":1,"max_retries":10,"error_status":500,"error":"server_error"}
			s.apiFailed(ev.ErrorStatus, errorText(ev.Error), true)
		}
	case "assistant":
		if ev.Message == nil {
			return
		}
		s.turnUsage(ev.Message.ID, ev.Message.Usage)
		for _, b := range ev.Message.Content {
			switch b.Type {
			case "text":
				if strings.TrimSpace(b.Text) != "" {
					s.text = b.Text
				}
			case "tool_use":
				if claudeFileTool(b.Name) {
					if path := cmp.Or(b.Input.FilePath, b.Input.NotebookPath); path != "" {
						s.wrote(path, b.Name)
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
			s.totalUsage(u.InputTokens+u.CacheCreationTokens+u.CacheReadTokens, u.OutputTokens)
		}
		var result string
		_ = json.Unmarshal(ev.Result, &result)
		s.report.Final = result
		if ev.APIErrorStatus != 0 {
			// The API's last answer was an error: the result says it
			// ("API Error: 500 …") with a success subtype.
			s.apiFailed(ev.APIErrorStatus, result, false)
		}
		if ev.IsError || (ev.Subtype != "" && ev.Subtype != "success") {
			s.report.Error = joinNonEmpty(": ", ev.Subtype, result, errorsText(ev.Errors))
			if s.report.Error == "" {
				s.report.Error = "the agent reported an error"
			}
		}
	}
}

// end reads the last assistant text, when no result said the final one.
func (p *claudeParser) end(s *Stream) {
	if len(p.lastText) > 0 && s.report.Final == "" {
		var ev streamEvent
		if json.Unmarshal(p.lastText, &ev) == nil {
			p.event(s, &ev)
		} else {
			s.report.Skipped++
		}
	}
	p.lastText = nil
}

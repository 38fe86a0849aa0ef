package agentcli

import (
	"path/filepath"
	"strings"
)

// codex is OpenAI's Codex CLI.
//
// A run is `codex exec --json … -`: "-" reads the prompt from stdin, and
// codex blocks on a stdin it was not told to read, so it is always told
// (verified against codex 0.169). Its events: thread.started (the id
// `codex exec resume` takes), item.started/item.completed
// (command_execution, file_change, agent_message; "error" items are
// warnings), turn.completed with usage, turn.failed and error. A
// file_change comes after the write: codex does not report writes before
// making them.
//
// Its session hooks are Claude Code's event names and protocol in
// .codex/hooks.json (verified with codex 0.169.0, which runs a project's
// hooks once the project and the hooks are trusted); there is no personal
// variant of that file.
type codex struct{}

func (codex) Name() string    { return "codex" }
func (codex) Program() string { return "codex" }

func (codex) Caps() Caps { return Caps{Resume: true} }

func (c codex) Invoke(a Agent, prompt, resume string) (*Invocation, error) {
	argv := []string{program(c, a), "exec"}
	if !hasFlag(a.Args, "--json") && !hasFlag(a.Args, "--experimental-json") {
		argv = append(argv, "--json")
	}
	argv = append(argv, a.Args...)
	if resume != "" {
		argv = append(argv, "resume", resume)
	}
	return &Invocation{Argv: append(argv, "-"), Stdin: []byte(prompt), Format: c.Name(), Cleanup: noCleanup}, nil
}

func (c codex) Sessions() Sessions {
	return jsonHooks{agent: c.Name(), file: filepath.Join(".codex", "hooks.json"),
		events: claudeEvents(), order: claudeOrder(), matcher: claudeMatcher, timeout: 660,
		can: claudeCan(false), decide: codexDecision,
		// ~/.codex/hooks.json, next to its user config layer (its docs).
		userFile: filepath.Join(".codex", "hooks.json")}
}

func (c codex) Warnings(a Agent) []string { return capWarnings(c, a) }

func (codex) parser() parser { return codexParser{} }

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

// codexParser reads codex exec --json.
type codexParser struct{}

func (codexParser) skip(*Stream, []byte) bool { return false }
func (codexParser) end(*Stream)               {}

func (codexParser) event(s *Stream, ev *streamEvent) {
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
		msg := errorText(ev.Error)
		if ev.Message != nil && msg == "" {
			msg = ev.Message.Text
		}
		if retry, ok := strings.CutPrefix(msg, "Reconnecting..."); ok {
			// Not the end: codex retries the API ("Reconnecting... 2/5
			// (…)", "Reconnecting... waiting for network (…)").
			retry = strings.TrimSpace(retry)
			if n, rest, ok := strings.Cut(retry, " "); ok && strings.Contains(n, "/") {
				retry = rest // the count, "2/5"
			}
			if strings.HasPrefix(retry, "(") && strings.HasSuffix(retry, ")") {
				retry = retry[1 : len(retry)-1]
			}
			s.apiFailed(0, retry, true)
			return
		}
		s.report.Ended = true
		s.report.Error = joinNonEmpty(": ", msg, ev.Status)
		if s.report.Error == "" {
			s.report.Error = ev.Type
		}
		if statusIn(msg) != 0 || s.report.Retries > 0 {
			// The API's failure, not another: "exceeded retry limit, last
			// status: 429 Too Many Requests", or after reconnecting.
			s.apiFailed(0, msg, false)
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

package agentcli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// Lines as the real CLI prints them (gemini-cli 0.61.0 against the API
// stand-in).
const (
	geminiInit   = `{"type":"init","timestamp":"2026-12-02T02:37:58.851Z","session_id":"d728","model":"auto"}`
	geminiUser   = `{"type":"message","role":"user","content":"write g\n"}`
	geminiWrite  = `{"type":"tool_use","tool_name":"write_file","tool_id":"write_file_1","parameters":{"file_path":"g.txt","content":"x\n"}}`
	geminiWrote  = `{"type":"tool_result","tool_id":"write_file_1","status":"success"}`
	geminiShell  = `{"type":"tool_use","tool_name":"run_shell_command","tool_id":"sh_1","parameters":{"command":"make"}}`
	geminiShDone = `{"type":"tool_result","tool_id":"sh_1","status":"success"}`
	geminiMsg1   = `{"type":"message","role":"assistant","content":"STUB-","delta":true}`
	geminiMsg2   = `{"type":"message","role":"assistant","content":"REPLY","delta":true}`
	geminiDone   = `{"type":"result","status":"success","stats":{"total_tokens":45,"input_tokens":30,"output_tokens":15,"cached":0,"duration_ms":383,"tool_calls":1}}`
)

func TestGeminiStream(t *testing.T) {
	s, told := parse(t, "gemini", "/repo/web", geminiInit, geminiUser, geminiWrite, geminiWrote, geminiShell, geminiShDone, geminiMsg1, geminiMsg2, geminiDone)
	r := s.Finish(finalCap)
	if want := []string{"writes web/g.txt", "opaque sh_1", "end sh_1"}; !slices.Equal(told, want) {
		t.Errorf("activity %q, want %q", told, want)
	}
	if r.Session != "d728" || r.Final != "STUB-REPLY" || r.TokensIn != 30 || r.TokensOut != 15 || !r.Ended || r.Error != "" {
		t.Errorf("report %+v", r)
	}
	s, _ = parse(t, "gemini", "/repo", geminiInit, `{"type":"result","status":"error","error":{"type":"FatalTurnLimitedError","message":"max turns"}}`)
	if r := s.Finish(finalCap); r.Error != "error: max turns" {
		t.Errorf("error result: %+v", r)
	}
}

func TestGeminiInvoke(t *testing.T) {
	c := Lookup("gemini")
	x, err := c.Invoke(Agent{Args: []string{"-y"}}, "-p x", "latest")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gemini", "-o", "stream-json", "--resume", "latest", "-y"}; !slices.Equal(x.Argv, want) || x.Format != "gemini" || string(x.Stdin) != "-p x" {
		t.Errorf("argv %q, format %q, stdin %q", x.Argv, x.Format, x.Stdin)
	}
	for args, format := range map[string]string{"-o json": "", "--output-format=stream-json": "gemini", "-o stream-json": "gemini"} {
		x, _ := c.Invoke(Agent{Args: strings.Fields(args)}, "p", "")
		if want := append([]string{"gemini"}, strings.Fields(args)...); x.Format != format || !slices.Equal(x.Argv, want) {
			t.Errorf("%s: argv %q, format %q", args, x.Argv, x.Format)
		}
	}
	if caps := c.Caps(); !caps.Resume || !caps.ExactWrites || caps.MaxTurns {
		t.Errorf("caps %+v", caps)
	}
}

// Gemini CLI's hooks hand the same JSON as claude's under its own event
// names, in .gemini/settings.json, without a matcher (its matcher is a
// regular expression).
func TestGeminiSessions(t *testing.T) {
	s := Lookup("gemini").Sessions()
	c, err := s.Parse("BeforeTool", []byte(`{"session_id":"g1","cwd":"/repo","hook_event_name":"BeforeTool","tool_name":"write_file","tool_input":{"file_path":"notes/a.md","content":"x"}}`), "/repo")
	if err != nil || c.Kind != event.AgentToolBefore || !slices.Equal(c.Files, []string{"notes/a.md"}) || c.Agent.Name != "gemini" {
		t.Errorf("%+v %v", c, err)
	}
	if c, _ := s.Parse("BeforeAgent", []byte(`{"hook_event_name":"BeforeAgent","prompt":"p"}`), "/repo"); c.Kind != event.AgentPrompt || c.Agent.Prompt != "p" {
		t.Errorf("prompt: %+v", c)
	}
	if out, _, _ := s.Answer(event.AgentToolAfter, Verdict{Context: "ctx"}); !strings.Contains(out, `"hookEventName":"AfterTool"`) {
		t.Errorf("context: %q", out)
	}
	root := t.TempDir()
	if rel, changed, err := s.Install(root, "hookd", filepath.Join(t.TempDir(), "keep")); err != nil || !changed || rel != filepath.Join(".gemini", "settings.json") {
		t.Fatal(rel, changed, err)
	}
	data, _ := os.ReadFile(filepath.Join(root, ".gemini", "settings.json"))
	if strings.Contains(string(data), "matcher") || !strings.Contains(string(data), "hookd agent-hook gemini BeforeTool") {
		t.Errorf("installed:\n%s", data)
	}
}

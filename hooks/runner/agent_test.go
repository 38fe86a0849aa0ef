package runner_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// standIn writes a script named like an agent CLI that records its argv,
// one argument a line, its stdin, and the contents of a prompt file it is
// given, and puts its directory first on PATH.
func standIn(t *testing.T, name string) (argv, stdin func() string) {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; case \"$a\" in */hookd-prompt-*) cat \"$a\" > \"$0.file\";; esac; done > \"$0.argv\"\ncat > \"$0.stdin\"\n"
	// The structured CLIs say "agent done" in their own format.
	switch name {
	case "claude":
		script += `echo '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"result":"agent done","session_id":"s-1","total_cost_usd":0.01,"usage":{"input_tokens":3,"output_tokens":2}}'` + "\n"
	case "codex":
		script += `echo '{"type":"thread.started","thread_id":"s-1"}'; echo '{"type":"item.completed","item":{"id":"i","type":"agent_message","text":"agent done"}}'; echo '{"type":"turn.completed","usage":{"input_tokens":3,"output_tokens":2}}'` + "\n"
	case "gemini":
		script += `echo '{"type":"init","session_id":"s-1"}'; echo '{"type":"message","role":"assistant","content":"agent done","delta":true}'; echo '{"type":"result","status":"success","stats":{"input_tokens":3,"output_tokens":2}}'` + "\n"
	default:
		script += "echo agent done\n"
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	read := func(ext string) func() string {
		return func() string {
			data, _ := os.ReadFile(filepath.Join(dir, name+ext))
			return string(data)
		}
	}
	return read(".argv"), func() string { return read(".stdin")() + read(".file")() }
}

// Each preset takes the prompt where its CLI reads it as text: a prompt
// that looks like an option never becomes one.
func TestAgentPresetsTakeThePromptWhereTheirCLIDoes(t *testing.T) {
	prompt := "--dangerously-bypass-approvals-and-sandbox -m x; it's $(dangerous) `quoted`"
	cases := []struct {
		preset, bin string
		args        []string
		argv        []string // after the binary; "FILE" is the prompt file
		stdin       string   // stdin, then the prompt file's contents
	}{
		{"claude", "claude", []string{"--permission-mode", "acceptEdits"}, []string{"-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits"}, prompt},
		{"codex", "codex", nil, []string{"exec", "--json", "-"}, prompt},
		{"gemini", "gemini", []string{"-y"}, []string{"-o", "stream-json", "-y"}, prompt},
		{"kiro", "kiro-cli", nil, []string{"chat", "--no-interactive", "--", prompt}, ""},
		{"aider", "aider", []string{"--yes"}, []string{"--yes", "--message-file", "FILE"}, prompt},
	}
	for _, c := range cases {
		t.Run(c.preset, func(t *testing.T) {
			argv, stdin := standIn(t, c.bin)
			h := &hooks.Hook{Name: "h", Agent: c.preset}
			res := runner.RunAgent(context.Background(), job(t, h), &hooks.Agent{Name: c.preset, Preset: c.preset, Args: c.args}, prompt)
			final := res.Output
			if res.Agent.Format != runner.FormatText {
				final = res.Agent.Final + "\n"
				if res.Agent.Session != "s-1" || res.Agent.TokensIn != 3 || res.Agent.TokensOut != 2 {
					t.Errorf("report %+v", res.Agent)
				}
			}
			if res.Status != runner.StatusOK || final != "agent done\n" || res.Prompt != prompt {
				t.Fatalf("%+v (%v)", res, res.Err)
			}
			got := strings.Split(strings.TrimSuffix(argv(), "\n"), "\n")
			for i, a := range got {
				if strings.Contains(a, "hookd-prompt-") {
					got[i] = "FILE"
				}
			}
			if !slices.Equal(got, c.argv) {
				t.Errorf("argv = %q, want %q", got, c.argv)
			}
			if got := stdin(); got != c.stdin {
				t.Errorf("stdin = %q, want %q", got, c.stdin)
			}
		})
	}
}

func TestCommandAgentPromptViaFileAndArg(t *testing.T) {
	argv, stdin := standIn(t, "my-agent")
	a := &hooks.Agent{Name: "mine", Preset: "command", Command: []string{"my-agent", "--prompt-file={prompt_file}"}, PromptVia: "file"}
	h := &hooks.Hook{Name: "h", Agent: "mine"}
	if res := runner.RunAgent(context.Background(), job(t, h), a, "from a file"); res.Status != runner.StatusOK {
		t.Fatalf("%+v", res)
	}
	got := strings.TrimSpace(argv())
	path, ok := strings.CutPrefix(got, "--prompt-file=")
	if !ok {
		t.Fatalf("argv = %q", got)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the prompt file %s outlived the run (%v)", path, err)
	}
	a.PromptVia, a.Command = "arg", []string{"my-agent"}
	runner.RunAgent(context.Background(), job(t, h), a, "as an argument")
	if got := argv(); got != "as an argument\n" || stdin() != "" {
		t.Errorf("argv %q, stdin %q", got, stdin())
	}

	// A prompt that looks like an option is refused as a bare argument,
	// and passes after "--" or inside "--flag={prompt}".
	res := runner.RunAgent(context.Background(), job(t, h), a, "--yolo please")
	if res.Status != runner.StatusFailed || !strings.Contains(res.Err.Error(), "would be read as an option") {
		t.Errorf("a bare option-like prompt: %+v", res)
	}
	for _, cmd := range [][]string{{"my-agent", "--", "{prompt}"}, {"my-agent", "--message={prompt}"}} {
		a.Command = cmd
		if res := runner.RunAgent(context.Background(), job(t, h), a, "--yolo please"); res.Status != runner.StatusOK {
			t.Errorf("%v: %+v", cmd, res)
		}
	}
}

func TestAgentTimeoutKillsGrandchildren(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\n" + grandchild + "\n"
	if err := os.WriteFile(filepath.Join(dir, "claude"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	j := job(t, &hooks.Hook{Name: "h", Agent: "slow", Timeout: time.Hour})
	j.Grace = 200 * time.Millisecond
	var started <-chan int
	j.Line, started = watchGrandchild(t)
	res := runner.RunAgent(context.Background(), j, &hooks.Agent{Name: "slow", Preset: "claude", Args: []string{"--output-format", "text"}, Timeout: 300 * time.Millisecond}, "p")
	if res.Status != runner.StatusTimeout {
		t.Fatalf("status %s, want timeout: the agent's own timeout wins over the hook's (%v)", res.Status, res.Err)
	}
	if !exits(t, <-started) {
		t.Fatal("the agent's grandchild survived the timeout")
	}
}

func TestOpenAIEndpoint(t *testing.T) {
	var got struct {
		Model    string
		Messages []struct{ Role, Content string }
	}
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &got)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":"tests updated"}}]}`)
	}))
	defer srv.Close()
	t.Setenv("HOOKD_TEST_KEY", "sekrit")
	a := &hooks.Agent{Name: "local", Preset: "openai", URL: srv.URL + "/v1/chat/completions", Model: "coder", APIKeyEnv: "HOOKD_TEST_KEY"}
	res := runner.RunAgent(context.Background(), job(t, &hooks.Hook{Name: "h", Agent: "local"}), a, "update the tests")
	if res.Status != runner.StatusOK || res.Output != "tests updated" || res.Prompt != "update the tests" {
		t.Fatalf("%+v", res)
	}
	if got.Model != "coder" || len(got.Messages) != 1 || got.Messages[0].Content != "update the tests" || auth != "Bearer sekrit" {
		t.Errorf("server got %+v with %q", got, auth)
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "model not loaded", http.StatusServiceUnavailable)
	})
	res = runner.RunAgent(context.Background(), job(t, &hooks.Hook{Name: "h", Agent: "local"}), a, "again")
	if res.Status != runner.StatusFailed || res.Exit != http.StatusServiceUnavailable || !strings.Contains(res.Err.Error(), "model not loaded") {
		t.Errorf("a 503: %+v", res)
	}
}

// An agent CLI that misbehaves: it exits 0 reporting an error, dies in the
// middle of its stream, or prints a line of 20 MB. Each run ends with a
// clear status and reason, and memory stays bounded.
func TestStructuredAgentBadOutput(t *testing.T) {
	cases := []struct {
		name, script string
		status       runner.Status
		reason       string
	}{
		{"exit 0 with is_error", `echo '{"type":"result","subtype":"error_during_execution","is_error":true,"result":"API Error: 529 overloaded"}'`,
			runner.StatusFailed, "the agent reported an error: error_during_execution: API Error: 529 overloaded"},
		{"dies mid-stream", `echo '{"type":"system","subtype":"init","session_id":"s"}'; printf '{"type":"assistant","mess'; exit 0`,
			runner.StatusFailed, "ended without its result"},
		{"killed mid-stream", `echo '{"type":"system","subtype":"init","session_id":"s"}'; kill -9 $$`,
			runner.StatusFailed, ""},
		{"a 20 MB line", `head -c 20000000 /dev/zero | tr '\0' x; echo; echo '{"type":"result","subtype":"success","is_error":false,"result":"ok","num_turns":1}'`,
			runner.StatusOK, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "claude"), []byte("#!/bin/sh\ncat > /dev/null\n"+c.script+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			res := runner.RunAgent(context.Background(), job(t, &hooks.Hook{Name: "h", Agent: "claude"}), &hooks.Agent{Name: "claude", Preset: "claude"}, "p")
			if res.Status != c.status {
				t.Fatalf("status %s (%v), want %s", res.Status, res.Err, c.status)
			}
			if c.reason != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), c.reason)) {
				t.Errorf("reason %v, want %q", res.Err, c.reason)
			}
			if c.status == runner.StatusOK && (res.Agent.Skipped != 1 || res.Agent.Final != "ok") {
				t.Errorf("report %+v", res.Agent)
			}
		})
	}
}

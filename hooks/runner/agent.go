package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
)

// MaxArgPrompt is the largest prompt passed as one argument; Linux
// refuses a single argument over 128 KiB. Larger prompts go on stdin or in
// a file where the agent CLI allows it, and fail clearly where not.
const MaxArgPrompt = 120 << 10

// AgentExec builds the process for an agent CLI: the preset's argv with
// the agent's extra args, and the prompt where that CLI takes it. A prompt
// is never where an option could be: it goes on stdin (claude -p, codex
// exec -, gemini, each verified against the real CLI), in a file (aider
// --message-file), or after "--" (kiro-cli), so a prompt such as
// "--dangerously-bypass-approvals-and-sandbox" is text, never a flag. The
// returned cleanup removes a prompt file, if one was written.
//
// claude, codex and gemini run in their structured output mode (unless
// the agent's args choose another), which hookd reads for the run's
// report; resume, when set, is the session to continue.
func AgentExec(a *hooks.Agent, prompt, resume string) (x *Exec, cleanup func(), err error) {
	cleanup = func() {}
	bin := func(def string) string {
		if len(a.Command) > 0 {
			return a.Command[0]
		}
		return def
	}
	big := len(prompt) > MaxArgPrompt
	x = &Exec{Dir: a.Workdir, Timeout: a.Timeout}
	for k, v := range a.Env {
		x.Env = append(x.Env, k+"="+v)
	}
	switch a.Preset {
	case "claude":
		argv := []string{bin("claude"), "-p"}
		if !hasFlag(a.Args, "--output-format") {
			argv, x.Format = append(argv, "--output-format", "stream-json", "--verbose"), FormatClaude
		} else if flagValue(a.Args, "--output-format") == "stream-json" {
			x.Format = FormatClaude
		}
		if a.MaxTurns > 0 && !hasFlag(a.Args, "--max-turns") {
			argv = append(argv, "--max-turns", fmt.Sprint(a.MaxTurns))
		}
		if resume != "" {
			argv = append(argv, "--resume", resume)
		}
		x.Argv, x.Stdin = append(argv, a.Args...), []byte(prompt)
	case "codex":
		// "-" reads the prompt from stdin; codex blocks on a stdin it
		// was not told to read, so it is always told.
		argv := []string{bin("codex"), "exec"}
		if !hasFlag(a.Args, "--json") && !hasFlag(a.Args, "--experimental-json") {
			argv = append(argv, "--json")
		}
		x.Format = FormatCodex
		argv = append(argv, a.Args...)
		if resume != "" {
			argv = append(argv, "resume", resume)
		}
		x.Argv, x.Stdin = append(argv, "-"), []byte(prompt)
	case "gemini":
		// Without -p, gemini takes a piped stdin as its prompt and runs
		// once, without a terminal.
		argv := []string{bin("gemini")}
		switch {
		case !hasFlag(a.Args, "-o") && !hasFlag(a.Args, "--output-format"):
			argv, x.Format = append(argv, "-o", "stream-json"), FormatGemini
		case flagValue(a.Args, "-o") == "stream-json" || flagValue(a.Args, "--output-format") == "stream-json":
			x.Format = FormatGemini
		}
		if resume != "" {
			argv = append(argv, "--resume", resume)
		}
		x.Argv, x.Stdin = append(argv, a.Args...), []byte(prompt)
	case "kiro":
		if big {
			return nil, cleanup, fmt.Errorf("the prompt is %d KB, too long for one kiro-cli argument (%d KB): bound it (less diff, fewer #[[file:]]) or use preset command with prompt_via = \"stdin\"", len(prompt)>>10, MaxArgPrompt>>10)
		}
		x.Argv = append(append([]string{bin("kiro-cli"), "chat", "--no-interactive"}, a.Args...), "--", prompt)
	case "aider":
		f, done, err := promptFile(prompt)
		if err != nil {
			return nil, cleanup, err
		}
		x.Argv, cleanup = append(append([]string{bin("aider")}, a.Args...), "--message-file", f), done
	case "command":
		if len(a.Command) == 0 {
			return nil, cleanup, fmt.Errorf("agent %q: preset command needs command = [...]", a.Name)
		}
		argv := append(append([]string{}, a.Command...), a.Args...)
		switch a.PromptVia {
		case "", "stdin":
			x.Stdin = []byte(prompt)
		case "arg":
			if big {
				return nil, cleanup, fmt.Errorf("the prompt is %d KB, too long for an argument: use prompt_via = \"stdin\" or \"file\"", len(prompt)>>10)
			}
			if strings.HasPrefix(prompt, "-") && !argSafe(argv) {
				return nil, cleanup, fmt.Errorf("agent %q: the prompt starts with %q and would be read as an option: put {prompt} after \"--\" or in \"--flag={prompt}\", or use prompt_via = \"stdin\" or \"file\"", a.Name, firstWord(prompt))
			}
			argv = substitute(argv, "{prompt}", prompt)
		case "file":
			f, done, err := promptFile(prompt)
			if err != nil {
				return nil, cleanup, err
			}
			argv, cleanup = substitute(argv, "{prompt_file}", f), done
		}
		x.Argv = argv
	default:
		return nil, cleanup, fmt.Errorf("agent %q: preset %q does not run a process", a.Name, a.Preset)
	}
	return x, cleanup, nil
}

// hasFlag reports whether args set flag, as "flag" or "flag=value".
func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

// flagValue is the value args give flag, or "".
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// argSafe reports whether {prompt} sits where a CLI cannot take it for an
// option: after a "--" argument, or inside an argument that starts with
// something else ("--message={prompt}").
func argSafe(argv []string) bool {
	dashes := false
	for _, a := range argv {
		switch {
		case a == "--":
			dashes = true
		case strings.Contains(a, "{prompt}"):
			return dashes || !strings.HasPrefix(a, "{prompt}")
		}
	}
	return dashes // appended at the end
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	if len(w) > 40 {
		w = w[:40] + "…"
	}
	return w
}

// substitute replaces the placeholder inside arguments, or appends the
// value when no argument holds it. The value is one argument, never
// spliced into a shell string.
func substitute(argv []string, placeholder, value string) []string {
	found := false
	out := make([]string, len(argv))
	for i, a := range argv {
		if strings.Contains(a, placeholder) {
			found = true
			a = strings.ReplaceAll(a, placeholder, value)
		}
		out[i] = a
	}
	if !found {
		out = append(out, value)
	}
	return out
}

func promptFile(prompt string) (string, func(), error) {
	f, err := os.CreateTemp("", "hookd-prompt-*.md")
	if err != nil {
		return "", func() {}, err
	}
	if _, err := f.WriteString(prompt); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", func() {}, err
	}
	f.Close()
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}

// RunAgent runs an agent action with its rendered prompt: a CLI in its own
// process group (timeout and restart end the whole group), or a request to
// an OpenAI-compatible chat-completions endpoint.
func RunAgent(ctx context.Context, job Job, a *hooks.Agent, prompt string) Result {
	if a.Preset == "openai" {
		res := chat(ctx, a, prompt, job.Hook.Timeout)
		res.Prompt, res.AgentName = prompt, a.Name
		return res
	}
	if err := Installed(a); err != nil {
		return Result{Status: StatusFailed, Exit: -1, Start: time.Now(), Err: err, Prompt: prompt}
	}
	x, cleanup, err := AgentExec(a, prompt, job.Resume)
	defer cleanup()
	if err != nil {
		return Result{Status: StatusFailed, Exit: -1, Start: time.Now(), Err: err, Prompt: prompt}
	}
	job.Exec = x
	res := Run(ctx, job)
	res.Prompt, res.AgentName, res.Resumed = prompt, a.Name, job.Resume
	if res.Agent == nil {
		res.Agent = &event.AgentReport{Format: FormatText}
	}
	return res
}

// chat asks an OpenAI-compatible endpoint. The API key comes from the
// environment variable the agent names, never from a config file.
func chat(ctx context.Context, a *hooks.Agent, prompt string, hookTimeout time.Duration) (res Result) {
	res = Result{Start: time.Now(), Exit: -1}
	defer func() { res.Duration = time.Since(res.Start) }()
	limit := a.Timeout
	if limit == 0 {
		limit = hookTimeout
	}
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	body, _ := json.Marshal(map[string]any{
		"model":    a.Model,
		"messages": []map[string]string{{"role": "user", "content": prompt}},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(body))
	if err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	if a.APIKeyEnv != "" {
		if key := os.Getenv(a.APIKeyEnv); key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		res.Status, res.Err = StatusFailed, err
		if ctx.Err() == context.DeadlineExceeded {
			res.Status, res.Err = StatusTimeout, fmt.Errorf("timed out after %s", limit)
		}
		return res
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, OutputCap*4))
	if resp.StatusCode/100 != 2 {
		res.Status, res.Exit = StatusFailed, resp.StatusCode
		res.Err = fmt.Errorf("%s answered %s: %s", a.URL, resp.Status, strings.TrimSpace(string(raw[:min(len(raw), 500)])))
		return res
	}
	var reply struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int64 `json:"prompt_tokens"`
			CompletionTokens int64 `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil || len(reply.Choices) == 0 {
		res.Status, res.Err = StatusFailed, fmt.Errorf("%s: not a chat-completions reply: %.200s", a.URL, raw)
		return res
	}
	out := reply.Choices[0].Message.Content
	if len(out) > OutputCap {
		out = out[:HeadCap] + "\n…\n" + out[len(out)-(OutputCap-HeadCap):]
	}
	res.Status, res.Exit, res.Output = StatusOK, 0, out
	res.Agent = &event.AgentReport{Format: "openai", Final: out, Turns: 1, Ended: true,
		TokensIn: reply.Usage.PromptTokens, TokensOut: reply.Usage.CompletionTokens}
	return res
}

// Installed says whether the agent's CLI can be run: an error naming it
// and what to do when it is not on PATH.
func Installed(a *hooks.Agent) error {
	prog := a.Program()
	if prog == "" {
		return nil
	}
	if _, err := exec.LookPath(prog); err != nil {
		return fmt.Errorf("%s is not on PATH: the %s agent needs it (install it, or name another agent; hookd doctor)", prog, a.Name)
	}
	return nil
}

// AgentFor returns the agent a hook runs: its [agent.NAME], or the preset
// of that name.
func AgentFor(cfg *hooks.Config, name string) *hooks.Agent { return cfg.AgentOf(name) }

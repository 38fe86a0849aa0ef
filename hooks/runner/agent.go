package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
)

// MaxArgPrompt is the largest prompt passed as one argument (agentcli's).
const MaxArgPrompt = agentcli.MaxArgPrompt

// AgentExec builds the process for an agent CLI: its preset's argv (see
// agentcli) with the agent's extra args, and the prompt where that CLI
// takes it, never where an option could be. The returned cleanup removes
// a prompt file, if one was written. A CLI with structured output runs in
// that mode (unless the agent's args choose another), which hookd reads
// for the run's report; resume, when set, is the session to continue.
func AgentExec(a *hooks.Agent, prompt, resume string) (x *Exec, cleanup func(), err error) {
	cleanup = func() {}
	cli := a.CLI()
	if cli == nil {
		return nil, cleanup, fmt.Errorf("agent %q: preset %q does not run a process", a.Name, a.Preset)
	}
	inv, err := cli.Invoke(a.Spec(), prompt, resume)
	if err != nil {
		return nil, cleanup, err
	}
	x = &Exec{Argv: inv.Argv, Stdin: inv.Stdin, Format: inv.Format, Dir: a.Workdir, Timeout: a.Timeout}
	for k, v := range a.Env {
		x.Env = append(x.Env, k+"="+v)
	}
	return x, inv.Cleanup, nil
}

// RunAgent runs an agent action with its rendered prompt: a CLI in its own
// process group (timeout and restart end the whole group), or a request to
// an OpenAI-compatible chat-completions endpoint.
func RunAgent(ctx context.Context, job Job, a *hooks.Agent, prompt string) Result {
	if cli := a.CLI(); cli != nil && cli.Caps().Chat {
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
	res.Err = withTrouble(res, a.Name)
	return res
}

// withTrouble is the error of a failed agent run with what went wrong
// with its model's API, as its CLI said: "timed out after 1m30s; claude:
// API 500, 7 retries: server_error", not only the timeout.
func withTrouble(res Result, agent string) error {
	trouble := res.Agent.Trouble()
	if trouble == "" || (res.Status != StatusFailed && res.Status != StatusTimeout) {
		return res.Err
	}
	what := agent + ": " + trouble
	if e := res.Agent.APIError; e != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), e[:min(len(e), 100)])) {
		what += ": " + capString(e, 200)
	}
	if res.Err == nil {
		return errors.New(what)
	}
	return fmt.Errorf("%w; %s", res.Err, what)
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
	res.Agent = &event.AgentReport{Format: a.Preset, Final: out, Turns: 1, Ended: true,
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

package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/steering"
)

// Actions runs any hook's action: its command, its agent with the prompt
// rendered (steering, .diff, .impact), or a built-in. It is the one way a
// job becomes a run, for the daemon, `hookd replay` and the pre-commit shim
// alike.
type Actions struct {
	// Config returns the configuration in force, for the agents.
	Config func() *hooks.Config
	Log    *slog.Logger
	// Around, when set, runs each command and agent run: the daemon follows
	// their writes and applies the agent caps there. nil runs them as they
	// are.
	Around func(ctx context.Context, job Job, run func(context.Context, Job) Result) Result
}

// Run makes one run of job's hook.
func (a *Actions) Run(ctx context.Context, job Job) Result {
	around := a.Around
	if around == nil {
		around = func(ctx context.Context, job Job, run func(context.Context, Job) Result) Result { return run(ctx, job) }
	}
	switch job.Hook.Action() {
	case "run":
		return around(ctx, job, Run)
	case "agent":
		return around(ctx, job, a.agent)
	case "builtin":
		return Builtin(job)
	}
	return Result{Status: StatusSkipped, Exit: -1, Start: time.Now(), Err: fmt.Errorf("%s actions are not available in this build", job.Hook.Action())}
}

// agent renders the hook's prompt and runs its agent.
func (a *Actions) agent(ctx context.Context, job Job) Result {
	prompt, err := Prompt(ctx, job.Root, job.Hook, job.Env)
	if a.Log != nil {
		for _, w := range prompt.Warnings {
			a.Log.Warn("prompt assembled with a problem", "hook", job.Hook.Name, "run", job.ID, "problem", w.String())
		}
	}
	if err != nil {
		return Result{Status: StatusFailed, Exit: -1, Start: time.Now(), Err: fmt.Errorf("render the prompt: %w", err)}
	}
	return RunAgent(ctx, job, AgentFor(a.Config(), job.Hook.Agent), prompt.Text)
}

// MaxDiff bounds the .diff a prompt gets.
const MaxDiff = 32 << 10

// Prompt assembles a hook's prompt for env, with what went wrong on the
// way (a steering file refused, a prompt cut to its cap): the steering
// that applies, the diff of its files and the impact of a spec change,
// exactly as the agent will get it. `hookd explain` shows the same text
// without running anything.
func Prompt(ctx context.Context, root string, h *hooks.Hook, env *rules.Env) (steering.Rendered, error) {
	home, _ := os.UserHomeDir()
	set, warns := steering.Load(root, home)
	var files []string
	for _, f := range env.Files {
		files = append(files, f.Path)
	}
	docs, more := set.Select(files, h.Steering)
	warns = append(warns, more...)
	in := steering.Input{Env: env, Steering: docs, Literal: h.Literal}
	if strings.Contains(h.Prompt, ".diff") {
		in.Diff = gitDiff(ctx, root, files)
	}
	if strings.Contains(h.Prompt, ".impact") && env.Spec.Name != "" {
		in.Impact = spec.Report(env.Spec)
	}
	r, err := steering.Render(root, h.Prompt, in)
	r.Warnings = append(warns, r.Warnings...)
	return r, err
}

// ExplainPrompts fills in, for each agent hook of xs that gets as far as
// its prompt, the prompt it would get and the steering documents in it
// (what `hookd explain` shows). A prompt that does not render says why in
// its place; warn is told what went wrong on the way.
func ExplainPrompts(ctx context.Context, root string, cfg *hooks.Config, xs []hooks.Explanation, warn func(hook, msg string)) {
	for i, x := range xs {
		if x.Action != "agent" || x.Env == nil {
			continue
		}
		r, err := Prompt(ctx, root, cfg.Hook(x.Hook), x.Env)
		if err != nil {
			r.Text = "(the prompt does not render: " + err.Error() + ")"
		}
		for _, w := range r.Warnings {
			warn(x.Hook, w.String())
		}
		xs[i].Prompt = r.Text
		for _, d := range r.Steering {
			xs[i].Steering = append(xs[i].Steering, hooks.SteeringUse{Name: d.Name, Path: d.Path, Inclusion: string(d.Inclusion), Bytes: len(d.Body)})
		}
	}
}

// gitDiff is the unified diff of files against HEAD, bounded.
func gitDiff(ctx context.Context, root string, files []string) string {
	if len(files) == 0 {
		return ""
	}
	out, _ := gitcmd.Output(ctx, root, append([]string{"diff", "--no-color", "--no-ext-diff", "HEAD", "--"}, files...)...)
	if len(out) > MaxDiff {
		out = append(out[:MaxDiff:MaxDiff], []byte("\n… (diff truncated)\n")...)
	}
	return string(out)
}

// Builtin runs a built-in action in process: it reads the event and
// writes its report as the run's output.
func Builtin(job Job) Result {
	start := time.Now()
	res := Result{Status: StatusOK, Start: start}
	switch job.Hook.Builtin {
	case "impact":
		res.Output = spec.Report(job.Env.Spec)
	case hooks.BuiltinContext:
		res.Output = job.Hook.Prompt
	case hooks.BuiltinContinue:
		answer, _ := json.Marshal(map[string]string{"decision": "continue", "reason": job.Hook.Prompt})
		res.Output = string(answer) + "\n"
	default:
		res.Status, res.Exit, res.Err = StatusFailed, -1, fmt.Errorf("unknown builtin %q", job.Hook.Builtin)
	}
	if job.Line != nil {
		for _, l := range strings.Split(strings.TrimRight(res.Output, "\n"), "\n") {
			job.Line("stdout", l)
		}
	}
	res.Duration = time.Since(start)
	return res
}

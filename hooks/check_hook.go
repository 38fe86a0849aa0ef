package hooks

import (
	"errors"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/rules"
)

// badWorkdir says what is wrong with a hook's workdir: it must be a
// directory of the repository, named from its root.
func badWorkdir(dir string) string {
	switch clean := path.Clean(filepath.ToSlash(dir)); {
	case dir == "":
		return "is empty: leave it out to run at the repository root"
	case path.IsAbs(clean) || filepath.IsAbs(dir):
		return "is absolute: name a directory of the repository from its root, e.g. \"frontend\""
	case clean == ".." || strings.HasPrefix(clean, "../"):
		return "is outside the repository"
	}
	return ""
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func agentKnown(cfg *Config, name string) bool {
	_, declared := cfg.Agents[name]
	return declared || slices.Contains(Presets(), name)
}

var hookKeys = []string{
	"name", "description", "on", "paths", "if", "debounce", "max_wait", "mode", "timeout", "max_runs_per_minute",
	"run", "agent", "prompt", "builtin", "blocking", "fold_vcs", "catch_up", "enabled", "steering", "env", "workdir", "session", "on_error",
}

func (c *checker) hook(cfg *Config, name string, t table) *Hook {
	before := len(c.probs)
	h := &Hook{
		Name: name, Origin: t.origin, Committed: t.committed, Pos: t.header, files: t.files,
		Debounce: cfg.Defaults.Debounce, MaxWait: cfg.Defaults.MaxWait, Timeout: cfg.Defaults.Timeout,
		MaxRunsPerMinute: cfg.Defaults.MaxRunsPerMinute,
		Mode:             ModeQueue, FoldVCS: true, CatchUp: true, Enabled: true,
	}
	for _, k := range sortedKeys(t.fields) {
		c.hookKey(h, name, k, t.fields[k])
	}
	if _, ok := t.fields["on"]; !ok {
		c.at(t.header, "hook %q has no `on`: say which events it handles, e.g. on = \"file.saved\"", name)
	}
	c.hookAction(cfg, h, name, t)
	if h.Blocking {
		for _, k := range h.On {
			if k != string(event.GitPreCommit) && k != string(event.GitPrePush) && !event.Answerable(event.Kind(k)) {
				c.at(t.fields["blocking"].at.Value, "blocking is only for git.pre-commit, git.pre-push, agent.prompt, agent.tool.before, agent.tool.after and agent.stop, not %q", k)
				break
			}
		}
	}
	if h.MaxWait > 0 && h.MaxWait < h.Debounce {
		c.at(t.header, "hook %q: max_wait (%s) is shorter than debounce (%s)", name, h.MaxWait, h.Debounce)
	}
	if len(c.probs) > before {
		return nil
	}
	return h
}

// hookKey checks one key of a [[hook]] table into h.
func (c *checker) hookKey(h *Hook, name, k string, f field) {
	switch k {
	case "name":
	case "description":
		h.Description, _ = c.str(f)
	case "on":
		c.hookOn(h, f)
	case "paths":
		h.Paths, _ = c.strings(f)
		g, err := rules.CompileGlobs(h.Paths)
		if err != nil {
			c.at(f.at.Value, "paths: %v", err)
		}
		h.globs = g
	case "if":
		c.hookIf(h, f)
	case "debounce":
		h.Debounce, _ = c.duration(f)
	case "max_wait":
		h.MaxWait, _ = c.duration(f)
	case "timeout":
		h.Timeout, _ = c.duration(f)
	case "max_runs_per_minute":
		h.MaxRunsPerMinute = c.positive(f, h.MaxRunsPerMinute)
	case "on_error":
		s, ok := c.str(f)
		if ok && s != "allow" && s != "deny" {
			c.at(f.at.Value, "on_error must be \"allow\" or \"deny\", not %q", s)
		}
		h.OnErrorAllow = s == "allow"
	case "session":
		s, ok := c.str(f)
		if ok && s != "new" && s != "resume" {
			c.at(f.at.Value, "session must be \"new\" or \"resume\", not %q", s)
		}
		h.Resume = s == "resume"
	case "mode":
		c.hookMode(h, f)
	case "run":
		c.hookRun(h, f)
	case "agent":
		h.Agent, _ = c.str(f)
	case "prompt":
		h.Prompt, _ = c.str(f)
		if _, err := template.New("prompt").Option("missingkey=zero").Parse(h.Prompt); err != nil {
			line, msg := templateErrLine(err)
			c.at(rulePos(f.at, line, 1), "prompt: %s", msg)
		}
	case "builtin":
		h.Builtin, _ = c.str(f)
		if h.Builtin != "" && !slices.Contains(Builtins(), h.Builtin) {
			c.at(f.at.Value, "unknown builtin %q (one of %s)", h.Builtin, strings.Join(Builtins(), ", "))
		}
	case "blocking":
		h.Blocking, _ = c.boolean(f)
	case "fold_vcs":
		h.FoldVCS, _ = c.boolean(f)
	case "catch_up":
		h.CatchUp, _ = c.boolean(f)
	case "enabled":
		h.Enabled, _ = c.boolean(f)
	case "steering":
		h.Steering, _ = c.strings(f)
	case "env":
		h.Env, _ = c.stringMap(f)
	case "workdir":
		h.Workdir, _ = c.str(f)
		if msg := badWorkdir(h.Workdir); msg != "" {
			c.at(f.at.Value, "workdir %q %s", h.Workdir, msg)
			h.Workdir = ""
		}
	default:
		c.unknown(f.at.Key, k, "in [[hook]] "+strconv.Quote(name), hookKeys)
	}

}

func (c *checker) hookOn(h *Hook, f field) {
	h.On, _ = c.strings(f)
	for _, pat := range h.On {
		m, ok := event.ParseKindPattern(pat)
		if !ok {
			c.at(f.at.Value, "unknown event kind %q (one of %s, or a family such as \"file.*\")", pat, kindList())
			continue
		}
		h.kinds = append(h.kinds, m)
	}
}

func (c *checker) hookIf(h *Hook, f field) {
	src, ok := c.str(f)
	if !ok {
		return
	}
	r, err := rules.Compile(src)
	var ce *rules.CompileError
	if errors.As(err, &ce) {
		c.at(rulePos(f.at, ce.Line, ce.Column), "if: %s", ce.Message)
		return
	}
	h.If = r
}

func (c *checker) hookMode(h *Hook, f field) {
	s, ok := c.str(f)
	if !ok {
		return
	}
	switch m := Mode(s); m {
	case ModeQueue, ModeRestart, ModeSkip, ModeParallel:
		h.Mode = m
	default:
		c.at(f.at.Value, "unknown mode %q (queue, restart, skip or parallel)", s)
	}
}

func (c *checker) hookRun(h *Hook, f field) {
	switch v := f.v.(type) {
	case string:
		if strings.TrimSpace(v) == "" {
			c.at(f.at.Value, "run is empty")
		}
		h.Run.Shell = v
	default:
		argv, ok := c.strings(f)
		if ok && len(argv) == 0 {
			c.at(f.at.Value, "run is an empty list")
		}
		h.Run.Argv = argv
	}
}

// hookAction checks that the hook has exactly one action, and that a
// prompt has an agent that can do what the hook asks.
func (c *checker) hookAction(cfg *Config, h *Hook, name string, t table) {
	actions := 0
	for _, k := range []string{"run", "prompt", "builtin"} {
		if _, ok := t.fields[k]; ok {
			actions++
		}
	}
	_, hasAgent := t.fields["agent"]
	switch {
	case actions == 0 && hasAgent:
		c.at(t.fields["agent"].at.Key, "hook %q names an agent but has no prompt", name)
	case actions == 0:
		c.at(t.header, "hook %q has no action: set run, prompt (with agent) or builtin", name)
	case actions > 1:
		c.at(t.header, "hook %q has %d actions: set exactly one of run, prompt or builtin", name, actions)
	case hasAgent && h.Prompt == "":
		c.at(t.fields["agent"].at.Key, "agent is only for prompt hooks")
	}
	if f, ok := t.fields["session"]; ok && h.Prompt == "" {
		c.at(f.at.Key, "session is only for prompt hooks")
	}
	if h.Prompt != "" && actions == 1 {
		if h.Agent == "" {
			h.Agent = cfg.Defaults.Agent
		}
		if h.Agent == "" {
			c.at(t.fields["prompt"].at.Key, "hook %q has a prompt but no agent: set agent here or [defaults] agent", name)
		} else if !agentKnown(cfg, h.Agent) {
			pos := t.header
			if f, ok := t.fields["agent"]; ok {
				pos = f.at.Value
			}
			c.at(pos, "unknown agent %q: declare [agent.%s] or use a preset (%s)", h.Agent, h.Agent, strings.Join(Presets(), ", "))
		} else if preset := cfg.AgentOf(h.Agent).Preset; h.Resume && !Resumable(preset) {
			c.at(t.fields["session"].at.Value, "session = \"resume\" needs an agent whose CLI can resume a session (claude, codex or gemini); agent %q is preset %q", h.Agent, preset)
		}
	}
}

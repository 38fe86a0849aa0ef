package hooks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/internal/suggest"
	"github.com/hookd-dev/hookd/spec"
)

var (
	watchKeys = []string{"ignore", "settle"}
	specsKeys = []string{"roots"}
	traceKeys = []string{"patterns", "require", "each_criterion", "fail_on", "scope", "exclude", "include"}
)

var defaultsKeys = []string{"agent", "debounce", "max_wait", "timeout", "max_agents", "max_runs", "max_depth", "max_runs_per_minute"}

func (c *checker) defaults(t table) Defaults {
	d := Defaults{
		Debounce: DefaultDebounce, MaxWait: DefaultMaxWait, Timeout: DefaultTimeout,
		MaxAgents: DefaultMaxAgents, MaxRuns: DefaultMaxRuns, MaxDepth: DefaultMaxDepth,
		MaxRunsPerMinute: DefaultMaxRunsPerMinute,
	}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "agent":
			d.Agent, _ = c.str(f)
		case "debounce":
			d.Debounce = c.durationOr(f, d.Debounce)
		case "max_wait":
			d.MaxWait = c.durationOr(f, d.MaxWait)
		case "timeout":
			d.Timeout = c.durationOr(f, d.Timeout)
		case "max_agents":
			d.MaxAgents = c.positive(f, d.MaxAgents)
		case "max_runs":
			d.MaxRuns = c.positive(f, d.MaxRuns)
		case "max_depth":
			d.MaxDepth = c.positive(f, d.MaxDepth)
		case "max_runs_per_minute":
			d.MaxRunsPerMinute = c.positive(f, d.MaxRunsPerMinute)
		default:
			c.unknown(f.at.Key, k, "in [defaults]", defaultsKeys)
		}
	}
	return d
}

func (c *checker) watch(t table) Watch {
	w := Watch{Settle: DefaultSettle}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "ignore":
			w.Ignore, _ = c.strings(f)
		case "settle":
			w.Settle = c.durationOr(f, w.Settle)
		default:
			c.unknown(f.at.Key, k, "in [watch]", watchKeys)
		}
	}
	return w
}

func (c *checker) specs(t table) Specs {
	s := Specs{Roots: spec.DefaultRoots()}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		if k != "roots" {
			c.unknown(f.at.Key, k, "in [specs]", specsKeys)
			continue
		}
		if l, ok := c.strings(f); ok {
			s.Roots = l
		}
	}
	return s
}

func (c *checker) trace(t table) Trace {
	tr := Trace{Require: []string{"test"}, FailOn: []string{"dangling"}}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "patterns":
			tr.Patterns, _ = c.strings(f)
			for _, p := range tr.Patterns {
				re, err := regexp.Compile(p)
				switch {
				case err != nil:
					c.at(f.at.Value, "trace pattern %q: %v", p, err)
				case re.NumSubexp() < 1:
					c.at(f.at.Value, "trace pattern %q: put a group around the cited ids, e.g. `REQ-(\\d+)`", p)
				}
			}
		case "require":
			tr.Require = c.oneOf(f, "[trace] require", traceCoverKinds)
		case "fail_on":
			tr.FailOn = c.oneOf(f, "[trace] fail_on", traceFindings)
		case "each_criterion":
			tr.EachCriterion, _ = c.boolean(f)
		case "scope":
			tr.Scope, _ = c.stringMap(f)
			for folder, name := range tr.Scope {
				if strings.TrimSpace(folder) == "" || strings.TrimSpace(name) == "" {
					c.at(f.at.Value, "[trace] scope: a folder and a spec name, e.g. \"services/auth\" = \"login\", not %q = %q", folder, name)
				}
			}
		case "exclude", "include":
			l, _ := c.strings(f)
			for _, g := range l {
				if spec.Glob(g) == nil {
					c.at(f.at.Value, "[trace] %s: %q is no path pattern (a .gitignore-style glob, no \"!\")", k, g)
				}
			}
			if k == "exclude" {
				tr.Exclude = l
			} else {
				tr.Include = l
			}
		default:
			c.unknown(f.at.Key, k, "in [trace]", traceKeys)
		}
	}
	return tr
}

// oneOf reads a list of words each of which must be one of allowed.
func (c *checker) oneOf(f field, what string, allowed []string) []string {
	l, ok := c.strings(f)
	if !ok {
		return nil
	}
	out := []string{}
	for _, w := range l {
		if !slices.Contains(allowed, w) {
			msg := fmt.Sprintf("%s: unknown %q; one of %s", what, w, strings.Join(allowed, ", "))
			if near := suggest.Nearest(w, allowed, 2); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			c.at(f.at.Value, "%s", msg)
			continue
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// traceCoverKinds are what [trace] require may name: the kinds of place
// that cover a requirement.
var traceCoverKinds = []string{"test", "code", "task", "design"}

// traceFindings are what [trace] fail_on may name.
var traceFindings = []string{"dangling", "uncovered", "stale", "suspect", "ambiguous"}

var agentKeys = []string{"preset", "command", "args", "env", "workdir", "timeout", "max_runs_per_hour", "url", "model", "api_key_env", "prompt_via",
	"max_cost_per_day", "max_tokens_per_day", "max_turns"}

func (c *checker) agent(name string, t table) *Agent {
	before := len(c.probs)
	a := &Agent{Name: name, Pos: t.header}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "preset":
			a.Preset, _ = c.str(f)
			if !slices.Contains(Presets(), a.Preset) {
				c.at(f.at.Value, "unknown preset %q (one of %s)", a.Preset, strings.Join(Presets(), ", "))
			}
		case "command":
			a.Command, _ = c.strings(f)
		case "args":
			a.Args, _ = c.strings(f)
		case "env":
			a.Env, _ = c.stringMap(f)
		case "workdir":
			a.Workdir, _ = c.str(f)
		case "timeout":
			a.Timeout, _ = c.duration(f)
		case "max_runs_per_hour":
			a.MaxRunsPerHour = c.positive(f, 0)
		case "max_turns":
			a.MaxTurns = c.positive(f, 0)
		case "max_tokens_per_day":
			a.MaxTokensPerDay = int64(c.positive(f, 0))
		case "max_cost_per_day":
			a.MaxCostPerDay = c.amount(f)
		case "url":
			a.URL, _ = c.str(f)
		case "model":
			a.Model, _ = c.str(f)
		case "api_key_env":
			a.APIKeyEnv, _ = c.str(f)
		case "prompt_via":
			a.PromptVia, _ = c.str(f)
			if !slices.Contains([]string{"stdin", "file", "arg"}, a.PromptVia) {
				c.at(f.at.Value, "prompt_via must be stdin, file or arg, not %q", a.PromptVia)
			}
		default:
			c.unknown(f.at.Key, k, "in [agent."+name+"]", agentKeys)
		}
	}
	if a.Preset == "" {
		if slices.Contains(Presets(), name) {
			a.Preset = name
		} else {
			c.at(t.header, "[agent.%s] has no preset (one of %s)", name, strings.Join(Presets(), ", "))
		}
	}
	if a.Preset == "command" && len(a.Command) == 0 {
		c.at(t.header, "[agent.%s] with preset \"command\" needs command = [...]", name)
	}
	if a.Preset == "openai" && (a.URL == "" || a.Model == "") {
		c.at(t.header, "[agent.%s] with preset \"openai\" needs url and model", name)
	}
	if len(c.probs) > before {
		return nil
	}
	return a
}

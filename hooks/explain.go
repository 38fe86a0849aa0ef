package hooks

import (
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/rules"
)

// Explanation says whether a hook would run for an event, and why: each
// filter's verdict in the order the scheduler applies them.
type Explanation struct {
	Hook     string       `json:"hook"`
	Source   string       `json:"source"`
	Runs     bool         `json:"runs"`
	On       bool         `json:"on"`              // the event kind is one the hook wants
	Files    []event.File `json:"files"`           // the files left after `paths`
	Paths    *bool        `json:"paths,omitempty"` // nil when the hook has no paths filter
	Rule     string       `json:"rule,omitempty"`  // the `if` rule as written
	RuleVal  *bool        `json:"rule_value,omitempty"`
	RuleErr  string       `json:"rule_error,omitempty"`
	Disabled string       `json:"disabled,omitempty"` // why the hook cannot run at all
	Action   string       `json:"action"`             // run, agent or builtin
	Detail   string       `json:"detail"`             // the command, agent or builtin name
	// Why says why the event does not concern the hook, when a filter
	// other than on and paths decided (paused, disabled).
	Why string `json:"why,omitempty"`
	// Prompt is the exact prompt an agent hook would get, and Steering
	// the documents in it; the caller fills them in, since assembling it
	// reads steering and git.
	Prompt   string        `json:"prompt,omitempty"`
	Steering []SteeringUse `json:"steering,omitempty"`
	// Warnings are what will not work as written (a Kiro placeholder
	// nothing fills).
	Warnings []string `json:"warnings,omitempty"`
	// Env is the environment the rule saw, for the caller to render the
	// prompt with; nil when the hook does not get that far.
	Env *rules.Env `json:"-"`
}

// SteeringUse is one steering document in an agent hook's prompt.
type SteeringUse struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	Inclusion string `json:"inclusion"`
	Bytes     int    `json:"bytes"`
}

// Explain evaluates every hook of cfg against ev without running anything,
// with the filters the scheduler applies (Concerns) and the environment it
// builds (RuleEnv). The batch a hook would see is ev's files after its
// `paths` filter. git gives the repository state; nil outside git.
func Explain(cfg *Config, root string, ev event.Event, git GitState) []Explanation {
	var out []Explanation
	for _, h := range cfg.Hooks {
		x := Explanation{Hook: h.Name, Source: h.Pos.String(), Action: h.Action(), Rule: h.If.Source(), Warnings: h.PlaceholderWarnings()}
		if rel, err := filepath.Rel(root, h.Pos.File); err == nil && !strings.HasPrefix(rel, "..") {
			x.Source = Pos{File: rel, Line: h.Pos.Line, Col: h.Pos.Col}.String()
		}
		switch x.Action {
		case "run":
			x.Detail = h.Run.String()
			if first, _, multi := strings.Cut(strings.TrimSpace(x.Detail), "\n"); multi {
				x.Detail = first + " …"
			}
		case "agent":
			x.Detail = h.Agent
		case "builtin":
			x.Detail = h.Builtin
		}
		switch {
		case h.Disabled != "":
			x.Disabled = h.Disabled
		case !h.Enabled:
			x.Disabled = "enabled = false"
		}
		c := h.Concerns(ev)
		if !c.OK && c.Stage != "on" && c.Stage != "paths" && c.Stage != "enabled" {
			x.Why = c.Why
		}
		// The filters are shown whatever stopped the hook, so a paused
		// hook still says what it would do once trusted.
		x.On = h.Wants(ev.Kind)
		files, passes := h.Filter(ev)
		if h.HasPaths() {
			x.Paths = &passes
		}
		x.Files = files
		if x.On && passes {
			batch := ev
			batch.Files = files
			x.Env = h.RuleEnv(root, batch, rules.HookInfo{Name: h.Name}, git)
			ok, err := h.If.Eval(x.Env)
			if err != nil {
				x.RuleErr = err.Error()
			} else if !h.If.IsZero() {
				x.RuleVal = &ok
			}
			x.Runs = c.OK && err == nil && ok
		}
		out = append(out, x)
	}
	return out
}

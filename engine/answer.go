package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
)

// A blocking hook answers by its exit code (0: no objection, anything
// else: deny, with its output as the reason), and, on an agent's event,
// may say more by printing one JSON object and nothing else:
//
//	{"decision": "allow" | "deny" | "ask" | "continue",
//	 "reason": "why, for the model or the user",
//	 "input": {...the tool's whole input, rewritten...},
//	 "context": "text for the agent"}
//
// Every key is optional. No decision is no decision: the agent's own
// permissions apply, as on a plain exit 0 (it is never "allow"). allow
// skips the agent's permission prompt, ask puts the call to the user,
// input replaces the tool's input (agent.tool.before), and continue keeps
// the agent going at agent.stop with the reason as what to do next. Where
// an agent has no such answer, agentcli degrades it by a stated policy
// (docs/agents.md). Output that is not such an object is text: the reason
// of a deny, or context.

// Decisions a hook may print.
const (
	DecideAllow    = "allow"
	DecideDeny     = "deny"
	DecideAsk      = "ask"
	DecideContinue = "continue"
)

// HookAnswer is what a hook's output said.
type HookAnswer struct {
	Decision string         `json:"decision"`
	Reason   string         `json:"reason"`
	Input    map[string]any `json:"input"`
	Context  string         `json:"context"`
	// JSON says the output was an answer object; otherwise Reason and
	// Context are the output as text.
	JSON bool `json:"-"`
}

// ParseAnswer reads a hook's output: a JSON object with only the keys
// above is an answer; anything else is text. An object that names a
// decision hookd does not know, or gives a key the wrong type, is an
// error: the hook meant to answer and hookd cannot tell what.
func ParseAnswer(output string) (HookAnswer, error) {
	text := strings.TrimSpace(output)
	if !strings.HasPrefix(text, "{") || !strings.HasSuffix(text, "}") {
		return HookAnswer{Reason: text, Context: text}, nil
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal([]byte(text), &keys) != nil {
		return HookAnswer{Reason: text, Context: text}, nil
	}
	for k := range keys {
		if !slices.Contains([]string{"decision", "reason", "input", "context"}, k) {
			// Some other JSON the hook prints (a linter's report): text.
			return HookAnswer{Reason: text, Context: text}, nil
		}
	}
	var a HookAnswer
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	if err := dec.Decode(&a); err != nil {
		return HookAnswer{}, fmt.Errorf("its answer is not readable: %v", err)
	}
	a.JSON = true
	switch a.Decision {
	case "", DecideAllow, DecideDeny, DecideAsk, DecideContinue:
	default:
		return HookAnswer{}, fmt.Errorf("it answered decision %q, which is none of allow, deny, ask, continue", a.Decision)
	}
	if _, ok := keys["input"]; ok && a.Input == nil {
		return HookAnswer{}, fmt.Errorf("its input is not an object (the tool's whole input, rewritten)")
	}
	return a, nil
}

// answerDenies says whether a hook that exited 0 with this output refuses
// kind anyway, and why it cannot be taken as an answer ("" when it can):
// a deny, a continue at agent.stop (the agent's stop is refused, and it
// goes on), or an answer that does not fit the event.
func answerDenies(kind event.Kind, output string) (denies bool, problem string) {
	a, err := ParseAnswer(output)
	switch {
	case err != nil:
		return true, err.Error()
	case !a.JSON:
		return false, ""
	case a.Decision == DecideContinue && kind != event.AgentStop:
		return true, "it answered continue, which is an answer to agent.stop only"
	case (a.Decision == DecideAsk || a.Input != nil) && !strings.HasPrefix(string(kind), "agent."):
		return true, fmt.Sprintf("it answered %s, which only an agent's call can take (this is %s)", cmpOr(a.Decision, "input"), kind)
	}
	return a.Decision == DecideDeny || a.Decision == DecideContinue, ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// AgentAnswer is the blocking hooks' combined answer to an agent's call.
type AgentAnswer struct {
	Deny, Allow, Ask bool
	Reason           string         // why it denies or asks (or allows, for the log)
	Input            map[string]any // the rewritten tool input; nil: unchanged
	Context          string         // for the agent
}

// Answer combines the verdict's hooks into one answer to an agent: any
// deny denies (a continue at agent.stop is one); else any ask asks; else
// an allow allows. Two hooks that rewrite the input differently deny:
// hookd cannot pick one. Text output of a hook that allowed is context,
// as is every answer's context.
func Answer(v ipc.Verdict) AgentAnswer {
	reason, context := Explain(v)
	if !v.OK {
		return AgentAnswer{Deny: true, Reason: reason}
	}
	var out AgentAnswer
	var asks, allows, contexts []string
	inputFrom := ""
	for _, r := range v.Hooks {
		if r.Status != string(runner.StatusOK) {
			continue
		}
		a, err := ParseAnswer(r.Output)
		if err != nil || !a.JSON {
			continue
		}
		why := cmpOr(a.Reason, "hookd hook "+r.Hook)
		switch a.Decision {
		case DecideAsk:
			asks = append(asks, why)
		case DecideAllow:
			allows = append(allows, why)
		}
		if a.Context != "" {
			contexts = append(contexts, a.Context)
		}
		if a.Input != nil {
			if out.Input != nil && !reflect.DeepEqual(out.Input, a.Input) {
				return AgentAnswer{Deny: true, Reason: fmt.Sprintf("hookd: hooks %s and %s rewrote the tool's input differently; hookd cannot pick one", inputFrom, r.Hook)}
			}
			out.Input, inputFrom = a.Input, r.Hook
		}
	}
	switch {
	case len(asks) > 0:
		out.Ask, out.Reason = true, strings.Join(asks, "\n")
	case len(allows) > 0:
		out.Allow, out.Reason = true, strings.Join(allows, "\n")
	}
	out.Context = strings.Join(append(nonEmpty(context), contexts...), "\n\n")
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

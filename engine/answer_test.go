package engine

import (
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks/runner"
)

const agentGates = `
[[hook]]
name = "a"
on = ["agent.tool.before", "agent.stop", "git.pre-commit"]
blocking = true
run = "true"

[[hook]]
name = "b"
on = ["agent.tool.before", "agent.stop"]
blocking = true
run = "true"

[[hook]]
name = "lenient"
on = "agent.tool.before"
blocking = true
on_error = "allow"
run = "true"
`

func said(hook, output string) queue.Record {
	r := finished(hook, runner.StatusOK, 0)
	r.Result.Output = output
	return r
}

// A hook's answer object, combined over the hooks: deny over ask over
// allow, no decision is never an allow, one rewritten input, context
// handed on; an answer hookd cannot read or that does not fit the event
// could not answer.
func TestAgentAnswer(t *testing.T) {
	cfg := load(t, agentGates)
	tool := event.Event{Kind: event.AgentToolBefore}
	stop := event.Event{Kind: event.AgentStop}
	commit := event.Event{Kind: event.GitPreCommit}
	for _, c := range []struct {
		name string
		ev   event.Event
		recs []queue.Record
		want string // deny:REASON, ask:REASON, allow:REASON, none
		ctx  string
		in   string
	}{
		{"plain text is context, no decision", tool, []queue.Record{said("a", "lint is clean")}, "none", "lint is clean", ""},
		{"a JSON deny refuses on exit 0", tool, []queue.Record{said("a", `{"decision":"deny","reason":"not here"}`)}, "deny:hookd hook a: not here", "", ""},
		{"a deny without a reason says so", tool, []queue.Record{said("a", `{"decision":"deny"}`)}, "deny:hookd hook a: it answered deny, with no reason", "", ""},
		{"ask wins over allow", tool, []queue.Record{said("a", `{"decision":"allow","reason":"fine"}`), said("b", `{"decision":"ask","reason":"sure?"}`)}, "ask:sure?", "", ""},
		{"deny wins over ask", tool, []queue.Record{said("a", `{"decision":"ask"}`), said("b", "no\n")}, "none", "no", ""},
		{"allow, with context", tool, []queue.Record{said("a", `{"decision":"allow","reason":"ok","context":"see README"}`), said("b", "")}, "allow:ok", "see README", ""},
		{"a rewrite without a decision", tool, []queue.Record{said("a", `{"input":{"command":"ls -la"}}`)}, "none", "", `map[command:ls -la]`},
		{"the same rewrite twice", tool, []queue.Record{said("a", `{"input":{"command":"ls"}}`), said("b", `{"input":{"command":"ls"}}`)}, "none", "", `map[command:ls]`},
		{"two rewrites disagree", tool, []queue.Record{said("a", `{"input":{"command":"ls"}}`), said("b", `{"input":{"command":"rm"}}`)}, "deny:hookd: hooks a and b rewrote the tool's input differently; hookd cannot pick one", "", ""},
		{"an unknown decision cannot answer", tool, []queue.Record{said("a", `{"decision":"maybe"}`)}, `deny:hookd hook a: it answered decision "maybe", which is none of allow, deny, ask, continue; fix the hook (docs/agents.md, a hook's answer)`, "", ""},
		{"an input that is no object cannot answer", tool, []queue.Record{said("a", `{"input":"ls"}`)}, "deny:hookd hook a: its answer is not readable", "", ""},
		{"on_error allow takes an unreadable answer", tool, []queue.Record{said("lenient", `{"decision":7}`)}, "none", "", ""},
		{"continue keeps the agent going at its stop", stop, []queue.Record{said("a", `{"decision":"continue","reason":"run the tests first"}`)}, "deny:hookd hook a: run the tests first", "", ""},
		{"continue is for stops only", tool, []queue.Record{said("a", `{"decision":"continue","reason":"x"}`)}, "deny:hookd hook a: it answered continue, which is an answer to agent.stop only", "", ""},
		{"git has no ask", commit, []queue.Record{said("a", `{"decision":"ask"}`)}, "deny:hookd hook a: it answered ask, which only an agent's call can take (this is git.pre-commit)", "", ""},
		{"other JSON is text", tool, []queue.Record{said("a", `{"errors":0}`)}, "none", `{"errors":0}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := Answer(Verdict(cfg, c.ev, c.recs))
			got := "none"
			switch {
			case a.Deny:
				got = "deny:" + a.Reason
			case a.Ask:
				got = "ask:" + a.Reason
			case a.Allow:
				got = "allow:" + a.Reason
			}
			if c.name == "deny wins over ask" {
				// b printed text and exited 0: no objection; a asked.
				c.want = "ask:hookd hook a"
			}
			if !strings.HasPrefix(got, c.want) || a.Context != c.ctx {
				t.Errorf("got %q context %q, want %q context %q", got, a.Context, c.want, c.ctx)
			}
			if in := fmtInput(a.Input); in != c.in {
				t.Errorf("input %s, want %s", in, c.in)
			}
		})
	}
	// A hook that exits non-zero denies, whatever it printed.
	r := finished("a", runner.StatusFailed, 1)
	r.Result.Output = `{"decision":"allow","reason":"never mind"}`
	if a := Answer(Verdict(cfg, tool, []queue.Record{r})); !a.Deny || a.Reason != "hookd hook a: never mind" {
		t.Errorf("exit 1: %+v", a)
	}
}

func fmtInput(m map[string]any) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("map[")
	first := true
	for k, v := range m {
		if !first {
			b.WriteString(" ")
		}
		first = false
		b.WriteString(k + ":" + v.(string))
	}
	return b.String() + "]"
}

func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{`{"decision":"ask","reason":"r","input":{"a":1},"context":"c"}`, `{"decision":1}`, `{}`, `text`, `{"input":[1]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		a, err := ParseAnswer(out)
		if err == nil && !a.JSON && a.Reason != strings.TrimSpace(out) {
			t.Fatalf("text %q read as %+v", out, a)
		}
		if err == nil && a.JSON {
			switch a.Decision {
			case "", DecideAllow, DecideDeny, DecideAsk, DecideContinue:
			default:
				t.Fatalf("decision %q taken", a.Decision)
			}
		}
	})
}

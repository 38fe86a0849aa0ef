package hooks

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// WriteExplanation marks each filter up to the one that decided, and sums
// up an agent hook's prompt unless asked for all of it.
func TestWriteExplanation(t *testing.T) {
	yes, no := true, false
	var b bytes.Buffer
	WriteExplanation(&b, Explanation{Hook: "fmt", Source: "hookd.toml", Action: "run", Detail: "gofmt", On: true, Paths: &no}, nil, false)
	if want := "fmt  would not run  (hookd.toml, run: gofmt)\n  on        ✓\n  paths     ✗ no file matches\n\n"; b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}

	b.Reset()
	x := Explanation{Hook: "ask", Source: "hookd.toml", Action: "agent", Detail: "claude", Runs: true, On: true, Paths: &yes,
		Files: []event.File{{Path: "a.go"}}, Rule: "true", RuleVal: &yes, Prompt: strings.Repeat("x", 2048),
		Steering: []SteeringUse{{Name: "tech", Path: ".kiro/steering/tech.md", Inclusion: "always", Bytes: 10}}}
	h := &Hook{Name: "ask", Prompt: "one\ntwo\nthree\nfour\nfive\nsix"}
	WriteExplanation(&b, x, h, false)
	for _, want := range []string{
		"ask  WOULD RUN  (hookd.toml, agent: claude)\n",
		"  paths     ✓ a.go\n",
		"  if        ✓ true → true\n",
		"  prompt    2.0 KB, 1 steering document; --prompt prints it\n",
		"            steering .kiro/steering/tech.md (always, 10 bytes)\n",
		"            asks     one\n                     two\n",
		"                     … (2 more lines)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}

	b.Reset()
	x.Prompt = "line 1\nline 2\n"
	WriteExplanation(&b, x, h, true)
	if !strings.Contains(b.String(), "  prompt    14 bytes, as the agent would get it:\n    │ line 1\n    │ line 2\n") {
		t.Errorf("the whole prompt:\n%s", b.String())
	}
}

// Hook finds a hook of the config by name.
func TestConfigHook(t *testing.T) {
	cfg := &Config{Hooks: []*Hook{{Name: "a"}, {Name: "b"}}}
	if h := cfg.Hook("b"); h == nil || h.Name != "b" {
		t.Errorf("Hook(b) = %v", h)
	}
	if h := cfg.Hook("c"); h != nil {
		t.Errorf("Hook(c) = %v", h)
	}
}

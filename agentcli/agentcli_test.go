package agentcli

import (
	"slices"
	"testing"
)

// The registry: each preset once, in the order of preference, each a
// fresh list; only the CLIs with hooks hookd joins are bridged.
func TestRegistry(t *testing.T) {
	if want := []string{"claude", "codex", "gemini", "kiro", "aider", "command", "openai"}; !slices.Equal(Names(), want) {
		t.Errorf("names %q, want %q", Names(), want)
	}
	a := All()
	a[0] = nil
	if All()[0] == nil {
		t.Error("All shares its list")
	}
	var bridged []string
	for _, c := range Bridged() {
		bridged = append(bridged, c.Name())
	}
	if !slices.Equal(bridged, []string{"claude", "codex", "gemini", "kiro", "copilot", "cursor", "qwen"}) {
		t.Errorf("bridged %q", bridged)
	}
	// The CLIs hookd only joins are no presets: an agent cannot run them.
	if Lookup("cursor") != nil || Lookup("qwen") != nil || Lookup("") != nil {
		t.Error("an unknown preset is found")
	}
	if LookupBridge("qwen") == nil || LookupBridge("aider") != nil {
		t.Error("LookupBridge finds what Bridged lists, and only that")
	}
	for _, c := range All() {
		if Lookup(c.Name()) == nil {
			t.Errorf("%s: not found by its name", c.Name())
		}
		// A CLI that says it reports its writes first must report them.
		if c.Caps().ExactWrites && c.parser() == nil {
			t.Errorf("%s: exact writes without structured output", c.Name())
		}
		// A structured run's format is the CLI's name, which NewStream
		// finds its parser by.
		if x, err := c.Invoke(Agent{Name: "a", Command: []string{"x"}}, "p", ""); err == nil {
			x.Cleanup()
			if x.Format != "" && x.Format != c.Name() {
				t.Errorf("%s: format %q", c.Name(), x.Format)
			}
			if len(x.Argv) == 0 {
				t.Errorf("%s: no argv", c.Name())
			}
		}
		if s := c.Sessions(); s != nil && (len(s.Events()) == 0 || s.SettingsFile() == "") {
			t.Errorf("%s: sessions without events or a file", c.Name())
		}
	}
}

func TestCapWarningsName(t *testing.T) {
	if w := Lookup("command").Warnings(Agent{MaxTurns: 1}); len(w) != 1 || w[0] != "max_turns is passed to claude only; the command CLI takes no such flag, so it does not bound this agent" {
		t.Errorf("%q", w)
	}
}

package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// ExplainPrompts gives each agent hook that would run the prompt it
// would get, with the steering in it; a prompt that does not render says
// why in its place.
func TestExplainPrompts(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, ".kiro", "steering"), 0o755)
	os.WriteFile(filepath.Join(root, ".kiro", "steering", "tech.md"), []byte("---\ninclusion: always\n---\nUse Go.\n"), 0o644)
	os.WriteFile(filepath.Join(root, "hookd.toml"), []byte(`
[[hook]]
name = "ask"
on = "file.saved"
agent = "claude"
prompt = "Look at{{range .files}} {{.path}}{{end}}"

[[hook]]
name = "broken"
on = "file.saved"
agent = "claude"
prompt = "{{.nothing.here}}"

[[hook]]
name = "cmd"
on = "file.saved"
run = "true"
`), 0o644)
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root, TrustAll: true})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	xs := hooks.Explain(cfg, root, event.Event{Kind: event.FileSaved, Files: []event.File{event.NewFile(root, "a.go", event.Saved, 0)}}, nil)
	runner.ExplainPrompts(context.Background(), root, cfg, xs, func(hook, msg string) { t.Logf("%s: %s", hook, msg) })
	by := map[string]hooks.Explanation{}
	for _, x := range xs {
		by[x.Hook] = x
	}
	if x := by["ask"]; !strings.Contains(x.Prompt, "Use Go.") || !strings.Contains(x.Prompt, "Look at a.go") || len(x.Steering) != 1 || x.Steering[0].Name != "tech" {
		t.Errorf("ask: %q, steering %+v", x.Prompt, x.Steering)
	}
	if x := by["broken"]; !strings.HasPrefix(x.Prompt, "(the prompt does not render: ") {
		t.Errorf("broken: %q", x.Prompt)
	}
	if x := by["cmd"]; x.Prompt != "" {
		t.Errorf("a command hook has no prompt: %q", x.Prompt)
	}
}

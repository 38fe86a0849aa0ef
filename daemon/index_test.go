package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Without a daemon, the index and the trace report are built in process
// from the files the daemon would watch.
func TestBuildIndexAndTrace(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	root, _ := filepath.EvalSymlinks(t.TempDir())
	files := map[string]string{
		".kiro/specs/greet/requirements.md": "# Requirements\n\n### Requirement 1: Greet\n\n#### Acceptance Criteria\n\n1. WHEN a user arrives THEN the system SHALL greet them\n",
		"greet_test.go":                     "// Requirements (greet): 1.1\npackage greet\n",
		"ignored/x_test.go":                 "// Requirements (greet): 1.1\npackage x\n",
	}
	for rel, body := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755)
		os.WriteFile(filepath.Join(root, rel), []byte(body), 0o644)
	}
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	cfg.Watch.Ignore = append(cfg.Watch.Ignore, "ignored/")
	ctx := context.Background()
	x, err := daemon.BuildIndex(ctx, root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cites := x.Impact("greet", []string{"1.1"})
	if len(cites) != 1 || cites[0].File != "greet_test.go" {
		t.Errorf("cites of greet#1.1: %+v (the ignored tree left out)", cites)
	}
	cites, err = daemon.BuildImpact(ctx, root, cfg, []spec.Refs{{Spec: "greet", IDs: []string{"1"}}})
	if err != nil || len(cites) != 1 {
		t.Errorf("impact of greet#1 (covering 1.1): %+v, %v", cites, err)
	}
	if _, err := daemon.BuildImpact(ctx, root, cfg, []spec.Refs{{Spec: "greet", IDs: []string{"9"}}}); err == nil {
		t.Error("an id greet does not define is an error")
	}
	rep, err := daemon.BuildTrace(ctx, root, cfg, trace.Policy{Require: []string{"test"}}, "greet", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Requirements == 0 || rep.Summary.Covered != rep.Summary.Requirements || rep.History {
		t.Errorf("summary %+v, history %v (not in git)", rep.Summary, rep.History)
	}
	if _, err := daemon.BuildTrace(ctx, root, cfg, trace.Policy{}, "nosuch", ""); err == nil {
		t.Error("a spec that does not exist is an error")
	}
}

package examples_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/examples"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/steering"
)

// Every example repository has a README, and its configuration passes
// `hookd check` as a user would load it; its specs and steering parse.
func TestExamplesAreValid(t *testing.T) {
	for _, name := range []string{"kiro", "speckit", "go-service"} {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(name, "README.md")); err != nil {
				t.Error(err)
			}
			cfg, probs := hooks.Load(hooks.LoadOptions{Root: name})
			if len(probs) > 0 {
				t.Fatalf("hookd check:\n%v", probs)
			}
			if len(cfg.Hooks) < 3 {
				t.Errorf("%d hooks; each example shows its flows", len(cfg.Hooks))
			}
			specs, err := spec.Find(ignore.Walk(name, "", nil).Files, cfg.Specs.Roots), error(nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range specs {
				for _, f := range s.Files {
					d, _, err := spec.ParseFile(name, f, cfg.Specs.Roots)
					if err != nil || d.Unparsed != "" {
						t.Errorf("%s: %v %s", f, err, d.Unparsed)
					}
				}
			}
			if _, warns := steering.Load(name, ""); len(warns) > 0 {
				t.Errorf("steering: %v", warns)
			}
		})
	}
}

// The demo's repository is the Kiro example, embedded whole.
func TestDemoIsTheKiroExample(t *testing.T) {
	dir := t.TempDir()
	if err := examples.CopyTo(examples.Demo(), dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"hookd.toml", ".kiro/specs/greeting/requirements.md", ".kiro/steering/tech.md", "AGENTS.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

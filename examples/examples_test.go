package examples_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookd-dev/hookd/examples"
	"github.com/hookd-dev/hookd/hooks"
)

// Every example repository's hookd.toml must pass `hookd check`.
func TestExamplesAreValid(t *testing.T) {
	dir := t.TempDir()
	if err := examples.CopyTo(examples.Demo(), dir); err != nil {
		t.Fatal(err)
	}
	found := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != hooks.RepoFile {
			return err
		}
		found++
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg, probs := hooks.Parse(p, data)
		if len(probs) > 0 {
			t.Errorf("%s:\n%v", p, probs)
		}
		if len(cfg.Hooks) == 0 {
			t.Errorf("%s declares no hooks", p)
		}
		return nil
	})
	if found == 0 {
		t.Fatal("no example hookd.toml found")
	}
}

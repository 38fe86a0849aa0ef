package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookd-dev/hookd/hooks"
)

// init on each example repository, with its hookd.toml taken away, writes
// a config that passes `hookd check`, and a second init keeps it as it is.
func TestInitOnTheExampleLayouts(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no agent CLI found: the config must be valid anyway
	for _, name := range []string{"kiro", "speckit", "go-service"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join("..", "..", "examples", name)
			err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(src, p)
				if d.IsDir() {
					return os.MkdirAll(filepath.Join(dir, rel), 0o755)
				}
				if rel == hooks.RepoFile {
					return nil
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
			})
			if err != nil {
				t.Fatal(err)
			}
			if code := Main([]string{"--repo", dir, "init"}); code != 0 {
				t.Fatalf("init exited %d", code)
			}
			cfg, probs := hooks.Load(hooks.LoadOptions{Root: dir})
			if len(probs) > 0 || len(cfg.Hooks) == 0 {
				t.Fatalf("the written config: %d hooks, problems %v", len(cfg.Hooks), probs)
			}
			before, _ := os.ReadFile(filepath.Join(dir, hooks.RepoFile))
			if code := Main([]string{"--repo", dir, "init"}); code != 0 {
				t.Errorf("a second init exited %d; it keeps the file and says so", code)
			}
			if after, _ := os.ReadFile(filepath.Join(dir, hooks.RepoFile)); string(after) != string(before) {
				t.Error("the second init changed hookd.toml")
			}
		})
	}
}

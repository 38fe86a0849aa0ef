package doctor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
)

// doctor flags a watch limit too low for the repository, with the sysctl
// that fixes it. The limit is the kernel's in real use; lowering it here
// would starve every other test, so the check gets a low one directly and
// counts a real tree.
func TestWatchesFlagsALowLimit(t *testing.T) {
	root := t.TempDir()
	for i := range 40 {
		if err := os.MkdirAll(filepath.Join(root, fmt.Sprintf("pkg%d/internal", i)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "node_modules", "x", "y"), 0o755)
	dirs := ignore.Walk(root, "", []string{"node_modules/"}).Dirs
	if dirs != 81 {
		t.Fatalf("counted %d directories, want 81 (the root, 40 packages with one sub-directory each; ignored ones left out)", dirs)
	}
	c := Watches(dirs, 64)
	if c.Status != Fail || !strings.Contains(c.Detail, "fs.inotify.max_user_watches is 64") || !strings.Contains(c.Fix, "sudo sysctl fs.inotify.max_user_watches=524288") {
		t.Errorf("%+v", c)
	}
	if c := Watches(dirs, 8192); c.Status != OK {
		t.Errorf("%+v", c)
	}
	if c := Watches(dirs, 0); c.Status != Warn {
		t.Errorf("an unknown limit: %+v", c)
	}
}

// Run names what is wrong with its fix: an agent CLI that is not there, a
// blocking hook without the shims, a config problem, a daemon not running.
func TestRunFindsWhatIsWrong(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	root, _ := filepath.EvalSymlinks(t.TempDir())
	if _, err := gitcmd.Output(context.Background(), root, "init", "-q"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "hookd.toml"), []byte(`
[agent.helper]
preset = "command"
command = ["hookd-no-such-agent-cli"]

[[hook]]
name = "review"
on = "git.commit"
agent = "helper"
prompt = "Review it"

[[hook]]
name = "vet"
on = "git.pre-commit"
blocking = true
run = "true"

[[hook]]
name = "broken"
on = "no.such.event"
run = "true"
`), 0o644)
	repo, err := daemon.Locate(root)
	if err != nil {
		t.Fatal(err)
	}
	checks := Run(context.Background(), Options{Repo: repo, Load: hooks.LoadOptions{Root: root, GitDir: repo.GitDir, TrustAll: true}, Version: "test"})
	by := map[string]Check{}
	for _, c := range checks {
		by[c.Name] = c
	}
	for name, want := range map[string]Status{"watches": "", "git": OK, "shims": Fail, "agent helper": Fail, "config": Fail, "trust": OK, "socket": OK, "daemon": OK} {
		c, ok := by[name]
		if !ok {
			t.Errorf("no %s check in %+v", name, checks)
			continue
		}
		if want != "" && c.Status != want {
			t.Errorf("%s: %+v, want %s", name, c, want)
		}
	}
	if c := by["agent helper"]; !strings.Contains(c.Detail, "1 hook (review) uses it, but hookd-no-such-agent-cli is not on PATH") || c.Fix == "" {
		t.Errorf("%+v", c)
	}
	if c := by["shims"]; c.Fix != "hookd git install" {
		t.Errorf("%+v", c)
	}
	if c := by["daemon"]; c.Detail != "not running" {
		t.Errorf("%+v", c)
	}
	if !Failed(checks) {
		t.Error("Failed says no")
	}
	var out bytes.Buffer
	Print(&out, checks)
	if !strings.Contains(out.String(), "FAIL shims           blocking hooks are configured") || !strings.Contains(out.String(), "\n                     fix: hookd git install\n") {
		t.Errorf("printed:\n%s", out.String())
	}
}

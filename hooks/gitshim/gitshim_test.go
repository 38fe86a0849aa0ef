package gitshim_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/hooks/gitshim"
)

func say(t *testing.T) func(string, ...any) { return func(f string, a ...any) { t.Logf(f, a...) } }

// script writes an executable shell script.
func script(t *testing.T, path, body string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// runShim runs the pre-commit shim with PATH set to path.
func runShim(t *testing.T, dir, path string) (string, error) {
	cmd := exec.Command(filepath.Join(dir, "pre-commit"), "arg")
	cmd.Env = []string{"PATH=" + path}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The shim runs the hookd that installed it; when that one has moved it
// uses the hookd on PATH and says so; with none there it stops the commit.
func TestShimFallsBackToPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hooks")
	bin := filepath.Join(t.TempDir(), "it's here", "hookd") // a quote and a space in the path
	script(t, bin, `echo "installed hookd: $*"`)
	if err := gitshim.Install(dir, bin, say(t)); err != nil {
		t.Fatal(err)
	}
	sys := "/usr/bin:/bin"
	if out, err := runShim(t, dir, sys); err != nil || out != "installed hookd: git hook pre-commit arg\n" {
		t.Fatalf("%q %v", out, err)
	}
	if st := gitshim.Inspect(dir); !st[0].Installed || st[0].Exe != bin || st[0].Stale {
		t.Fatalf("inspect: %+v", st[0])
	}

	os.Remove(bin) // a go install into another GOBIN, an upgrade
	onPath := t.TempDir()
	script(t, filepath.Join(onPath, "hookd"), `echo "hookd on PATH: $*"`)
	out, err := runShim(t, dir, onPath+":"+sys)
	if err != nil || !strings.Contains(out, "is gone; using "+onPath+"/hookd from PATH") || !strings.HasSuffix(out, "hookd on PATH: git hook pre-commit arg\n") {
		t.Fatalf("%q %v", out, err)
	}
	if st := gitshim.Inspect(dir); !st[0].Stale {
		t.Fatalf("a shim whose binary is gone is not stale: %+v", st[0])
	}
	out, err = runShim(t, dir, sys)
	if err == nil || !strings.Contains(out, "no hookd on PATH: the pre-commit is stopped (fail closed)") {
		t.Fatalf("without hookd anywhere: %q %v", out, err)
	}
}

// A hook that was there is kept and runs first; uninstall puts it back,
// byte for byte; installing twice keeps it once.
func TestInstallKeepsTheHookThatWasThere(t *testing.T) {
	dir := t.TempDir()
	mine := "#!/bin/sh\necho mine\n"
	os.WriteFile(filepath.Join(dir, "pre-commit"), []byte(mine), 0o755)
	bin := filepath.Join(t.TempDir(), "hookd")
	script(t, bin, `echo hookd`)
	for range 2 {
		if err := gitshim.Install(dir, bin, say(t)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runShim(t, dir, "/usr/bin:/bin"); err != nil || out != "mine\nhookd\n" {
		t.Fatalf("%q %v", out, err)
	}
	if err := gitshim.Uninstall(dir, say(t)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "pre-commit")); string(got) != mine {
		t.Fatalf("restored %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "pre-push")); !os.IsNotExist(err) {
		t.Fatalf("pre-push left: %v", err)
	}
}

// In a work tree, the shims go where git runs hooks from, core.hooksPath
// included, and installing there says whose directory it is.
func TestInstallRepoHooksPath(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"config", "core.hooksPath", ".husky"}} {
		if out, err := exec.Command("git", append([]string{"-C", root}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	var said []string
	sayTo := func(f string, a ...any) { said = append(said, fmt.Sprintf(f, a...)) }
	if err := gitshim.InstallRepo(t.Context(), root, "/bin/hookd", sayTo); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".husky", "pre-commit")); err != nil {
		t.Errorf("no shim in core.hooksPath: %v", err)
	}
	if !strings.Contains(strings.Join(said, "\n"), "core.hooksPath is .husky") {
		t.Errorf("said %q", said)
	}
	if err := gitshim.UninstallRepo(t.Context(), root, sayTo); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".husky", "pre-commit")); !os.IsNotExist(err) {
		t.Errorf("the shim is still there: %v", err)
	}
}

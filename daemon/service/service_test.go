package service_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/service"
)

func TestUnitsEscapePaths(t *testing.T) {
	u, err := service.For("linux", "/home/a/my 100% repo", "/opt/hook d/hookd", "/home/a", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Description=hookd for /home/a/my 100%% repo\n",
		`ExecStart="/opt/hook d/hookd" run --repo "/home/a/my 100%% repo"` + "\n",
		"WorkingDirectory=/home/a/my 100%% repo\n",
	} {
		if !strings.Contains(u.Body, want) {
			t.Errorf("unit lacks %q:\n%s", want, u.Body)
		}
	}
	if !strings.HasPrefix(u.Path, "/home/a/.config/systemd/user/hookd-") {
		t.Errorf("path %s", u.Path)
	}
	m, _ := service.For("darwin", "/Users/a/R&D <x>", "/usr/local/bin/hookd", "/Users/a", "")
	if !strings.Contains(m.Body, "<string>/Users/a/R&amp;D &lt;x&gt;</string>") || !strings.HasPrefix(m.Path, "/Users/a/Library/LaunchAgents/dev.hookd.") {
		t.Errorf("plist:\n%s", m.Body)
	}
	if _, err := service.For("linux", "/home/a/x\n[Service]\nExecStartPre=evil", "/bin/hookd", "/home/a", ""); !errors.Is(err, service.ErrUnwritable) {
		t.Errorf("a newline in the path: %v", err)
	}
}

// Install writes the unit and, told not to enable it, says how; Uninstall
// removes it, and again finds nothing to remove without failing.
func TestInstallUninstall(t *testing.T) {
	dir := t.TempDir()
	u, err := service.For("linux", "/home/a/repo", "/bin/hookd", dir, filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	say := func(format string, args ...any) { said = append(said, fmt.Sprintf(format, args...)) }
	if err := u.Install(true, say); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(u.Path); err != nil || !strings.Contains(strings.Join(said, "\n"), "to apply it, run:") {
		t.Errorf("install: %v, said %q", err, said)
	}
	for range 2 {
		if err := u.Uninstall(true, say); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(u.Path); !os.IsNotExist(err) {
		t.Errorf("the unit is still there: %v", err)
	}
}

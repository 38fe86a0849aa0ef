package service_test

import (
	"errors"
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

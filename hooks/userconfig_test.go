package hooks_test

import (
	"path/filepath"
	"testing"

	"github.com/hookd-dev/hookd/hooks"
)

// The user's config is under XDG_CONFIG_HOME, else ~/.config.
func TestUserConfigFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	if got, want := hooks.UserConfigFile(), filepath.Join(home, ".config", "hookd", "config.toml"); got != want {
		t.Errorf("%s, want %s", got, want)
	}
	t.Setenv("XDG_CONFIG_HOME", "/x")
	if got := hooks.UserConfigFile(); got != "/x/hookd/config.toml" {
		t.Errorf("%s", got)
	}
}

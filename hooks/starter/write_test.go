package starter_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/starter"
	"github.com/hookd-dev/hookd/safefile"
)

// Write writes hookd.toml and hookd.local.toml, ignores the latter once,
// keeps what exists unless forced, and says what it did.
func TestWrite(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, ".gitignore"), []byte("node_modules"), 0o644)
	l := starter.Layout{Agent: "claude"}
	var said []string
	say := func(format string, args ...any) { said = append(said, fmt.Sprintf(format, args...)) }
	if err := l.Write(root, false, say); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(said); got != "[wrote hookd.toml wrote hookd.local.toml added hookd.local.toml to .gitignore]" {
		t.Errorf("said %s", got)
	}
	if data, _ := os.ReadFile(filepath.Join(root, ".gitignore")); string(data) != "node_modules\nhookd.local.toml\n" {
		t.Errorf(".gitignore: %q", data)
	}
	if data, _ := os.ReadFile(filepath.Join(root, hooks.LocalFile)); string(data) != "# Yours, not committed: which agent CLI you use here.\n[defaults]\nagent = \"claude\"\n" {
		t.Errorf("hookd.local.toml: %q", data)
	}
	said = nil
	if err := l.Write(root, false, say); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(said); got != "[kept hookd.toml: it exists (--force writes it again) kept hookd.local.toml: it exists (--force writes it again)]" {
		t.Errorf("again, said %s", got)
	}
	said = nil
	if err := l.Write(root, true, say); err != nil || len(said) != 2 {
		t.Errorf("forced: said %q, %v", said, err)
	}
}

// A symlink among the targets is refused before anything is written:
// .gitignore always, the configs when they would be written again.
func TestCheckTargets(t *testing.T) {
	root := t.TempDir()
	os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), filepath.Join(root, hooks.RepoFile))
	if err := starter.CheckTargets(root, false); err != nil {
		t.Errorf("a kept symlink: %v", err)
	}
	if err := starter.CheckTargets(root, true); !errors.Is(err, safefile.ErrSymlink) {
		t.Errorf("forced through a symlink: %v", err)
	}
	os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), filepath.Join(root, ".gitignore"))
	if err := starter.CheckTargets(root, false); !errors.Is(err, safefile.ErrSymlink) {
		t.Errorf(".gitignore as a symlink: %v", err)
	}
}

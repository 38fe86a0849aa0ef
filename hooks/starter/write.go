package starter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/safefile"
)

// CheckTargets refuses, before anything is written, a symlink among the
// files Write would write: it would be written through. hookd.toml and
// hookd.local.toml are only written again with force.
func CheckTargets(root string, force bool) error {
	for _, rel := range []string{hooks.RepoFile, hooks.LocalFile, ".gitignore"} {
		if fi, err := os.Lstat(filepath.Join(root, rel)); err == nil && fi.Mode()&fs.ModeSymlink != 0 && (force || rel == ".gitignore") {
			return fmt.Errorf("%s: %w", rel, safefile.ErrSymlink)
		}
	}
	return nil
}

// Write writes the layout's hookd.toml, and the agent it found in
// hookd.local.toml (yours, not committed), which it adds to .gitignore. A
// file that exists is kept unless force. say is told what was done.
func (l Layout) Write(root string, force bool, say func(format string, args ...any)) error {
	config, err := l.Config()
	if err != nil {
		return err
	}
	if err := writeNew(root, hooks.RepoFile, config, force, say); err != nil {
		return err
	}
	if l.Agent != "" {
		local := fmt.Sprintf("# Yours, not committed: which agent CLI you use here.\n[defaults]\nagent = %q\n", l.Agent)
		if err := writeNew(root, hooks.LocalFile, local, force, say); err != nil {
			return err
		}
	}
	return ignoreLocal(root, say)
}

// writeNew writes root/rel unless it exists (or force), never through a
// symlink.
func writeNew(root, rel, content string, force bool, say func(format string, args ...any)) error {
	if _, err := os.Lstat(filepath.Join(root, rel)); err == nil && !force {
		say("kept %s: it exists (--force writes it again)", rel)
		return nil
	}
	if err := safefile.WriteInside(root, rel, []byte(content), 0o644); err != nil {
		return err
	}
	say("wrote %s", rel)
	return nil
}

// ignoreLocal adds hookd.local.toml to .gitignore once.
func ignoreLocal(root string, say func(format string, args ...any)) error {
	data, err := safefile.ReadInside(root, ".gitignore", 4<<20)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read .gitignore: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == hooks.LocalFile || strings.TrimSpace(line) == "/"+hooks.LocalFile {
			return nil
		}
	}
	text := string(data)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += hooks.LocalFile + "\n"
	if err := safefile.WriteInside(root, ".gitignore", []byte(text), 0o644); err != nil {
		return err
	}
	say("added %s to .gitignore", hooks.LocalFile)
	return nil
}

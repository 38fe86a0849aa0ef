package daemon

import (
	"errors"
	"fmt"
	"github.com/hookd-dev/hookd/safefile"
	"os"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/ipc"
)

// Repo locates a work tree and where hookd keeps its state for it.
type Repo struct {
	// Root is the work tree's absolute, symlink-free path.
	Root string
	// GitDir is the work tree's git dir (.git, or .git/worktrees/NAME for a
	// linked worktree); empty outside git.
	GitDir string
	// StateDir holds the journal, the lock, logs and sync cookies: the
	// git dir's hookd/ folder, or $XDG_STATE_HOME/hookd/<hash>/ outside git.
	StateDir string
}

// Locate finds the work tree containing dir: the nearest parent with a
// .git entry, or dir itself when there is none (hookd works outside git,
// with git events off).
func Locate(dir string) (Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Repo{}, fmt.Errorf("locate repository: %w", err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return Repo{}, fmt.Errorf("locate repository: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if gitDir, ok := gitDirOf(d); ok {
			if err := sound(gitDir); err != nil {
				return Repo{}, err
			}
			return Repo{Root: d, GitDir: gitDir, StateDir: filepath.Join(gitDir, "hookd")}, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	state, err := stateHome()
	if err != nil {
		return Repo{}, err
	}
	return Repo{Root: abs, StateDir: filepath.Join(state, "hookd", ipc.PathHash(abs))}, nil
}

// gitDirOf returns the git dir of a work tree root: .git itself, or the
// directory a .git file points to (linked worktrees, submodules). As for
// git, a .git that holds no HEAD is no repository: an empty .git directory
// (a sandbox's mount point over /tmp, say) does not make its parent one.
func gitDirOf(root string) (string, bool) {
	p := filepath.Join(root, ".git")
	fi, err := os.Stat(p)
	if err != nil {
		return "", false
	}
	if fi.IsDir() {
		return p, isGitDir(p)
	}
	// An archive's .git can be anything: a symlink to /dev/zero, a FIFO.
	data, err := safefile.Read(p, 4096)
	if err != nil {
		return "", false
	}
	target, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !ok {
		return "", false
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(root, target)
	}
	target = filepath.Clean(target)
	return target, isGitDir(target)
}

// sound refuses a git dir whose files git itself would hang on or choke
// on (an archive can hold anything): a config or index that is a FIFO or
// a device. It says so, where git would hang without a word.
func sound(gitDir string) error {
	for _, name := range []string{"config", "index", "logs/HEAD", "packed-refs"} {
		fi, err := os.Stat(filepath.Join(gitDir, name))
		if err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("locate repository: %s is not a regular file (%s): git would hang or fail on it; this is no sound repository", filepath.Join(gitDir, name), fi.Mode().Type())
		}
	}
	return nil
}

// isGitDir says whether dir holds a git repository's HEAD, a regular file
// (or a symlink to one, as git once wrote): a HEAD that is a FIFO or a
// device would hang or flood whatever reads it.
func isGitDir(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "HEAD"))
	return err == nil && fi.Mode().IsRegular()
}

func stateHome() (string, error) {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" {
		return x, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("no state directory: set XDG_STATE_HOME or HOME")
	}
	return filepath.Join(home, ".local", "state"), nil
}

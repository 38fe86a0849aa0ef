// Package gitcmd is the one way hookd runs git: with a context, in a
// directory, with an environment cleaned of every GIT_* variable (a hookd
// started from inside a git hook would otherwise have its git commands work
// on git's temporary index, or on another repository), no optional locks
// (a status must never compete with the user's own git), and git's stderr
// in its errors.
//
// It also owns the environment hook processes get: [ChildEnv] drops the
// variables that point git at a particular repository, index or prefix, so
// a git command inside a hook works on the repository it runs in.
package gitcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Cmd is one git invocation.
type Cmd struct {
	// Dir is where git runs: a work tree or a directory inside one.
	Dir string
	// Env holds extra variables, such as GIT_INDEX_FILE for the index a
	// pre-commit hook was handed; every other GIT_* variable is dropped.
	Env []string
	// Stdin, when set, is git's standard input.
	Stdin []byte
}

// Error is a git command that failed, with what git said.
type Error struct {
	Args   []string
	Err    error
	Stderr string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("git %s: %v", strings.Join(e.Args, " "), e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Output runs git and returns its standard output.
func (c Cmd) Output(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = c.Dir
	cmd.Env = append(Env(), c.Env...)
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &Error{Args: args, Err: err, Stderr: strings.TrimSpace(stderr.String())}
	}
	return out, nil
}

// Lines runs git and returns its output's lines, without empty ones at the
// end.
func (c Cmd) Lines(ctx context.Context, args ...string) ([]string, error) {
	out, err := c.Output(ctx, args...)
	if err != nil {
		return nil, err
	}
	s := strings.TrimRight(string(out), "\n")
	if s == "" {
		return nil, nil
	}
	return strings.Split(s, "\n"), nil
}

// Output runs git in dir.
func Output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return Cmd{Dir: dir}.Output(ctx, args...)
}

// Lines runs git in dir and returns its output's lines.
func Lines(ctx context.Context, dir string, args ...string) ([]string, error) {
	return Cmd{Dir: dir}.Lines(ctx, args...)
}

// Show is the file at rel (relative to the work tree root at dir) as it
// is at the revision rev.
func Show(ctx context.Context, dir, rev, rel string) ([]byte, error) {
	return Output(ctx, dir, "show", "--end-of-options", rev+":./"+filepath.ToSlash(rel))
}

// ExitCode is git's exit code for a failed command, or -1 when git did not
// run or was killed.
func ExitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// Tracked reports whether git tracks the file at rel (relative to the work
// tree root): whether it is in the index or in HEAD. A file git tracks came
// with the repository, whatever its name says.
//
// It fails closed: when git cannot answer (it refuses the repository as of
// dubious ownership, the repository is damaged, git is not installed),
// the file counts as tracked, and err says why. Only git saying no makes a
// file untracked.
func Tracked(ctx context.Context, root, rel string) (bool, error) {
	out, err := Output(ctx, root, "ls-files", "--cached", "-z", "--", rel)
	if err != nil {
		return true, err
	}
	if len(out) > 0 {
		return true, nil
	}
	// An unborn branch has no HEAD to hold it: rev-parse -q exits 1 with
	// nothing said, where a repository git refuses exits 128.
	if _, err := Output(ctx, root, "rev-parse", "-q", "--verify", "HEAD^{commit}"); err != nil {
		if ExitCode(err) == 1 {
			return false, nil
		}
		return true, err
	}
	out, err = Output(ctx, root, "ls-tree", "-z", "--name-only", "HEAD", "--", rel)
	if err != nil {
		return true, err
	}
	return len(out) > 0, nil
}

// Commit resolves rev, as given by a user or an agent, to the commit it
// names. It is never read as an option (--end-of-options), and a rev that
// names no commit is an error that says so, not an empty tree.
func Commit(ctx context.Context, root, rev string) (string, error) {
	out, err := Output(ctx, root, "rev-parse", "--verify", "-q", "--end-of-options", rev+"^{commit}")
	switch {
	case err != nil && ExitCode(err) == 1:
		return "", fmt.Errorf("%q names no commit here", rev)
	case err != nil:
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Env is the environment hookd runs git with: its own, without any GIT_*
// variable, and with optional locks off.
func Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_OPTIONAL_LOCKS=0")
}

// repoVars point git at a particular repository, index or prefix.
var repoVars = map[string]bool{
	"GIT_DIR": true, "GIT_WORK_TREE": true, "GIT_INDEX_FILE": true, "GIT_COMMON_DIR": true, "GIT_OBJECT_DIRECTORY": true,
	"GIT_ALTERNATE_OBJECT_DIRECTORIES": true, "GIT_PREFIX": true, "GIT_NAMESPACE": true, "GIT_QUARANTINE_PATH": true,
}

// ChildEnv is the process environment without the variables that point git
// at a particular repository: what hook processes start with. Other GIT_*
// variables (GIT_SSH_COMMAND, GIT_AUTHOR_NAME…) are the user's and stay.
func ChildEnv() []string { return ChildEnvOf(os.Environ()) }

// ChildEnvOf is ChildEnv of another process's environment.
func ChildEnvOf(environ []string) []string {
	var env []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !repoVars[k] {
			env = append(env, kv)
		}
	}
	return env
}

// Package gitshim installs, removes and inspects the git hook shims that
// let blocking hooks stop a commit or a push (pre-commit, pre-push).
// Commits, checkouts, merges and rewrites need none: hookd reads HEAD's
// reflog.
//
// A shim chains the hook that was there before it (kept as
// NAME.hookd-chained, run first), has a kill switch (HOOKD=0), and fails
// closed: when hookd cannot run, git stops. It records the hookd binary
// that installed it and falls back to the hookd on PATH when that one has
// gone, saying so.
package gitshim

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/safefile"
)

// Hooks are the git hooks that get a shim.
var Hooks = []string{"pre-commit", "pre-push"}

// Mark is in every shim: what tells one from the user's own hook.
const Mark = "# hookd shim"

//go:embed shim.tmpl
var shimText string

var shimTmpl = template.Must(template.New("shim").Parse(shimText))

// Render returns the shim for one git hook, running exe.
func Render(hook, exe string) string {
	var b strings.Builder
	_ = shimTmpl.Execute(&b, struct{ Mark, Exe, Hook string }{Mark, shellQuote(exe), hook})
	return b.String()
}

// Dir is the hooks directory git uses for the work tree at root
// (core.hooksPath respected).
func Dir(ctx context.Context, root string) (string, error) {
	out, err := gitcmd.Output(ctx, root, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return "", fmt.Errorf("find the hooks directory (is this a git repository?): %w", err)
	}
	dir := strings.TrimSpace(string(out))
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	return dir, nil
}

// Install puts a shim for each of Hooks into dir, keeping a hook that was
// there as NAME.hookd-chained, and says what it did. Installing again
// rewrites the shims (a new binary path) and keeps what was kept.
func Install(dir, exe string, say func(format string, args ...any)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range Hooks {
		path := filepath.Join(dir, name)
		kept := path + ".hookd-chained"
		current, err := os.ReadFile(path)
		if err == nil && !bytes.Contains(current, []byte(Mark)) {
			if err := os.Rename(path, kept); err != nil {
				return err
			}
			say("%s: your hook is kept as %s and still runs first", name, filepath.Base(kept))
		}
		if err := safefile.Write(path, []byte(Render(name, exe)), 0o755); err != nil {
			return err
		}
		say("%s: installed in %s", name, dir)
	}
	return nil
}

// Uninstall removes the shims from dir and puts back the hooks they kept.
func Uninstall(dir string, say func(format string, args ...any)) error {
	for _, name := range Hooks {
		path := filepath.Join(dir, name)
		current, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(current, []byte(Mark)) {
			continue
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		kept := path + ".hookd-chained"
		if _, err := os.Lstat(kept); err == nil {
			if err := os.Rename(kept, path); err != nil {
				return err
			}
			say("%s: restored your hook", name)
		} else {
			say("%s: removed", name)
		}
	}
	return nil
}

// State is what Inspect found of one shim.
type State struct {
	Hook      string
	Installed bool
	// Exe is the binary the shim runs; Stale says it is gone, so the shim
	// falls back to PATH (or, with no hookd there, stops every commit).
	Exe   string
	Stale bool
}

var exeLine = regexp.MustCompile(`(?m)^hookd=(.*)$`)

// Inspect reports the shims in dir.
func Inspect(dir string) []State {
	var out []State
	for _, name := range Hooks {
		st := State{Hook: name}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil && bytes.Contains(data, []byte(Mark)) {
			st.Installed = true
			if m := exeLine.FindSubmatch(data); m != nil {
				st.Exe = unquote(string(m[1]))
			} else if m := regexp.MustCompile(`(?m)^exec (\S+) git hook`).FindSubmatch(data); m != nil {
				st.Exe = unquote(string(m[1])) // a shim of an older hookd
			}
			if st.Exe != "hookd" {
				_, err := exec.LookPath(st.Exe)
				st.Stale = err != nil
			}
		}
		out = append(out, st)
	}
	return out
}

// StagedFiles lists what the commit will record, from the index git hands
// the hook: GIT_INDEX_FILE is kept (it is the point: `commit -a` and
// `commit PATHS` use a temporary index), every other GIT_* variable is not.
func StagedFiles(ctx context.Context, root string) ([]event.File, error) {
	c := gitcmd.Cmd{Dir: root}
	if idx := os.Getenv("GIT_INDEX_FILE"); idx != "" {
		c.Env = []string{"GIT_INDEX_FILE=" + idx}
	}
	out, err := c.Output(ctx, "diff", "--cached", "--name-status", "-z", "--no-renames")
	if err != nil {
		return nil, fmt.Errorf("list the staged files: %w", err)
	}
	var files []event.File
	parts := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	for i := 0; i+1 < len(parts); i += 2 {
		change := event.Saved
		switch parts[i] {
		case "A":
			change = event.Created
		case "D":
			change = event.Deleted
		}
		files = append(files, event.NewFile(root, parts[i+1], change, 0))
	}
	return files, nil
}

// shellQuote quotes s for sh, in single quotes unless it is plain.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'") && len(s) >= 2 {
		return strings.ReplaceAll(s[1:len(s)-1], `'\''`, "'")
	}
	return s
}

// InstallRepo installs the shims in the hooks directory of the work tree
// at root, saying first when core.hooksPath puts it where another tool
// (husky) keeps its hooks: the shims go there, beside them.
func InstallRepo(ctx context.Context, root, exe string, say func(format string, args ...any)) error {
	dir, err := Dir(ctx, root)
	if err != nil {
		return err
	}
	if hp, _ := gitcmd.Lines(ctx, root, "config", "--get", "core.hooksPath"); len(hp) > 0 {
		say("note: core.hooksPath is %s (set by husky or another tool?); the shims go there, next to its hooks", hp[0])
	}
	return Install(dir, exe, say)
}

// UninstallRepo is Uninstall in the hooks directory of the work tree at
// root.
func UninstallRepo(ctx context.Context, root string, say func(format string, args ...any)) error {
	dir, err := Dir(ctx, root)
	if err != nil {
		return err
	}
	return Uninstall(dir, say)
}

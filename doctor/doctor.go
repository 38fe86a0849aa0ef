// Package doctor owns `hookd doctor`: the checks of what hookd depends on
// in this machine and repository (the inotify watch limit, git and the
// shims, a core.hooksPath owned by another tool, the agent CLIs the hooks
// name, the configuration, steering, trust, agent sessions, the daemon and
// its socket), each as data: a name, a status, what was found and how to
// fix it. The command prints them.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/bridge"
	"github.com/hookd-dev/hookd/hooks/gitshim"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/internal/term"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/steering"
)

// Status is how a check came out.
type Status string

// The statuses of a check: only Fail makes doctor exit 1.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Check is one finding of doctor.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"` // ok, warn, fail
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Options is what the checks look at.
type Options struct {
	Repo    daemon.Repo
	Load    hooks.LoadOptions // how the configuration is loaded
	Daemon  *ipc.Client       // the repository's daemon, running or not
	Version string            // this CLI's version, to compare with the daemon's
}

// Run makes every check, in the order they are printed.
func Run(ctx context.Context, o Options) []Check {
	cfg, probs := hooks.Load(o.Load)
	var out []Check
	// Watches: one per directory that is not ignored.
	dirs := ignore.Walk(o.Repo.Root, o.Repo.GitDir, cfg.Watch.Ignore).Dirs
	out = append(out, Watches(dirs, readInt("/proc/sys/fs/inotify/max_user_watches")))
	out = append(out, gitChecks(ctx, o.Repo, cfg)...)
	out = append(out, agentChecks(cfg)...)
	out = append(out, configChecks(o.Repo.Root, cfg, probs)...)
	out = append(out, sessionChecks(o.Repo.Root, cfg)...)
	out = append(out, daemonChecks(ctx, o)...)
	return out
}

// Failed says whether a check failed.
func Failed(checks []Check) bool {
	return slices.ContainsFunc(checks, func(c Check) bool { return c.Status == Fail })
}

// Print prints the checks for a terminal, a line each, with the fix under
// it.
func Print(out io.Writer, checks []Check) {
	for _, c := range checks {
		mark := map[Status]string{OK: "ok  ", Warn: "WARN", Fail: "FAIL"}[c.Status]
		// Wrapped under the detail's column, so a long path or trust line
		// stays readable in 80 columns.
		width := term.Width(out)
		fmt.Fprintln(out, term.Wrap(fmt.Sprintf("%s %-14s  %s", mark, c.Name, c.Detail), width))
		if c.Fix != "" {
			fmt.Fprintln(out, term.Wrap(fmt.Sprintf("     %-14s  fix: %s", "", c.Fix), width))
		}
	}
}

// Watches compares the directories to watch with the inotify limit,
// leaving a tenth of it to the user's other watchers.
func Watches(dirs, limit int) Check {
	switch {
	case limit == 0:
		return Check{Name: "watches", Status: Warn, Detail: fmt.Sprintf("%d directories to watch; the inotify limit is unknown here", dirs)}
	case dirs > limit*9/10:
		return Check{Name: "watches", Status: Fail, Detail: fmt.Sprintf("%d directories to watch, fs.inotify.max_user_watches is %d", dirs, limit),
			Fix: fmt.Sprintf("sudo sysctl fs.inotify.max_user_watches=%d (and put it in /etc/sysctl.d/ to keep it)", max(524288, dirs*2))}
	}
	return Check{Name: "watches", Status: OK, Detail: fmt.Sprintf("%d directories to watch, limit %d", dirs, limit)}
}

// gitChecks checks git, the shims and core.hooksPath.
func gitChecks(ctx context.Context, repo daemon.Repo, cfg *hooks.Config) []Check {
	var out []Check
	if gitVersion, err := gitcmd.Output(ctx, "", "--version"); err != nil {
		out = append(out, Check{Name: "git", Status: Warn, Detail: "git is not installed: git events and blocking hooks are off", Fix: "install git"})
	} else {
		out = append(out, Check{Name: "git", Status: OK, Detail: strings.TrimSpace(string(gitVersion))})
	}
	if repo.GitDir == "" {
		return out
	}
	shims, installed := Shims(ctx, repo, cfg)
	out = append(out, shims)
	if hp, _ := gitcmd.Lines(ctx, repo.Root, "config", "--get", "core.hooksPath"); len(hp) > 0 && !installed {
		out = append(out, Check{Name: "hooksPath", Status: Warn, Detail: "core.hooksPath is " + hp[0] + ", set by another tool (husky?): git runs the hooks there",
			Fix: "hookd git install puts the shims there too; or 'git config --unset core.hooksPath' if that tool is gone"})
	}
	return out
}

// Shims checks the git shims against what the configuration needs: a
// blocking git hook with no shim cannot stop a commit. `hookd status` says
// it too. installed says the shims are there.
func Shims(ctx context.Context, repo daemon.Repo, cfg *hooks.Config) (c Check, installed bool) {
	var blocking []string
	for _, h := range cfg.Hooks {
		// Only git's blocking hooks need the shims; an agent's are
		// answered through its session (hookd agents install).
		if h.Blocking && (h.Wants(event.GitPreCommit) || h.Wants(event.GitPrePush)) {
			blocking = append(blocking, h.Name)
		}
	}
	dir, err := gitshim.Dir(ctx, repo.Root)
	shims := gitshim.Inspect(dir)
	installed = err == nil && shims[0].Installed
	switch {
	case installed && shims[0].Stale && !onPath("hookd"):
		return Check{Name: "shims", Status: Fail, Detail: fmt.Sprintf("the shims run %s, which is gone, and no hookd is on PATH: every commit is stopped", shims[0].Exe), Fix: "hookd git install"}, true
	case installed && shims[0].Stale:
		return Check{Name: "shims", Status: Warn, Detail: fmt.Sprintf("the shims run %s, which is gone; they fall back to the hookd on PATH", shims[0].Exe), Fix: "hookd git install"}, true
	case installed:
		return Check{Name: "shims", Status: OK, Detail: "installed in " + dir}, true
	case len(blocking) > 0:
		return Check{Name: "shims", Status: Fail, Detail: fmt.Sprintf("blocking hooks are configured but the shims are not installed: they cannot stop a commit (%s)", strings.Join(blocking, ", ")), Fix: "hookd git install"}, false
	}
	return Check{Name: "shims", Status: OK, Detail: "not installed (no blocking hooks need them)"}, false
}

// agentChecks makes one check per agent the hooks use, naming the hooks;
// when none uses one, it says which agent CLIs are on PATH.
func agentChecks(cfg *hooks.Config) []Check {
	var out []Check
	users := map[string][]string{} // agent name → hooks
	var names []string
	for _, h := range cfg.Hooks {
		if h.Action() != "agent" {
			continue
		}
		if _, ok := users[h.Agent]; !ok {
			names = append(names, h.Agent)
		}
		users[h.Agent] = append(users[h.Agent], h.Name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := cfg.AgentOf(name)
		one := len(users[name]) == 1
		who := human.Plural(len(users[name]), "hook", "hooks") + " (" + strings.Join(users[name], ", ") + ")" + human.Pick(one, " uses", " use")
		switch err := runner.Installed(a); {
		case err != nil:
			out = append(out, Check{Name: "agent " + name, Status: Fail, Detail: fmt.Sprintf("%s it, but %s is not on PATH: %s until it is", who, a.Program(), human.Pick(one, "it fails", "they fail")),
				Fix: fmt.Sprintf("install %s, or point [agent.%s] or [defaults] agent at one you have", a.Program(), name)})
		case a.Program() == "":
			out = append(out, Check{Name: "agent " + name, Status: OK, Detail: fmt.Sprintf("%s it; it is an HTTP endpoint (%s)", who, a.URL)})
		default:
			path, _ := exec.LookPath(a.Program())
			out = append(out, Check{Name: "agent " + name, Status: OK, Detail: fmt.Sprintf("%s it: %s", who, path)})
		}
	}
	if len(names) > 0 {
		return out
	}
	var found []string
	for _, preset := range hooks.Presets() {
		if bin := (&hooks.Agent{Preset: preset}).Program(); bin != "" && onPath(bin) {
			found = append(found, bin)
		}
	}
	detail := "no hook uses an agent, and no agent CLI is on PATH"
	if len(found) > 0 {
		slices.Sort(found)
		detail = "no hook uses an agent; on PATH: " + strings.Join(found, ", ")
	}
	return append(out, Check{Name: "agents", Status: OK, Detail: detail})
}

// configChecks checks the configuration, the steering documents and
// trust.
func configChecks(root string, cfg *hooks.Config, probs hooks.Problems) []Check {
	var out []Check
	if len(probs) > 0 {
		out = append(out, Check{Name: "config", Status: Fail, Detail: fmt.Sprintf("%s, first: %s", human.Plural(len(probs), "problem", "problems"), probs[0]), Fix: "hookd check"})
	} else {
		out = append(out, Check{Name: "config", Status: OK, Detail: human.Plural(len(cfg.Hooks), "hook", "hooks")})
	}
	home, _ := os.UserHomeDir()
	if set, warns := steering.Load(root, home); len(warns) > 0 {
		out = append(out, Check{Name: "steering", Status: Warn, Detail: fmt.Sprintf("%s read with a problem, first: %s", human.Plural(len(warns), "file", "files"), warns[0]), Fix: "fix the front matter (inclusion: always | fileMatch | manual | auto)"})
	} else if len(set.Docs) > 0 {
		out = append(out, Check{Name: "steering", Status: OK, Detail: human.Plural(len(set.Docs), "steering document", "steering documents")})
	}
	var held []string
	why := ""
	for _, f := range cfg.Files {
		if f.Held != "" {
			rel, _ := filepath.Rel(root, f.Path)
			held = append(held, filepath.ToSlash(rel))
			if why == "" {
				why = f.Held
			}
		}
	}
	if len(held) > 0 {
		return append(out, Check{Name: "trust", Status: Warn, Detail: strings.Join(held, ", ") + ": " + why, Fix: "read it, then hookd trust"})
	}
	return append(out, Check{Name: "trust", Status: OK, Detail: "the repository's hook files are trusted"})
}

// sessionChecks checks the agent sessions hookd is installed into, against
// the hooks waiting on them.
func sessionChecks(root string, cfg *hooks.Config) []Check {
	sessionHooks := 0
	for _, h := range cfg.Hooks {
		if slices.ContainsFunc(h.On, func(k string) bool { return strings.HasPrefix(k, "agent.") && k != string(event.AgentDone) }) {
			sessionHooks++
		}
	}
	var out []Check
	home, _ := os.UserHomeDir()
	for _, agent := range bridge.Agents() {
		name := "session " + agent
		file, evs, err := bridge.Installed(root, agent)
		userFile, userEvs, _ := bridge.InstalledUser(home, agent)
		switch {
		case err == nil && len(evs) == 0 && len(userEvs) > 0 && home != "":
			out = append(out, Check{Name: name, Status: OK, Detail: fmt.Sprintf("hookd answers its %s (user-level, ~/%s)", strings.Join(userEvs, ", "), userFile)})
		case err != nil:
			out = append(out, Check{Name: name, Status: Fail, Detail: err.Error()})
		case len(evs) > 0:
			out = append(out, Check{Name: name, Status: OK, Detail: fmt.Sprintf("hookd answers its %s (%s)", strings.Join(evs, ", "), file)})
			if dirs := bridge.Unreached(root, agent, home); len(dirs) > 0 {
				out = append(out, Check{Name: name, Status: Warn,
					Detail: fmt.Sprintf("sessions were started in %s, where hookd's hooks do not run: %s", strings.Join(dirs, ", "), bridge.Reach(agent)),
					Fix:    "start " + agent + " at " + root})
			}
		case sessionHooks > 0 && !onPath(bridge.Program(agent)):
			out = append(out, Check{Name: name, Status: OK, Detail: fmt.Sprintf("not installed (%s is not on PATH)", bridge.Program(agent))})
		case sessionHooks > 0:
			out = append(out, Check{Name: name, Status: Warn, Detail: fmt.Sprintf("%s agent.* session events, and hookd is not installed into %s's sessions", human.Plural(sessionHooks, "hook handles", "hooks handle"), agent), Fix: "hookd agents install " + agent})
		default:
			out = append(out, Check{Name: name, Status: OK, Detail: "not installed (no hook handles agent sessions)"})
		}
	}
	return out
}

// daemonChecks checks the socket's path and the daemon behind it.
func daemonChecks(ctx context.Context, o Options) []Check {
	socket := ipc.SocketPath(o.Repo.Root)
	out := []Check{{Name: "socket", Status: OK, Detail: fmt.Sprintf("%s (%d bytes, the limit is 103)", socket, len(socket))}}
	c := o.Daemon
	if c == nil {
		c = &ipc.Client{Socket: socket, Version: o.Version}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	st, err := c.Status(ctx)
	switch {
	case errors.Is(err, ipc.ErrNotRunning):
		return append(out, Check{Name: "daemon", Status: OK, Detail: "not running", Fix: "hookd start (or hookd service install to run it at login)"})
	case err != nil:
		return append(out, Check{Name: "daemon", Status: Fail, Detail: err.Error()})
	case st.Version != o.Version:
		return append(out, Check{Name: "daemon", Status: Warn, Detail: fmt.Sprintf("running (pid %d) at version %s, this CLI is %s", st.PID, st.Version, o.Version), Fix: "hookd restart"})
	}
	return append(out, Check{Name: "daemon", Status: OK, Detail: fmt.Sprintf("running, pid %d, version %s", st.PID, st.Version)})
}

// readInt reads a number from a file such as /proc's; 0 when it cannot.
func readInt(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return n
}

func onPath(prog string) bool {
	_, err := exec.LookPath(prog)
	return err == nil
}

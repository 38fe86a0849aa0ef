package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/bridge"
	"github.com/hookd-dev/hookd/hooks/gitshim"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/steering"
)

// check is one finding of `hookd doctor`.
type check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warn, fail
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

func newDoctorCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check this machine and repository for what hookd needs, with fixes",
		Long: `doctor checks what hookd depends on and says how to fix what is wrong: the
inotify watch limit against the repository's directories, git and the shims,
a core.hooksPath owned by another tool, the agent CLIs your hooks name, the
configuration, trust, the daemon and its socket. It exits 1 when a check fails.`,
		Example: `  hookd doctor
  hookd doctor --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			checks := g.doctor(cmd.Context())
			out := cmd.OutOrStdout()
			failed := false
			for _, c := range checks {
				failed = failed || c.Status == "fail"
			}
			if asJSON {
				if err := printJSON(out, checks); err != nil {
					return err
				}
			} else {
				for _, c := range checks {
					mark := map[string]string{"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}[c.Status]
					fmt.Fprintf(out, "%s %-12s %s\n", mark, c.Name, c.Detail)
					if c.Fix != "" {
						fmt.Fprintf(out, "     %-12s fix: %s\n", "", c.Fix)
					}
				}
			}
			if failed {
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks as JSON")
	return cmd
}

// watchCheck compares the directories to watch with the inotify limit,
// leaving a tenth of it to the user's other watchers.
func watchCheck(dirs, limit int) check {
	switch {
	case limit == 0:
		return check{Name: "watches", Status: "warn", Detail: fmt.Sprintf("%d directories to watch; the inotify limit is unknown here", dirs)}
	case dirs > limit*9/10:
		return check{Name: "watches", Status: "fail", Detail: fmt.Sprintf("%d directories to watch, fs.inotify.max_user_watches is %d", dirs, limit),
			Fix: fmt.Sprintf("sudo sysctl fs.inotify.max_user_watches=%d (and put it in /etc/sysctl.d/ to keep it)", max(524288, dirs*2))}
	}
	return check{Name: "watches", Status: "ok", Detail: fmt.Sprintf("%d directories to watch, limit %d", dirs, limit)}
}

func (g *globals) doctor(ctx context.Context) []check {
	repo, opts, err := g.locate()
	if err != nil {
		return []check{{Name: "repository", Status: "fail", Detail: err.Error()}}
	}
	cfg, probs := hooks.Load(opts)
	var out []check
	add := func(c check) { out = append(out, c) }

	// Watches: one per directory that is not ignored.
	dirs := ignore.Walk(repo.Root, repo.GitDir, cfg.Watch.Ignore).Dirs
	add(watchCheck(dirs, readInt("/proc/sys/fs/inotify/max_user_watches")))

	// git, the shims and core.hooksPath.
	if gitVersion, err := gitcmd.Output(context.Background(), "", "--version"); err != nil {
		add(check{Name: "git", Status: "warn", Detail: "git is not installed: git events and blocking hooks are off", Fix: "install git"})
	} else {
		add(check{Name: "git", Status: "ok", Detail: strings.TrimSpace(string(gitVersion))})
	}
	if repo.GitDir != "" {
		blocking := false
		for _, h := range cfg.Hooks {
			// Only git's blocking hooks need the shims; an agent's are
			// answered through its session (hookd agents install).
			blocking = blocking || h.Blocking && (h.Wants(event.GitPreCommit) || h.Wants(event.GitPrePush))
		}
		dir, err := g.hooksDir()
		shims := gitshim.Inspect(dir)
		installed := err == nil && shims[0].Installed
		_, onPath := exec.LookPath("hookd")
		switch {
		case installed && shims[0].Stale && onPath != nil:
			add(check{Name: "shims", Status: "fail", Detail: fmt.Sprintf("the shims run %s, which is gone, and no hookd is on PATH: every commit is stopped", shims[0].Exe), Fix: "hookd git install"})
		case installed && shims[0].Stale:
			add(check{Name: "shims", Status: "warn", Detail: fmt.Sprintf("the shims run %s, which is gone; they fall back to the hookd on PATH", shims[0].Exe), Fix: "hookd git install"})
		case installed:
			add(check{Name: "shims", Status: "ok", Detail: "installed in " + dir})
		case blocking:
			add(check{Name: "shims", Status: "fail", Detail: "blocking hooks are configured but the shims are not installed: they cannot stop a commit", Fix: "hookd git install"})
		default:
			add(check{Name: "shims", Status: "ok", Detail: "not installed (no blocking hooks need them)"})
		}
		if hp, _ := gitLines(repo.Root, "config", "--get", "core.hooksPath"); len(hp) > 0 && !installed {
			add(check{Name: "hooksPath", Status: "warn", Detail: "core.hooksPath is " + hp[0] + ", set by another tool (husky?): git runs the hooks there",
				Fix: "hookd git install puts the shims there too; or 'git config --unset core.hooksPath' if that tool is gone"})
		}
	}

	// Agent CLIs: one finding per agent the hooks use, naming the hooks.
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
		who := plural(len(users[name]), "hook", "hooks") + " (" + strings.Join(users[name], ", ") + ")" + pick(len(users[name]) == 1, " uses", " use")
		switch err := runner.Installed(a); {
		case err != nil:
			add(check{Name: "agent " + name, Status: "fail", Detail: fmt.Sprintf("%s it, but %s is not on PATH: %s until it is", who, a.Program(), pick(len(users[name]) == 1, "it fails", "they fail")),
				Fix: fmt.Sprintf("install %s, or point [agent.%s] or [defaults] agent at one you have", a.Program(), name)})
		case a.Program() == "":
			add(check{Name: "agent " + name, Status: "ok", Detail: fmt.Sprintf("%s it; it is an HTTP endpoint (%s)", who, a.URL)})
		default:
			path, _ := exec.LookPath(a.Program())
			add(check{Name: "agent " + name, Status: "ok", Detail: fmt.Sprintf("%s it: %s", who, path)})
		}
	}
	if len(names) == 0 {
		var found []string
		for _, preset := range hooks.Presets() {
			if bin := (&hooks.Agent{Preset: preset}).Program(); bin != "" {
				if _, err := exec.LookPath(bin); err == nil {
					found = append(found, bin)
				}
			}
		}
		detail := "no hook uses an agent, and no agent CLI is on PATH"
		if len(found) > 0 {
			detail = "no hook uses an agent; on PATH: " + strings.Join(sortedCopy(found), ", ")
		}
		add(check{Name: "agents", Status: "ok", Detail: detail})
	}

	// Config and trust.
	if len(probs) > 0 {
		add(check{Name: "config", Status: "fail", Detail: fmt.Sprintf("%s, first: %s", plural(len(probs), "problem", "problems"), probs[0]), Fix: "hookd check"})
	} else {
		add(check{Name: "config", Status: "ok", Detail: plural(len(cfg.Hooks), "hook", "hooks")})
	}
	home, _ := os.UserHomeDir()
	if set, warns := steering.Load(repo.Root, home); len(warns) > 0 {
		add(check{Name: "steering", Status: "warn", Detail: fmt.Sprintf("%s read with a problem, first: %s", plural(len(warns), "file", "files"), warns[0]), Fix: "fix the front matter (inclusion: always | fileMatch | manual | auto)"})
	} else if len(set.Docs) > 0 {
		add(check{Name: "steering", Status: "ok", Detail: plural(len(set.Docs), "steering document", "steering documents")})
	}
	var held []string
	why := ""
	for _, f := range cfg.Files {
		if f.Held != "" {
			rel, _ := filepath.Rel(repo.Root, f.Path)
			held = append(held, filepath.ToSlash(rel))
			if why == "" {
				why = f.Held
			}
		}
	}
	if len(held) > 0 {
		add(check{Name: "trust", Status: "warn", Detail: strings.Join(held, ", ") + ": " + why, Fix: "read it, then hookd trust"})
	} else {
		add(check{Name: "trust", Status: "ok", Detail: "the repository's hook files are trusted"})
	}

	// Agent sessions hookd is installed into, and hooks waiting on them.
	sessionHooks := 0
	for _, h := range cfg.Hooks {
		for _, k := range h.On {
			if strings.HasPrefix(k, "agent.") && k != string(event.AgentDone) {
				sessionHooks++
				break
			}
		}
	}
	for _, agent := range bridge.Agents() {
		file, evs, err := bridge.Installed(repo.Root, agent)
		switch {
		case err != nil:
			add(check{Name: "session " + agent, Status: "fail", Detail: err.Error()})
		case len(evs) > 0:
			add(check{Name: "session " + agent, Status: "ok", Detail: fmt.Sprintf("hookd answers its %s (%s)", strings.Join(evs, ", "), file)})
		case sessionHooks > 0 && !onPATH(bridge.Program(agent)):
			add(check{Name: "session " + agent, Status: "ok", Detail: fmt.Sprintf("not installed (%s is not on PATH)", bridge.Program(agent))})
		case sessionHooks > 0:
			add(check{Name: "session " + agent, Status: "warn", Detail: fmt.Sprintf("%s agent.* session events, and hookd is not installed into %s's sessions", plural(sessionHooks, "hook handles", "hooks handle"), agent), Fix: "hookd agents install " + agent})
		default:
			add(check{Name: "session " + agent, Status: "ok", Detail: "not installed (no hook handles agent sessions)"})
		}
	}

	// The daemon and its socket.
	socket := ipc.SocketPath(repo.Root)
	add(check{Name: "socket", Status: "ok", Detail: fmt.Sprintf("%s (%d bytes, the limit is 103)", socket, len(socket))})
	c, _, _ := g.client()
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	st, err := c.Status(dctx)
	v, _ := version()
	switch {
	case errors.Is(err, ipc.ErrNotRunning):
		add(check{Name: "daemon", Status: "ok", Detail: "not running", Fix: "hookd start (or hookd service install to run it at login)"})
	case err != nil:
		add(check{Name: "daemon", Status: "fail", Detail: err.Error()})
	case st.Version != v:
		add(check{Name: "daemon", Status: "warn", Detail: fmt.Sprintf("running (pid %d) at version %s, this CLI is %s", st.PID, st.Version, v), Fix: "hookd restart"})
	default:
		add(check{Name: "daemon", Status: "ok", Detail: fmt.Sprintf("running, pid %d, version %s", st.PID, st.Version)})
	}
	return out
}

// countDirs counts the directories hookd would watch.
func readInt(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return n
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func onPATH(prog string) bool {
	_, err := exec.LookPath(prog)
	return err == nil
}

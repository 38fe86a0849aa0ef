// Package bridge connects an agent's own session hooks to hookd: it reads
// what an agent CLI's hook hands its command (JSON on stdin), maps it to
// hookd's agent.* events, and answers in that CLI's protocol (exit codes,
// stderr, JSON on stdout). It also installs hookd into the agent's
// project settings, merging with what is there, and removes exactly that.
//
// What each CLI's hooks are, where its settings live and how it is
// answered is agentcli's (a CLI's Sessions); this package finds the CLI
// by the name `hookd agent-hook` and `hookd agents` are given.
package bridge

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/event"
)

// Call is one hook call of an agent's session, as hookd sees it.
type Call = agentcli.Call

// Verdict is what hookd's blocking hooks answered.
type Verdict = agentcli.Verdict

// Agents lists the agents hookd can be installed into.
func Agents() []string {
	var out []string
	for _, c := range agentcli.Bridged() {
		out = append(out, c.Name())
	}
	return out
}

// Program is the executable of agent's CLI, to look for on PATH; the
// name itself for an agent agentcli does not know.
func Program(agent string) string {
	if c := agentcli.LookupBridge(agent); c != nil && c.Program() != "" {
		return c.Program()
	}
	return agent
}

// sessions is agent's session bridge, or an error saying it has none.
func sessions(agent string) (agentcli.Sessions, error) {
	if c := agentcli.LookupBridge(agent); c != nil {
		return c.Sessions(), nil
	}
	return nil, fmt.Errorf("agent %q is not bridged (one of %s)", agent, strings.Join(Agents(), ", "))
}

// Parse reads what agent's hook for hookEvent gave on stdin. root is the
// repository: paths the tool names are made relative to it, and paths
// outside it are left out of Files.
func Parse(agent, hookEvent string, stdin []byte, root string) (Call, error) {
	s, err := sessions(agent)
	if err != nil {
		return Call{}, err
	}
	return s.Parse(hookEvent, stdin, root)
}

// Answer is what agent's hook command prints and exits with to give the
// verdict, in the CLI's protocol.
func Answer(agent string, kind event.Kind, v Verdict) (stdout, stderr string, exit int) {
	s, err := sessions(agent)
	if err != nil {
		if v.Deny {
			return "", strings.TrimSpace(v.Reason) + "\n", 2
		}
		return "", "", 0
	}
	return s.Answer(kind, v)
}

// Refuse is agent's answer when hookd cannot answer its call on hookEvent
// at all: a deny with the reason, in the agent's protocol (exit 2 with the
// reason on stderr for an agent hookd does not know).
func Refuse(agent, hookEvent, reason string) (stdout, stderr string, exit int) {
	s, err := sessions(agent)
	if err != nil {
		return "", strings.TrimSpace(reason) + "\n", 2
	}
	return agentcli.Refuse(s, hookEvent, reason)
}

// ProjectDir is the project directory agent hands its hooks (its
// ProjectDirEnv, read from env), or "".
func ProjectDir(agent string, env func(string) string) string {
	s, err := sessions(agent)
	if err != nil || s.ProjectDirEnv() == "" {
		return ""
	}
	return env(s.ProjectDirEnv())
}

// Events lists the hook events install writes for agent, in order.
func Events(agent string) []string {
	s, err := sessions(agent)
	if err != nil {
		return nil
	}
	return s.Events()
}

// SettingsFile is where hookd installs into agent, relative to the
// repository; "" for an agent that is not bridged.
func SettingsFile(agent string) string {
	s, err := sessions(agent)
	if err != nil {
		return ""
	}
	return s.SettingsFile()
}

// Install merges hookd's hook commands (self is how the agent runs
// hookd) into agent's settings in root, keeping every hook already there.
// The first install keeps the file's bytes in keep, so that Uninstall can
// restore them exactly. It returns the file and whether it changed.
func Install(root, agent, self, keep string) (string, bool, error) {
	s, err := sessions(agent)
	if err != nil {
		return "", false, err
	}
	return s.Install(root, self, keep)
}

// Uninstall removes exactly what Install added. When the rest is what the
// file was before the first install, its bytes are restored (or the file
// removed, if there was none).
func Uninstall(root, agent, keep string) (string, bool, error) {
	s, err := sessions(agent)
	if err != nil {
		return "", false, err
	}
	return s.Uninstall(root, keep)
}

// Installed lists the hook events hookd is installed for in agent's
// settings.
func Installed(root, agent string) (string, []string, error) {
	s, err := sessions(agent)
	if err != nil {
		return "", nil, err
	}
	return s.Installed(root)
}

// userSessions is agent's user-level session bridge, or an error saying it
// has none hookd knows.
func userSessions(agent string) (agentcli.Sessions, error) {
	s, err := sessions(agent)
	if err != nil {
		return nil, err
	}
	if u := s.User(); u != nil {
		return u, nil
	}
	return nil, fmt.Errorf("hookd knows no user-level hooks of %s: install it into each repository (hookd agents install %s)", agent, agent)
}

// InstallUser is Install into agent's user-level settings under home: its
// sessions reach hookd wherever they start.
func InstallUser(home, agent, self, keep string) (string, bool, error) {
	s, err := userSessions(agent)
	if err != nil {
		return "", false, err
	}
	return s.Install(home, self, keep)
}

// UninstallUser is Uninstall from agent's user-level settings.
func UninstallUser(home, agent, keep string) (string, bool, error) {
	s, err := userSessions(agent)
	if err != nil {
		return "", false, err
	}
	return s.Uninstall(home, keep)
}

// InstalledUser lists the hook events hookd is installed for in agent's
// user-level settings under home; "" and none for an agent hookd knows no
// user-level hooks of.
func InstalledUser(home, agent string) (string, []string, error) {
	s, err := userSessions(agent)
	if err != nil {
		return "", nil, nil
	}
	return s.Installed(home)
}

// Answers is what a CLI's hooks take besides a deny (agentcli.Answers).
type Answers = agentcli.Answers

// Can says what agent's hooks take on an event of kind besides a deny.
func Can(agent string, kind event.Kind) Answers {
	s, err := sessions(agent)
	if err != nil {
		return Answers{}
	}
	return s.Can(kind)
}

// Reach says which of agent's sessions an install does not reach ("" when
// nothing is known to be missed).
func Reach(agent string) string {
	s, err := sessions(agent)
	if err != nil {
		return ""
	}
	return s.Reach()
}

// Unreached lists the directories inside root where agent's recorded
// sessions started out of an install's reach (home is the user's home).
func Unreached(root, agent, home string) []string {
	s, err := sessions(agent)
	if err != nil {
		return nil
	}
	return s.Unreached(root, home)
}

// Each runs do for the agents named (every one for "all"; when none is
// named, those whose CLI is on PATH, so no settings file is written for a
// CLI this machine does not have), and says what it did on out. What
// install replaced is kept under stateDir, for uninstall to put back (as
// AGENT.settings.before, or AGENT.user.settings.before when user is set:
// root is then the home, and the agents hookd knows no user-level hooks of
// are skipped unless named).
func Each(out io.Writer, root, stateDir, named string, user bool, do func(root, agent, keep string) (string, bool, error), did, didNot string) error {
	var agents []string
	switch named {
	case "all":
		agents = Agents()
	case "":
		for _, a := range Agents() {
			if _, err := exec.LookPath(Program(a)); err == nil {
				agents = append(agents, a)
			} else {
				fmt.Fprintf(out, "skipped %s: not on PATH (name it to install anyway)\n", a)
			}
		}
	default:
		agents = []string{named}
	}
	for _, agent := range agents {
		keep := filepath.Join(stateDir, "agents", agent+".settings.before")
		if user {
			if _, err := userSessions(agent); err != nil && named != agent {
				fmt.Fprintf(out, "skipped %s: %v\n", agent, err)
				continue
			}
			keep = filepath.Join(stateDir, "agents", agent+".user.settings.before")
		}
		if err := os.MkdirAll(filepath.Dir(keep), 0o700); err != nil {
			return err
		}
		file, changed, err := do(root, agent, keep)
		if err != nil {
			return err
		}
		if changed {
			fmt.Fprintf(out, "%s %s (%s)\n", did, agent, file)
		} else {
			fmt.Fprintf(out, "%s %s (%s): nothing changed\n", didNot, agent, file)
		}
	}
	return nil
}

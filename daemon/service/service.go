// Package service writes and removes the user service that runs hookd for
// one work tree at login: a systemd user unit on Linux, a launchd agent on
// macOS. Paths go into them escaped the way each format needs (systemd's
// %-specifiers and quoting, XML), and a path that such a file cannot hold
// (a control character) is refused.
package service

import (
	_ "embed"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/template"
	"unicode"

	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/safefile"
)

var (
	//go:embed systemd.tmpl
	systemdText string
	//go:embed launchd.tmpl
	launchdText string

	systemdTmpl = template.Must(template.New("systemd").Parse(systemdText))
	launchdTmpl = template.Must(template.New("launchd").Parse(launchdText))
)

// Unit is the service of one work tree: where its file goes, what it says,
// and the commands that start and stop it.
type Unit struct {
	Path    string
	Body    string
	Enable  [][]string
	Disable [][]string
}

// ErrUnwritable is a path a service file cannot hold.
var ErrUnwritable = errors.New("service: a path with a control character cannot go into a service file")

// For returns the unit that runs exe for the work tree at root, for goos
// ("linux" or "darwin"), with home and configDir ($XDG_CONFIG_HOME, else
// ~/.config) saying where user units live.
func For(goos, root, exe, home, configDir string) (Unit, error) {
	if strings.ContainsFunc(root+exe, unicode.IsControl) {
		return Unit{}, fmt.Errorf("%w: %q", ErrUnwritable, root)
	}
	var b strings.Builder
	if goos == "darwin" {
		label := "dev.hookd." + ipc.PathHash(root)
		path := filepath.Join(home, "Library", "LaunchAgents", label+".plist")
		err := launchdTmpl.Execute(&b, map[string]string{"Label": label, "Exe": html.EscapeString(exe), "Root": html.EscapeString(root)})
		return Unit{Path: path, Body: b.String(),
			Enable:  [][]string{{"launchctl", "load", "-w", path}},
			Disable: [][]string{{"launchctl", "unload", "-w", path}}}, err
	}
	name := "hookd-" + ipc.PathHash(root) + ".service"
	if configDir == "" {
		configDir = filepath.Join(home, ".config")
	}
	err := systemdTmpl.Execute(&b, map[string]string{
		"Description": specifiers(root), "Exe": quote(exe), "Root": quote(root), "Dir": specifiers(root),
	})
	return Unit{Path: filepath.Join(configDir, "systemd", "user", name), Body: b.String(),
		Enable:  [][]string{{"systemctl", "--user", "daemon-reload"}, {"systemctl", "--user", "enable", "--now", name}},
		Disable: [][]string{{"systemctl", "--user", "disable", "--now", name}, {"systemctl", "--user", "daemon-reload"}}}, err
}

// Current is For this machine and this user.
func Current(root, exe string) (Unit, error) {
	home, _ := os.UserHomeDir()
	return For(runtime.GOOS, root, exe, home, os.Getenv("XDG_CONFIG_HOME"))
}

// Write puts the unit's file in place, never through a symlink.
func (u Unit) Write() error {
	if err := os.MkdirAll(filepath.Dir(u.Path), 0o755); err != nil {
		return err
	}
	return safefile.Write(u.Path, []byte(u.Body), 0o644)
}

// Run runs the service manager's commands (u.Enable or u.Disable), telling
// say each; without the service manager, or with skip, it says what to run.
func Run(cmds [][]string, skip bool, say func(format string, args ...any)) error {
	if _, err := exec.LookPath(cmds[0][0]); skip || err != nil {
		say("to apply it, run:")
		for _, c := range cmds {
			say("  %s", strings.Join(c, " "))
		}
		return nil
	}
	for _, c := range cmds {
		if b, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(c, " "), err, strings.TrimSpace(string(b)))
		}
		say("ran %s", strings.Join(c, " "))
	}
	return nil
}

// specifiers escapes a value that systemd takes literally but for its %
// specifiers (Description=, WorkingDirectory=, which take no quotes).
func specifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// quote quotes an argument of ExecStart.
func quote(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$%") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}

// Install writes the unit, then enables and starts it (or, with noEnable
// or without systemctl/launchctl, says how to).
func (u Unit) Install(noEnable bool, say func(format string, args ...any)) error {
	if err := u.Write(); err != nil {
		return fmt.Errorf("write %s: %w", u.Path, err)
	}
	say("wrote %s", u.Path)
	return Run(u.Enable, noEnable, say)
}

// Uninstall stops and disables the unit, then removes it; one already
// gone is not an error.
func (u Unit) Uninstall(noEnable bool, say func(format string, args ...any)) error {
	if err := Run(u.Disable, noEnable, say); err != nil {
		return err
	}
	if err := os.Remove(u.Path); err != nil && !os.IsNotExist(err) {
		return err
	}
	say("removed %s", u.Path)
	return nil
}

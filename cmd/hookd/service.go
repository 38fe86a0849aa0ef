package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/safefile"
)

func newServiceCmd(g *globals) *cobra.Command {
	var noEnable bool
	cmd := &cobra.Command{
		Use:   "service install|uninstall",
		Short: "Run hookd for this repository at login, as a user service",
		Long: `service install writes a systemd user unit (a launchd agent on macOS) that runs
'hookd run' for this repository, then enables and starts it. uninstall stops it
and removes the unit. Each repository gets its own unit, named after a hash of
its path; 'hookd status' shows the daemon either way.`,
		Example: `  hookd service install
  hookd service uninstall
  hookd service install --no-enable   # write the unit only`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"install", "uninstall"},
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, _, err := g.locate()
			if err != nil {
				return err
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			svc := serviceFor(repo.Root, exe)
			out := cmd.OutOrStdout()
			switch args[0] {
			case "install":
				if strings.ContainsFunc(repo.Root+exe, unicode.IsControl) {
					return fmt.Errorf("the path %q has a control character, which a unit file cannot hold", repo.Root)
				}
				if err := os.MkdirAll(filepath.Dir(svc.path), 0o755); err != nil {
					return err
				}
				if err := safefile.Write(svc.path, []byte(svc.body), 0o644); err != nil {
					return fmt.Errorf("write %s: %w", svc.path, err)
				}
				fmt.Fprintf(out, "wrote %s\n", svc.path)
				return svc.run(out, noEnable, svc.enable)
			case "uninstall":
				if err := svc.run(out, noEnable, svc.disable); err != nil {
					return err
				}
				if err := os.Remove(svc.path); err != nil && !os.IsNotExist(err) {
					return err
				}
				fmt.Fprintf(out, "removed %s\n", svc.path)
				return nil
			}
			return usageError{fmt.Errorf("service takes install or uninstall, not %q", args[0])}
		},
	}
	cmd.Flags().BoolVar(&noEnable, "no-enable", false, "only write or remove the unit; do not call systemctl or launchctl")
	return cmd
}

type service struct {
	path    string
	body    string
	enable  [][]string
	disable [][]string
}

func serviceFor(root, exe string) service {
	name := "hookd-" + ipc.PathHash(root)
	if runtime.GOOS == "darwin" {
		home, _ := os.UserHomeDir()
		label := "dev.hookd." + ipc.PathHash(root)
		path := filepath.Join(home, "Library", "LaunchAgents", label+".plist")
		return service{
			path: path,
			body: fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key><string>%s</string>
	<key>ProgramArguments</key>
	<array><string>%s</string><string>run</string><string>--repo</string><string>%s</string></array>
	<key>WorkingDirectory</key><string>%s</string>
	<key>RunAtLoad</key><true/>
	<key>KeepAlive</key><true/>
</dict>
</plist>
`, label, xmlEscape(exe), xmlEscape(root), xmlEscape(root)),
			enable:  [][]string{{"launchctl", "load", "-w", path}},
			disable: [][]string{{"launchctl", "unload", "-w", path}},
		}
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return service{
		path: filepath.Join(dir, "systemd", "user", name+".service"),
		body: fmt.Sprintf(`[Unit]
Description=hookd for %s
Documentation=https://github.com/hookd-dev/hookd

[Service]
ExecStart=%s run --repo %s
WorkingDirectory=%s
Restart=on-failure
# SIGTERM lets running hooks finish their grace period.
KillMode=mixed
TimeoutStopSec=30

[Install]
WantedBy=default.target
`, systemdSpecifiers(root), systemdQuote(exe), systemdQuote(root), systemdSpecifiers(root)),
		enable:  [][]string{{"systemctl", "--user", "daemon-reload"}, {"systemctl", "--user", "enable", "--now", name + ".service"}},
		disable: [][]string{{"systemctl", "--user", "disable", "--now", name + ".service"}, {"systemctl", "--user", "daemon-reload"}},
	}
}

// run executes the service manager's commands, or says what to run.
func (s service) run(out interface{ Write([]byte) (int, error) }, skip bool, cmds [][]string) error {
	if _, err := exec.LookPath(cmds[0][0]); skip || err != nil {
		fmt.Fprintln(out, "to apply it, run:")
		for _, c := range cmds {
			fmt.Fprintf(out, "  %s\n", strings.Join(c, " "))
		}
		return nil
	}
	for _, c := range cmds {
		if b, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(c, " "), err, strings.TrimSpace(string(b)))
		}
		fmt.Fprintf(out, "ran %s\n", strings.Join(c, " "))
	}
	return nil
}

// systemdSpecifiers escapes a value that systemd takes literally but for
// its % specifiers (Description=, WorkingDirectory=, which take no quotes).
func systemdSpecifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// systemdQuote quotes an argument for a unit's ExecStart.
func systemdQuote(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$%") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

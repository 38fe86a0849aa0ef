package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/safefile"
)

// SettingsFile is where hookd installs into agent, relative to the
// repository: Claude Code's personal project settings, which are not
// committed (a clone brings no hookd hooks into anyone's session), and
// Gemini CLI's workspace settings and Codex's project hooks, which have no
// personal variant.
func SettingsFile(agent string) string {
	switch agent {
	case "gemini":
		return filepath.Join(".gemini", "settings.json")
	case "codex":
		return filepath.Join(".codex", "hooks.json")
	}
	return filepath.Join(".claude", "settings.local.json")
}

// marker is what every command hookd installs holds: how uninstall tells
// hookd's entries from the user's.
func marker(agent string) string { return " agent-hook " + agent + " " }

// Install merges hookd's hook commands (self is how the agent runs
// hookd) into agent's settings in root, keeping every hook already there.
// The first install keeps the file's bytes in keep, so that Uninstall can
// restore them exactly. It returns the file and whether it changed.
func Install(root, agent, self, keep string) (string, bool, error) {
	if !slices.Contains(Agents(), agent) {
		return "", false, fmt.Errorf("agent %q is not bridged (one of %s)", agent, strings.Join(Agents(), ", "))
	}
	rel := SettingsFile(agent)
	path := filepath.Join(root, rel)
	orig, settings, err := readSettings(path)
	if err != nil {
		return rel, false, err
	}
	if _, err := os.Lstat(keep); errors.Is(err, fs.ErrNotExist) {
		// What the file was before hookd: "absent", or its bytes.
		saved := append([]byte("present\n"), orig...)
		if orig == nil {
			saved = []byte("absent\n")
		}
		if err := safefile.Write(keep, saved, 0o600); err != nil {
			return rel, false, err
		}
	}
	hooks, _ := settings["hooks"].(map[string]any)
	if hooks == nil {
		hooks = map[string]any{}
	}
	changed := false
	for _, ev := range Events(agent) {
		groups, _ := hooks[ev].([]any)
		if hasOurs(groups, agent) {
			continue
		}
		cmd := self + marker(agent) + ev
		group := map[string]any{"hooks": []any{map[string]any{"type": "command", "command": cmd}}}
		if agent != "gemini" && (ev == "PreToolUse" || ev == "PostToolUse") {
			group["matcher"] = "*" // every tool; Gemini's matcher is a regular expression, and none is every tool
		}
		groups = append(groups, group)
		hooks[ev] = groups
		changed = true
	}
	if !changed {
		return rel, false, nil
	}
	settings["hooks"] = hooks
	return rel, true, writeSettings(root, rel, settings)
}

// Uninstall removes exactly what Install added. When the rest is what the
// file was before the first install, its bytes are restored (or the file
// removed, if there was none).
func Uninstall(root, agent, keep string) (string, bool, error) {
	rel := SettingsFile(agent)
	path := filepath.Join(root, rel)
	data, settings, err := readSettings(path)
	if err != nil || data == nil {
		return rel, false, err
	}
	hooks, _ := settings["hooks"].(map[string]any)
	changed := false
	for ev, v := range hooks {
		groups, _ := v.([]any)
		var kept []any
		for _, g := range groups {
			if isOurs(g, agent) {
				changed = true
				continue
			}
			kept = append(kept, g)
		}
		if len(kept) == 0 {
			delete(hooks, ev)
		} else {
			hooks[ev] = kept
		}
	}
	if !changed {
		return rel, false, nil
	}
	if len(hooks) == 0 {
		delete(settings, "hooks")
	}
	if saved, err := safefile.Read(keep, 16<<20); err == nil {
		head, rest, _ := bytes.Cut(saved, []byte("\n"))
		_, before, _ := parseSettings(rest)
		switch {
		case string(head) == "absent" && len(settings) == 0:
			os.Remove(keep)
			return rel, true, os.Remove(path)
		case string(head) == "present" && reflect.DeepEqual(before, settings):
			os.Remove(keep)
			return rel, true, safefile.WriteInside(root, rel, rest, 0o644)
		}
	}
	return rel, true, writeSettings(root, rel, settings)
}

// Installed lists the hook events hookd is installed for in agent's
// settings.
func Installed(root, agent string) (string, []string, error) {
	rel := SettingsFile(agent)
	_, settings, err := readSettings(filepath.Join(root, rel))
	if err != nil {
		return rel, nil, err
	}
	hooks, _ := settings["hooks"].(map[string]any)
	var out []string
	for _, ev := range Events(agent) {
		if groups, _ := hooks[ev].([]any); hasOurs(groups, agent) {
			out = append(out, ev)
		}
	}
	return rel, out, nil
}

func hasOurs(groups []any, agent string) bool {
	for _, g := range groups {
		if isOurs(g, agent) {
			return true
		}
	}
	return false
}

// isOurs says whether a matcher group holds only hookd's command.
func isOurs(g any, agent string) bool {
	m, _ := g.(map[string]any)
	hs, _ := m["hooks"].([]any)
	if len(hs) != 1 {
		return false
	}
	h, _ := hs[0].(map[string]any)
	cmd, _ := h["command"].(string)
	return strings.Contains(cmd+" ", marker(agent))
}

// readSettings reads a settings file; a missing one is empty settings and
// nil bytes.
func readSettings(path string) ([]byte, map[string]any, error) {
	data, err := safefile.Read(path, 16<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, map[string]any{}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	_, settings, err := parseSettings(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v; fix it by hand, hookd does not overwrite it", path, err)
	}
	return data, settings, nil
}

func parseSettings(data []byte) ([]byte, map[string]any, error) {
	settings := map[string]any{}
	if len(bytes.TrimSpace(data)) == 0 {
		return data, settings, nil
	}
	if err := json.Unmarshal(data, &settings); err != nil {
		return nil, nil, fmt.Errorf("not a JSON object: %v", err)
	}
	return data, settings, nil
}

func writeSettings(root, rel string, settings map[string]any) error {
	data, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
		return err
	}
	return safefile.WriteInside(root, rel, append(data, '\n'), 0o644)
}

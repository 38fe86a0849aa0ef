package bridge

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// What claude's hooks hand their command (claude 2.1.197), mapped to
// hookd's events: the files a tool touches, repository-relative, and
// never one outside the repository.
func TestParseClaude(t *testing.T) {
	root := "/repo"
	c, err := Parse("claude", "PreToolUse", []byte(`{"session_id":"s1","cwd":"/repo/web","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/repo/.kiro/specs/x/requirements.md","content":"x"},"tool_use_id":"t"}`), root)
	if err != nil || c.Kind != event.AgentToolBefore || len(c.Files) != 1 || c.Files[0] != ".kiro/specs/x/requirements.md" || c.Agent.Tool != "Write" || c.Agent.Session != "s1" {
		t.Errorf("Write: %+v %v", c, err)
	}
	c, _ = Parse("claude", "PreToolUse", []byte(`{"hook_event_name":"PreToolUse","cwd":"/repo/web","tool_name":"Edit","tool_input":{"file_path":"app.ts"}}`), root)
	if len(c.Files) != 1 || c.Files[0] != "web/app.ts" {
		t.Errorf("relative to cwd: %v", c.Files)
	}
	c, _ = Parse("claude", "PreToolUse", []byte(`{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/etc/passwd"}}`), root)
	if len(c.Files) != 0 {
		t.Errorf("outside the repository: %v", c.Files)
	}
	c, _ = Parse("claude", "PreToolUse", []byte(`{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}`), root)
	if c.Agent.Command != "rm -rf build" {
		t.Errorf("Bash: %+v", c.Agent)
	}
	c, _ = Parse("claude", "UserPromptSubmit", []byte(`{"hook_event_name":"UserPromptSubmit","prompt":"fix it"}`), root)
	if c.Kind != event.AgentPrompt || c.Agent.Prompt != "fix it" {
		t.Errorf("prompt: %+v", c)
	}
	for _, bad := range []string{`{not json`, `{"hook_event_name":"Notification"}`} {
		if _, err := Parse("claude", "", []byte(bad), root); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	// Gemini CLI hands the same JSON under its own event names.
	c, err = Parse("gemini", "BeforeTool", []byte(`{"session_id":"g1","cwd":"/repo","hook_event_name":"BeforeTool","tool_name":"write_file","tool_input":{"file_path":"notes/a.md","content":"x"}}`), root)
	if err != nil || c.Kind != event.AgentToolBefore || len(c.Files) != 1 || c.Files[0] != "notes/a.md" || c.Agent.Name != "gemini" {
		t.Errorf("gemini: %+v %v", c, err)
	}
	if c, _ := Parse("gemini", "BeforeAgent", []byte(`{"hook_event_name":"BeforeAgent","prompt":"p"}`), root); c.Kind != event.AgentPrompt || c.Agent.Prompt != "p" {
		t.Errorf("gemini prompt: %+v", c)
	}
	if _, err := Parse("cursor", "PreToolUse", nil, root); err == nil {
		t.Error("an agent that is not bridged: no error")
	}
}

// The verdict in claude's protocol: exit 2 with the reason on stderr
// denies; context goes back as JSON where claude takes it.
func TestAnswerClaude(t *testing.T) {
	if out, errOut, code := Answer("claude", event.AgentToolBefore, Verdict{Deny: true, Reason: "no\n"}); code != 2 || errOut != "no\n" || out != "" {
		t.Errorf("deny: %q %q %d", out, errOut, code)
	}
	out, _, code := Answer("claude", event.AgentToolAfter, Verdict{Context: "impacted: tasks 2.1, 3"})
	var got struct {
		HookSpecificOutput struct{ HookEventName, AdditionalContext string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.HookSpecificOutput.HookEventName != "PostToolUse" || got.HookSpecificOutput.AdditionalContext != "impacted: tasks 2.1, 3" {
		t.Errorf("context: %q %d", out, code)
	}
	if out, _, code := Answer("claude", event.AgentToolBefore, Verdict{}); out != "" || code != 0 {
		t.Errorf("allow: %q %d", out, code)
	}
}

// Install merges and is idempotent; uninstall removes exactly what it
// added and restores the bytes, or removes a file it created.
func TestInstallMergesAndUninstallRestores(t *testing.T) {
	for i, before := range []string{"", "{\n  // not json\n}", "{\"model\":\"opus\",\n \"hooks\":{\"PreToolUse\":[{\"matcher\":\"Bash\",\"hooks\":[{\"type\":\"command\",\"command\":\"mine\"}]}]}}\n",
		"{\"model\":\"opus\", \"hooks\":{\"BeforeTool\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"mine\"}]}]}}"} {
		agent := []string{"claude", "codex", "claude", "gemini"}[i]
		root, state := t.TempDir(), t.TempDir()
		path := filepath.Join(root, SettingsFile(agent))
		keep := filepath.Join(state, "keep")
		if before != "" {
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte(before), 0o644)
		}
		_, changed, err := Install(root, agent, "hookd", keep)
		if strings.Contains(before, "not json") {
			if err == nil {
				t.Error("a settings file that is not JSON is overwritten")
			}
			continue
		}
		if err != nil || !changed {
			t.Fatalf("install: %v %v", changed, err)
		}
		if _, changed, _ := Install(root, agent, "hookd", keep); changed {
			t.Error("a second install changed the file")
		}
		data, _ := os.ReadFile(path)
		var s map[string]any
		json.Unmarshal(data, &s)
		if before != "" && (s["model"] != "opus" || !strings.Contains(string(data), `"mine"`)) {
			t.Errorf("install lost the user's settings: %s", data)
		}
		if _, evs, _ := Installed(root, agent); len(evs) != 6 {
			t.Errorf("installed for %v", evs)
		}
		if _, changed, err := Uninstall(root, agent, keep); err != nil || !changed {
			t.Fatalf("uninstall: %v %v", changed, err)
		}
		after, err := os.ReadFile(path)
		if before == "" {
			if err == nil {
				t.Errorf("the file install created is still there: %s", after)
			}
		} else if string(after) != before {
			t.Errorf("not restored byte for byte:\n%s\nwant\n%s", after, before)
		}
	}
}

// An agent is looked for on PATH by its CLI's program.
func TestProgram(t *testing.T) {
	if Program("gemini") != "gemini" || Program("kiro") != "kiro-cli" || Program("cursor") != "cursor-agent" || Program("aider") != "aider" || Program("nope") != "nope" {
		t.Error(Program("gemini"), Program("kiro"), Program("cursor"), Program("aider"))
	}
}

// Each does what it is told for the agents named, keeping what install
// replaces in the state directory, and says what changed.
func TestEach(t *testing.T) {
	state := t.TempDir()
	var b strings.Builder
	var seen []string
	do := func(root, agent, keep string) (string, bool, error) {
		seen = append(seen, agent)
		if filepath.Dir(keep) != filepath.Join(state, "agents") {
			t.Errorf("keep %s is not under the state directory", keep)
		}
		return agent + ".json", agent == "claude", nil
	}
	if err := Each(&b, "/repo", state, "all", false, do, "installed", "already in"); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(Agents()) {
		t.Errorf("all did %v, want %v", seen, Agents())
	}
	if !strings.Contains(b.String(), "installed claude (claude.json)\n") || !strings.Contains(b.String(), "(codex.json): nothing changed") {
		t.Errorf("said:\n%s", b.String())
	}
	seen = nil
	if err := Each(&b, "/repo", state, "gemini", false, do, "installed", "already in"); err != nil || len(seen) != 1 || seen[0] != "gemini" {
		t.Errorf("one agent: %v, %v", seen, err)
	}
	// User-level: the agents with no user-level hooks hookd knows are
	// skipped, saying so; what install replaces is kept apart from a
	// repository's.
	seen, b = nil, strings.Builder{}
	do = func(root, agent, keep string) (string, bool, error) {
		seen = append(seen, agent)
		if filepath.Base(keep) != agent+".user.settings.before" {
			t.Errorf("keep %s", keep)
		}
		return agent + ".json", true, nil
	}
	if err := Each(&b, "/home/u", state, "all", true, do, "installed", "already in"); err != nil || slices.Contains(seen, "copilot") || !slices.Contains(seen, "claude") {
		t.Errorf("user: %v, %v", seen, err)
	}
	if !strings.Contains(b.String(), "skipped copilot: hookd knows no user-level hooks of copilot") {
		t.Errorf("said:\n%s", b.String())
	}
}

// A user-level install writes `agent-hook --user`, into the home, and is
// told from a repository's install by that.
func TestUserInstall(t *testing.T) {
	home, keep := t.TempDir(), filepath.Join(t.TempDir(), "keep")
	file, changed, err := InstallUser(home, "claude", "/opt/hookd", keep)
	if err != nil || !changed || file != filepath.Join(".claude", "settings.json") {
		t.Fatal(file, changed, err)
	}
	data, _ := os.ReadFile(filepath.Join(home, file))
	if !strings.Contains(string(data), `"/opt/hookd agent-hook --user claude PreToolUse"`) {
		t.Errorf("installed:\n%s", data)
	}
	if _, evs, _ := InstalledUser(home, "claude"); len(evs) != 6 {
		t.Errorf("user install seen for %v", evs)
	}
	// In a repository, the same file is no project install of hookd's.
	os.MkdirAll(filepath.Join(home, ".claude"), 0o755)
	os.WriteFile(filepath.Join(home, ".claude", "settings.local.json"), data, 0o644)
	if _, evs, _ := Installed(home, "claude"); len(evs) != 0 {
		t.Errorf("a user-level command counts as a project install: %v", evs)
	}
	if _, _, err := InstallUser(home, "copilot", "/opt/hookd", keep); err == nil {
		t.Error("copilot has no user-level hooks hookd knows")
	}
	if _, changed, err := UninstallUser(home, "claude", keep); err != nil || !changed {
		t.Fatal(changed, err)
	}
	if _, err := os.Stat(filepath.Join(home, file)); err == nil {
		t.Error("the file install created is still there")
	}
}

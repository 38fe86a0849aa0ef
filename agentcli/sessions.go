package agentcli

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/safefile"
)

// Sessions joins a CLI's interactive sessions to hookd through the CLI's
// own hooks: install puts `hookd agent-hook NAME EVENT` into its project
// settings, and that command reads what the CLI's hook hands it (Parse),
// asks the daemon, and answers in the CLI's protocol (Answer).
type Sessions interface {
	// SettingsFile is where install writes, relative to the repository.
	SettingsFile() string
	// ProjectDirEnv names the variable in which the CLI hands its hooks
	// the project the session belongs to ("" when it has none): the
	// repository whose hooks answer, wherever in it (or in a repository
	// nested in it) the session's shell stands.
	ProjectDirEnv() string
	// Events lists the hook events install writes, in order.
	Events() []string
	// Parse reads what the CLI's hook for hookEvent gave on stdin. root
	// is the repository: paths the tool names are made relative to it,
	// and paths outside it are left out of Files.
	Parse(hookEvent string, stdin []byte, root string) (Call, error)
	// Answer is what the hook command prints and exits with to give the
	// verdict, in the CLI's protocol.
	Answer(kind event.Kind, v Verdict) (stdout, stderr string, exit int)
	// Install merges hookd's hook commands (self is how the agent runs
	// hookd) into the settings in root, keeping every hook already
	// there. The first install keeps the file's bytes in keep, so that
	// Uninstall can restore them exactly. It returns the file and
	// whether it changed.
	Install(root, self, keep string) (string, bool, error)
	// Uninstall removes exactly what Install added. When the rest is
	// what the file was before the first install, its bytes are
	// restored (or the file removed, if there was none).
	Uninstall(root, keep string) (string, bool, error)
	// Installed lists the hook events hookd is installed for.
	Installed(root string) (string, []string, error)
	// Can says what the CLI's hooks take on an event of hookd's besides
	// a deny: the capability matrix Answer degrades by.
	Can(kind event.Kind) Answers
	// Reach says, in a sentence, which sessions an install in root does
	// not reach, as far as it is verified; "" when nothing is known to
	// be missed.
	Reach() string
	// User is the CLI's user-level hooks (a file under the user's home,
	// run in every directory its sessions start in), as a Sessions whose
	// root is the home; nil when hookd knows no user-level hooks of the
	// CLI. Its command is `agent-hook --user AGENT EVENT`: outside any
	// repository, or in one without hookd configuration, it lets the
	// call go on.
	User() Sessions
	// Unreached lists the directories inside root (relative to it) in
	// which the CLI's recorded sessions started where an install in root
	// does not reach them, from what the CLI keeps of its sessions under
	// home; nil when there are none or the CLI keeps nothing hookd reads.
	Unreached(root, home string) []string
}

// Call is one hook call of an agent's session, as hookd sees it.
type Call struct {
	Kind  event.Kind
	Files []string // repository-relative files the tool touches
	// Unplaced are paths the tool names that could not be resolved to a
	// place inside or outside the repository: a guard cannot tell whether
	// they are its files, so a concerned guard refuses them.
	Unplaced []string
	Agent    event.AgentCall
}

// Verdict is what hookd's blocking hooks answered. At most one of Deny,
// Ask and Allow is set; none is no decision (the agent's own permissions
// apply), never an allow.
type Verdict struct {
	Deny    bool
	Ask     bool // put the call to the user
	Allow   bool // skip the agent's permission prompt
	Reason  string
	Context string         // the hooks' output, for the agent
	Input   map[string]any // the tool's input, rewritten; nil: unchanged
}

// Answers are what a CLI's hooks take from hookd on one of its events.
type Answers struct {
	// Deny: it refuses what the event is about (the tool call, the
	// prompt) with the reason. At a stop, a deny is a continue.
	Deny     bool `json:"deny"`
	Allow    bool `json:"allow"`    // skip the permission prompt
	Ask      bool `json:"ask"`      // ask the user
	Input    bool `json:"input"`    // run the tool with a rewritten input
	Continue bool `json:"continue"` // at its stop, keep the agent going with a reason
	Context  bool `json:"context"`  // text handed to the model
}

// degrade makes v something the CLI takes on kind, by hookd's stated
// policy (docs/agents.md): an ask it cannot put to the user is a deny; an
// input it cannot take is a deny (the call is not run unchanged); an
// allow it cannot take leaves its own permissions to decide, and note
// says so. A deny it cannot take is no answer to the agent: after a tool
// (which ran), where it takes context, the reason is that context; elsewhere the
// refusal is told to the user and not enforced (warn), which
// docs/agents.md says of each such agent and event.
func degrade(agent string, can Answers, kind event.Kind, v Verdict) (out Verdict, note string, warn bool) {
	denies := can.Deny || kind == event.AgentStop && can.Continue
	switch {
	case v.Ask && !can.Ask && !v.Deny:
		v = Verdict{Deny: true, Reason: strings.TrimSpace(v.Reason + "\n" + fmt.Sprintf(
			"hookd: a hook asks the user about this call, and %s takes no ask from a hook on %s: refused (an ask becomes a deny)", agent, kind))}
	case v.Input != nil && !can.Input && !v.Deny:
		v = Verdict{Deny: true, Reason: fmt.Sprintf(
			"hookd: a hook rewrote this call's input, and %s takes no rewritten input from a hook on %s: refused rather than run unchanged", agent, kind)}
	case v.Allow && !can.Allow && !v.Deny:
		v.Allow = false
		note = fmt.Sprintf("hookd: a hook allowed this call; %s takes no allow from a hook on %s, so its own permissions decide\n", agent, kind)
	}
	switch {
	case v.Deny && denies:
		return v, note, false
	case v.Deny && can.Context && kind == event.AgentToolAfter:
		return Verdict{Context: v.Reason}, note, false
	case v.Deny:
		return Verdict{}, strings.TrimSpace(v.Reason) + "\n" + fmt.Sprintf(
			"hookd: a blocking hook refused this, and %s takes no refusal from a hook on %s: it goes on (said to you, not enforced)\n", agent, kind), true
	}
	if !can.Context {
		v.Context = ""
	}
	return v, note, false
}

// jsonHooks is the session bridge of a CLI whose hooks are commands under
// "hooks" in a JSON settings file, keyed by the CLI's event names, handed
// the call as JSON on stdin. Claude Code's kind (the default) groups them
// by event with an optional matcher, denies on exit 2 with stderr as the
// reason, and takes hookSpecificOutput on stdout; the other CLIs' codecs
// set entry (one flat entry per hook, in their own keys) and answer.
type jsonHooks struct {
	agent string
	file  string // relative to the repository
	// events maps the CLI's hook events to hookd's; order is the order
	// install writes them in.
	events map[string]event.Kind
	order  []string
	// matcher is the matcher of hookd's group for a hook event; "" for
	// none.
	matcher func(hookEvent string) string
	// projectEnv is ProjectDirEnv's answer.
	projectEnv string
	// timeout is the hook's time limit as the CLI counts it (seconds or
	// milliseconds), written with every install: above hookd's own
	// default hook timeout (10 minutes), so the agent does not give up on
	// a verdict first, and take its silence for a yes.
	timeout int
	// can is what the CLI takes on each of hookd's events besides a
	// deny, and decide writes an allow, ask or rewritten input in its
	// protocol.
	can    map[event.Kind]Answers
	decide func(specific map[string]any, v Verdict) map[string]any
	// reach and unreached are Reach's and Unreached's answers; nil
	// unreached for a CLI hookd cannot check.
	reach     string
	unreached func(root, home string) []string

	// entry, when set, is the CLI's one hook entry running cmd on a hook
	// event, listed flat under the event (no matcher groups); cmdKey is
	// the key of its command ("command" when ""). suffix is what entry
	// adds after hookd's command on a hook event ("" for none), which
	// recognising an install strips.
	entry  func(cmd, hookEvent string) map[string]any
	cmdKey string
	suffix func(hookEvent string) string
	// skeleton holds the keys a settings file install creates must have
	// besides "hooks" (a format's version); uninstall removes a file that
	// holds no more than them.
	skeleton map[string]any
	// answer, when set, writes a verdict already degraded to what the
	// CLI takes, on its hook event, in its protocol; nil is Claude
	// Code's.
	answer func(hookEvent string, kind event.Kind, v Verdict) (stdout, stderr string, exit int)
	// warnExit is the exit that shows stderr to the user when hookd has
	// a refusal the CLI cannot take on that event (0: it shows none).
	warnExit int
	// userFile is the user-level settings file, relative to the home (""
	// for none hookd knows); user says this is that install.
	userFile string
	user     bool
}

func (j jsonHooks) User() Sessions {
	if j.userFile == "" || j.user {
		return nil
	}
	j.file, j.user, j.reach, j.unreached = j.userFile, true, "", nil
	return j
}

func (j jsonHooks) Reach() string { return j.reach }

func (j jsonHooks) Unreached(root, home string) []string {
	if j.unreached == nil {
		return nil
	}
	return j.unreached(root, home)
}

func (j jsonHooks) ProjectDirEnv() string { return j.projectEnv }

func (j jsonHooks) SettingsFile() string { return j.file }

func (j jsonHooks) Events() []string { return slices.Clone(j.order) }

func (j jsonHooks) Parse(hookEvent string, stdin []byte, root string) (Call, error) {
	in, err := decodeInput(stdin)
	if err != nil {
		// The event is still known by its name: the caller refuses it
		// when a guard may be concerned.
		return Call{Kind: j.events[hookEvent]}, fmt.Errorf("the %s hook's input is not JSON: %v", j.agent, err)
	}
	// The event the installed hook names is the one it answers; the
	// input's own name only stands in when that names none.
	name := hookEvent
	if _, known := j.events[name]; !known {
		name = cmp.Or(in.Event, hookEvent)
	}
	kind, ok := j.events[name]
	if !ok {
		return Call{}, fmt.Errorf("%s hook event %q is not bridged (one of %s)", j.agent, name, strings.Join(j.order, ", "))
	}
	c := Call{Kind: kind, Agent: event.AgentCall{Name: j.agent, Session: in.SessionID, Prompt: in.Prompt, Tool: in.ToolName, Input: in.ToolInput, Cwd: in.Cwd,
		Writes: WritesFiles(in.ToolName), Continued: in.StopHookActive}}
	cwd := cmp.Or(in.Cwd, root)
	if !filepath.IsAbs(cwd) {
		// A relative cwd places nothing (every path would be outside the
		// repository, and a guard would miss it): it is the repository's.
		cwd = filepath.Join(root, cwd)
	}
	c.place(root, cwd, toolPaths(in.ToolInput))
	command, _ := in.ToolInput["command"].(string)
	if !commandIsShell(in.ToolName) {
		command = ""
	}
	c.Agent.Command = command
	switch dir, isPatch := patchDir(cwd, command); {
	case in.ToolName == "apply_patch":
		// codex's own patch tool: its command is the patch, not a shell
		// command, and the files are what the patch names.
		command, _ = in.ToolInput["command"].(string)
		c.Agent.Command = ""
		paths, ok := patchPaths(command)
		if !ok || len(paths) == 0 {
			// A patch hookd cannot read touches files nobody can name: a
			// guard that may be concerned refuses it.
			c.Unplaced = append(c.Unplaced, "the apply_patch input (no *** Add/Update/Delete File line)")
		}
		c.place(root, cwd, paths)
	case isPatch:
		// `apply_patch <<'EOF' … EOF` typed as a shell command: codex
		// applies the patch itself. It stays a shell command (rules on
		// agent.command see it), and writes the files the patch names.
		paths, _ := patchPaths(command)
		c.place(root, dir, paths)
		c.Agent.Writes = true
	}
	return c, nil
}

// sessionInput is what hookd reads of a hook's input, in any bridged
// CLI's spelling.
type sessionInput struct {
	SessionID, Cwd, Event, Prompt, ToolName string
	ToolInput                               map[string]any
	// StopHookActive: the agent goes on because a stop hook said so
	// (Claude Code, Codex, Qwen Code; Gemini's AfterAgent too).
	StopHookActive bool
}

// decodeInput reads a hook's input. The CLIs name the same things
// differently: Claude Code's snake_case (and codex, gemini, qwen, kiro-cli
// after it), Copilot CLI's camelCase (sessionId, toolName, and toolArgs,
// an object or its JSON as a string), Cursor's conversation_id and
// workspace_roots; each takes the first spelling present.
func decodeInput(stdin []byte) (sessionInput, error) {
	var in sessionInput
	if len(bytes.TrimSpace(stdin)) == 0 {
		return in, nil
	}
	var raw struct {
		SessionID      string          `json:"session_id"`
		SessionIDCamel string          `json:"sessionId"`
		Conversation   string          `json:"conversation_id"`
		Cwd            string          `json:"cwd"`
		Roots          []string        `json:"workspace_roots"`
		Event          string          `json:"hook_event_name"`
		Prompt         string          `json:"prompt"`
		ToolName       string          `json:"tool_name"`
		ToolNameCamel  string          `json:"toolName"`
		ToolInput      json.RawMessage `json:"tool_input"`
		ToolArgs       json.RawMessage `json:"toolArgs"`
		StopHookActive bool            `json:"stop_hook_active"`
	}
	if err := json.Unmarshal(stdin, &raw); err != nil {
		return in, err
	}
	in = sessionInput{SessionID: cmp.Or(raw.SessionID, raw.SessionIDCamel, raw.Conversation), Cwd: raw.Cwd, Event: raw.Event, Prompt: raw.Prompt,
		ToolName: cmp.Or(raw.ToolName, raw.ToolNameCamel), StopHookActive: raw.StopHookActive}
	if in.Cwd == "" && len(raw.Roots) > 0 {
		in.Cwd = raw.Roots[0]
	}
	input := raw.ToolInput
	if len(input) == 0 {
		input = raw.ToolArgs
	}
	if len(input) > 0 && string(input) != "null" {
		var text string
		if json.Unmarshal(input, &text) == nil {
			input = []byte(text) // the arguments' JSON, as a string
		}
		if err := json.Unmarshal(input, &in.ToolInput); err != nil {
			return in, fmt.Errorf("the tool's input is not a JSON object: %v", err)
		}
	}
	return in, nil
}

// commandIsShell says whether the "command" in a tool's input is a shell
// command: it is for every shell tool, and for a tool hookd does not know
// (a guard on agent.command must not miss an unknown agent's shell), but
// not for kiro-cli's fs_write, whose command is the kind of write
// (create, str_replace, append).
func commandIsShell(tool string) bool { return tool != "fs_write" }

// place adds to the call's files where each of paths (named from cwd) lies
// in the repository at root, and to Unplaced those that cannot be told.
func (c *Call) place(root, cwd string, paths []string) {
	for _, p := range paths {
		rels, ok := Place(root, cwd, p)
		if !ok {
			c.Unplaced = append(c.Unplaced, p)
		}
		for _, rel := range rels {
			if !slices.Contains(c.Files, rel) {
				c.Files = append(c.Files, rel)
			}
		}
	}
}

// WritesFiles says whether a tool of a bridged agent writes the files its
// input names: the agents' own file tools (Claude Code's Write, Edit,
// MultiEdit, NotebookEdit; Gemini CLI's and Qwen Code's write_file,
// replace and edit; Kiro's fsWrite, fsAppend, strReplace, and kiro-cli's
// fs_write, fs_append, str_replace, delete_file; Copilot CLI's create and
// edit; Cursor's Write, StrReplace, Delete) and codex's apply_patch. A
// shell tool may write too, but what it writes is in its command, not in
// its input's paths.
func WritesFiles(tool string) bool {
	switch tool {
	case "Write", "Edit", "MultiEdit", "NotebookEdit", "write_file", "replace", "edit", "fsWrite", "fsAppend", "strReplace", "apply_patch",
		"fs_write", "fs_append", "str_replace", "delete_file", "create", "StrReplace", "Delete":
		return true
	}
	return false
}

func (j jsonHooks) Can(kind event.Kind) Answers { return j.can[kind] }

func (j jsonHooks) Answer(kind event.Kind, v Verdict) (stdout, stderr string, exit int) {
	v, note, warn := degrade(j.agent, j.can[kind], kind, v)
	if warn {
		return "", note, j.warnExit
	}
	name := j.hookEvent(kind)
	if j.answer != nil {
		stdout, stderr, exit = j.answer(name, kind, v)
		return stdout, note + stderr, exit
	}
	if v.Deny {
		return "", strings.TrimSpace(v.Reason) + "\n", 2
	}
	specific := map[string]any{"hookEventName": name}
	if ctx := strings.TrimSpace(v.Context); ctx != "" {
		specific["additionalContext"] = ctx
	}
	var out map[string]any
	if v.Allow || v.Ask || v.Input != nil {
		out = j.decide(specific, v)
	} else if len(specific) > 1 {
		out = map[string]any{"hookSpecificOutput": specific}
	}
	if out == nil {
		return "", note, 0
	}
	data, _ := json.Marshal(out)
	return string(data) + "\n", note, 0
}

// hookEvent is the CLI's hook event install writes for kind ("" for none).
func (j jsonHooks) hookEvent(kind event.Kind) string {
	for _, ev := range j.order {
		if j.events[ev] == kind {
			return ev
		}
	}
	return ""
}

// Refuse is the CLI's answer when hookd cannot answer its call on
// hookEvent at all (its input unreadable, no repository, no
// configuration): a deny with the reason, in its protocol, where it takes
// one.
func Refuse(s Sessions, hookEvent, reason string) (stdout, stderr string, exit int) {
	kind := event.AgentToolBefore
	if j, ok := s.(jsonHooks); ok {
		if k, known := j.events[hookEvent]; known {
			kind = k
		}
	}
	return s.Answer(kind, Verdict{Deny: true, Reason: reason})
}

// claudeDecision is Claude Code's answer to PreToolUse beyond a deny:
// permissionDecision allow or ask, with its reason, and updatedInput
// (verified with 2.1.197: allow ran a Bash call no permission allowed,
// updatedInput alone or with allow ran the rewritten call, ask in -p mode
// was a denial). Codex reads the same (0.169.0), and applies updatedInput
// only with permissionDecision allow: alone it ran the call unchanged.
func claudeDecision(specific map[string]any, v Verdict) map[string]any {
	switch {
	case v.Ask:
		specific["permissionDecision"] = "ask"
	case v.Allow:
		specific["permissionDecision"] = "allow"
	}
	if v.Reason != "" && (v.Ask || v.Allow) {
		specific["permissionDecisionReason"] = strings.TrimSpace(v.Reason)
	}
	if v.Input != nil {
		specific["updatedInput"] = v.Input
	}
	return map[string]any{"hookSpecificOutput": specific}
}

func codexDecision(specific map[string]any, v Verdict) map[string]any {
	if v.Input != nil {
		v.Allow = true // the only way codex 0.169.0 applies it
	}
	return claudeDecision(specific, v)
}

// geminiDecision is Gemini CLI's answer to BeforeTool (0.61.0, read from
// its source): decision "ask" forces a confirmation, and
// hookSpecificOutput.tool_input is merged over the tool's input. It has
// no allow.
func geminiDecision(specific map[string]any, v Verdict) map[string]any {
	out := map[string]any{}
	if v.Ask {
		out["decision"] = "ask"
		out["reason"] = strings.TrimSpace(v.Reason)
		out["systemMessage"] = strings.TrimSpace(v.Reason)
	}
	if v.Input != nil {
		specific["tool_input"] = v.Input
	}
	out["hookSpecificOutput"] = specific
	return out
}

// marker is what every command hookd installs holds: how uninstall tells
// hookd's entries from the user's.
func (j jsonHooks) marker() string {
	if j.user {
		return " agent-hook --user " + j.agent + " "
	}
	return " agent-hook " + j.agent + " "
}

func (j jsonHooks) Install(root, self, keep string) (string, bool, error) {
	rel := j.file
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
	if orig == nil {
		maps.Copy(settings, j.skeleton)
	}
	hooks, _ := settings["hooks"].(map[string]any)
	if hooks == nil {
		hooks = map[string]any{}
	}
	changed := false
	for _, ev := range j.order {
		groups, _ := hooks[ev].([]any)
		if j.hasOurs(groups) {
			continue
		}
		cmd := self + j.marker() + ev
		if j.entry != nil {
			groups = append(groups, j.entry(cmd, ev))
		} else {
			entry := map[string]any{"type": "command", "command": cmd}
			if j.timeout > 0 {
				entry["timeout"] = j.timeout
			}
			group := map[string]any{"hooks": []any{entry}}
			if m := j.matcher(ev); m != "" {
				group["matcher"] = m
			}
			groups = append(groups, group)
		}
		hooks[ev] = groups
		changed = true
	}
	if !changed {
		return rel, false, nil
	}
	settings["hooks"] = hooks
	return rel, true, writeSettings(root, rel, settings)
}

func (j jsonHooks) Uninstall(root, keep string) (string, bool, error) {
	return uninstall(root, j.file, keep, j.skeleton, j.isOurs)
}

// uninstall removes from the settings file rel in root the groups ours
// says are hookd's, restoring the file kept in keep when what is left is
// what it was (a file hookd created goes when no more than skeleton is
// left of it).
func uninstall(root, rel, keep string, skeleton map[string]any, ours func(group any) bool) (string, bool, error) {
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
			if ours(g) {
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
		case string(head) == "absent" && onlySkeleton(settings, skeleton):
			os.Remove(keep)
			return rel, true, os.Remove(path)
		case string(head) == "present" && reflect.DeepEqual(before, settings):
			os.Remove(keep)
			return rel, true, safefile.WriteInside(root, rel, rest, 0o644)
		}
	}
	return rel, true, writeSettings(root, rel, settings)
}

// onlySkeleton says whether settings hold nothing but what install put in
// a new file besides its hooks.
func onlySkeleton(settings, skeleton map[string]any) bool {
	for k, v := range settings {
		if s, ok := skeleton[k]; !ok || !reflect.DeepEqual(normal(s), v) {
			return false
		}
	}
	return true
}

// normal is v as it reads back from JSON.
func normal(v any) any {
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func (j jsonHooks) Installed(root string) (string, []string, error) {
	rel := j.file
	_, settings, err := readSettings(filepath.Join(root, rel))
	if err != nil {
		return rel, nil, err
	}
	hooks, _ := settings["hooks"].(map[string]any)
	var out []string
	for _, ev := range j.order {
		if groups, _ := hooks[ev].([]any); j.hasOurs(groups) {
			out = append(out, ev)
		}
	}
	return rel, out, nil
}

func (j jsonHooks) hasOurs(groups []any) bool {
	return slices.ContainsFunc(groups, j.isOurs)
}

// isOurs says whether a matcher group holds only hookd's command, as
// install writes it (or, for a CLI of flat entries, whether the entry is
// hookd's): one command hook whose command is a program with no shell in
// it, then `agent-hook AGENT EVENT` (and the entry's suffix for that
// event). A command that merely ends like hookd's (`curl …|sh; hookd
// agent-hook …`, committed by a repository) is not hookd's: install adds
// hookd's own beside it, and status does not call it installed.
func (j jsonHooks) isOurs(g any) bool {
	h, _ := g.(map[string]any)
	if j.entry == nil {
		hs, _ := h["hooks"].([]any)
		if len(hs) != 1 {
			return false
		}
		h, _ = hs[0].(map[string]any)
		if t, _ := h["type"].(string); t != "command" {
			return false
		}
	} else if t, ok := h["type"]; ok && t != "command" {
		return false
	}
	cmd, _ := h[cmp.Or(j.cmdKey, "command")].(string)
	for _, ev := range j.order {
		if j.suffix != nil && j.suffix(ev) != "" {
			if c, ok := strings.CutSuffix(cmd, j.suffix(ev)); ok && strings.HasSuffix(c, " "+ev) {
				cmd = c
				break
			}
		}
	}
	f := strings.Fields(cmd)
	if len(f) < 4 || f[len(f)-2] != j.agent || !slices.Contains(j.order, f[len(f)-1]) {
		return false
	}
	f = f[:len(f)-2]
	if j.user {
		if f[len(f)-1] != "--user" {
			return false
		}
		f = f[:len(f)-1]
	}
	if len(f) < 2 || f[len(f)-1] != "agent-hook" {
		return false
	}
	for _, tok := range f[:len(f)-1] {
		if strings.ContainsAny(tok, ";|&$`()<>\"'\\*?!{}[]#~") {
			return false
		}
	}
	return true
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

// pathKeys are the keys under which tools name the files they touch:
// the agents' own file tools, and MCP servers' (move_file's source and
// destination, a list of paths, a file:// uri).
func pathKeys() []string {
	return []string{"file_path", "notebook_path", "absolute_path", "path", "paths", "target_file", "file", "files",
		"filename", "filepath", "source", "destination", "old_path", "new_path", "from", "to", "uri", "target"}
}

// ToolPaths are the paths a tool's input names (toolPaths).
func ToolPaths(input map[string]any) []string { return toolPaths(input) }

// Resolve is p, relative to cwd, with every symlink resolved (dangling
// ones followed), as a write through it would land.
func Resolve(cwd, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	return resolve(filepath.Clean(p))
}

// toolPaths are the paths a tool's input names under pathKeys, as strings,
// lists of strings, or objects with such keys (files[].path), to a small
// depth.
func toolPaths(input map[string]any) []string {
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 4 || len(out) > 1000 {
			return
		}
		switch x := v.(type) {
		case string:
			if p, ok := strings.CutPrefix(x, "file://"); ok {
				x = p
			}
			if x != "" {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, k := range pathKeys() {
				if e, ok := x[k]; ok {
					walk(e, depth+1)
				}
			}
		}
	}
	walk(input, 0)
	return out
}

// Place is where a path a tool names lies in the repository at root:
// every repository-relative name it has there (the name as given, and the
// file it resolves to through symlinks, /proc/self/cwd, "..", when that
// differs), or none when it lies outside. ok is false when it cannot be
// resolved at all (a symlink loop, a parent that cannot be read): then
// nobody can say it is not a guarded file.
func Place(root, cwd, p string) (rels []string, ok bool) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	p = filepath.Clean(p)
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root // the repository is hookd's own: it exists, or this is a test's
	}
	add := func(abs, base string) {
		if rel, err := filepath.Rel(base, abs); err == nil && filepath.IsLocal(rel) {
			if rel = filepath.ToSlash(rel); !slices.Contains(rels, rel) {
				rels = append(rels, rel)
			}
		}
	}
	add(p, root)
	add(p, realRoot)
	real, err := resolve(p)
	if err != nil {
		return rels, false
	}
	add(real, realRoot)
	return rels, true
}

// resolve is p with every symlink resolved, for a file that may not exist
// yet (a tool about to create it): its nearest existing ancestor resolved,
// the rest joined on. A dangling symlink is followed to where a write
// through it would land.
func resolve(p string) (string, error) { return resolveDepth(p, 0) }

func resolveDepth(p string, depth int) (string, error) {
	if depth > 40 {
		return "", errors.New("too many levels of symbolic links")
	}
	var rest []string
	for cur := p; ; cur = filepath.Dir(cur) {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			slices.Reverse(rest)
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(cur) == cur {
			return "", err
		}
		if fi, lerr := os.Lstat(cur); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(cur)
			if err != nil {
				return "", err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(cur), target)
			}
			slices.Reverse(rest)
			return resolveDepth(filepath.Join(append([]string{target}, rest...)...), depth+1)
		}
		rest = append(rest, filepath.Base(cur))
	}
}

package hooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/safefile"
)

// Kiro hook files (docs/kiro.md): the legacy IDE format, one hook
// per `.kiro/hooks/*.kiro.hook` (`when`/`then`), and the v1 format,
// `.kiro/hooks/*.json` (`version: "v1"`, a list of `trigger`/`action`
// hooks), also read from the user's `~/.kiro/hooks/*.json`.
const (
	OriginKiro     Origin = "kiro"      // .kiro/hooks: committed, needs trust
	OriginKiroUser Origin = "kiro-user" // ~/.kiro/hooks: the user's own
)

// kiroDir is where a repository keeps its Kiro hooks.
const kiroDir = ".kiro/hooks"

// sessionTriggers are the triggers of a Kiro agent's own session: they
// fire in any agent session hookd is installed into (hookd agents
// install), as agent.* events.
var sessionTriggers = map[string]event.Kind{
	"promptSubmit": event.AgentPrompt, "userPrompt": event.AgentPrompt, "userPromptSubmit": event.AgentPrompt, "UserPromptSubmit": event.AgentPrompt,
	"preToolUse": event.AgentToolBefore, "PreToolUse": event.AgentToolBefore,
	"postToolUse": event.AgentToolAfter, "PostToolUse": event.AgentToolAfter,
	"sessionStart": event.AgentSessionStart, "agentSpawn": event.AgentSessionStart, "SessionStart": event.AgentSessionStart,
}

// WritesFiles says whether a tool of a bridged agent writes the files it
// names (Kiro's "write" category, as each agent names its tools).
func WritesFiles(tool string) bool { return agentcli.WritesFiles(tool) }

// kiroToolTypes are the tools of each of Kiro's tool categories, as the
// bridged agents name them (kiro-cli's fs_write and execute_bash, Copilot
// CLI's create, view and bash, Cursor's Write and Shell, … see
// agentcli.WritesFiles).
var kiroToolTypes = map[string][]string{
	"write": {"Write", "Edit", "MultiEdit", "NotebookEdit", "write_file", "replace", "edit", "fsWrite", "fsAppend", "strReplace",
		"fs_write", "fs_append", "str_replace", "delete_file", "create", "StrReplace", "Delete"},
	"read": {"Read", "Grep", "Glob", "LS", "read_file", "read_many_files", "glob", "search_file_content", "readFile", "readCode",
		"fs_read", "view", "grep"},
	"shell": {"Bash", "run_shell_command", "executeBash", "shell", "execute_bash", "bash", "Shell"},
	"web":   {"WebFetch", "WebSearch", "web_fetch", "google_web_search"},
}

// sessionHook finishes a hook on a Kiro session trigger once its action
// is known: a command answers the agent (blocking: a non-zero exit denies
// a tool call or prompt, and its output is context); an askAgent prompt is
// context for the same session, as in Kiro (the builtin "context"), where
// the agent takes context: after a prompt is submitted and after a tool.
// toolRule selects the tools it is for.
func sessionHook(h *Hook, toolRule string) error {
	if len(h.On) == 0 || !strings.HasPrefix(h.On[0], "agent.") || h.On[0] == string(event.AgentDone) {
		return nil
	}
	if h.Prompt != "" {
		if k := event.Kind(h.On[0]); k != event.AgentPrompt && k != event.AgentToolAfter {
			h.Disabled = fmt.Sprintf("an askAgent action on %s would be context for the agent, which it takes only after a prompt or a tool (use runCommand to answer)", h.On[0])
			h.On, h.kinds = []string{}, nil
			return nil
		}
		h.Builtin, h.Agent = BuiltinContext, ""
	}
	if event.Answerable(event.Kind(h.On[0])) {
		h.Blocking = true
	}
	if toolRule != "" {
		r, err := rules.Compile(toolRule)
		if err != nil {
			return err
		}
		h.If = r
	}
	return nil
}

// toolTypesRule is the rule of a legacy hook's toolTypes ("*" or none:
// every tool).
func toolTypesRule(types []string) (string, error) {
	var tools, more []string
	add := func(names ...string) {
		for _, name := range names {
			if q := strconv.Quote(name); !slices.Contains(tools, q) {
				tools = append(tools, q)
			}
		}
	}
	for _, t := range types {
		switch names, ok := kiroToolTypes[t]; {
		case t == "*":
			return "", nil
		case ok:
			add(names...)
		case t == "@mcp":
			// Any MCP server's tool, as Claude Code and Codex name them
			// (mcp__server__tool).
			more = append(more, `agent.tool startsWith "mcp__"`)
		case strings.HasPrefix(t, "@mcp."), strings.HasPrefix(t, "@"):
			// One server's tools: @mcp.NAME or @NAME.
			server := strings.TrimPrefix(strings.TrimPrefix(t, "@mcp."), "@")
			if server == "" || strings.ContainsFunc(server, func(r rune) bool { return !isToolRune(r) }) {
				return "", fmt.Errorf("unknown tool type %q (write, read, shell, web, *, @mcp, @SERVER or a tool's name)", t)
			}
			more = append(more, "agent.tool startsWith "+strconv.Quote("mcp__"+server+"__"))
		case kiroToolTypes[strings.ToLower(strings.TrimSuffix(t, "s"))] != nil:
			// "writes", "Shell": a category misspelt, not a tool of that
			// name, which would leave the hook matching nothing.
			return "", fmt.Errorf("unknown tool type %q (did you mean %q?)", t, strings.ToLower(strings.TrimSuffix(t, "s")))
		case t != "" && !strings.ContainsFunc(t, func(r rune) bool { return !isToolRune(r) }):
			// A tool by its name; a name of one of Kiro's categories
			// (Bash, executeBash) stands for that category's tool in
			// every agent (Bash, run_shell_command, …).
			add(t)
			for _, names := range kiroToolTypes {
				if slices.Contains(names, t) {
					add(names...)
				}
			}
		default:
			return "", fmt.Errorf("unknown tool type %q (write, read, shell, web, *, @mcp, @SERVER or a tool's name)", t)
		}
	}
	if len(types) == 0 {
		return "", nil
	}
	if len(tools) > 0 {
		more = append([]string{"agent.tool in [" + strings.Join(tools, ", ") + "]"}, more...)
	}
	return strings.Join(more, " || "), nil
}

// isToolRune says whether r may be in a tool's or MCP server's name.
func isToolRune(r rune) bool {
	return r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// kiroTrigger maps a Kiro trigger to a hookd event kind, with the rule it
// implies (task triggers fire on one status change only).
func kiroTrigger(t string) (kind event.Kind, rule string, ok bool) {
	switch t {
	case "fileEdited", "PostFileSave":
		return event.FileSaved, "", true
	case "fileCreated", "PostFileCreate":
		return event.FileCreated, "", true
	case "fileDeleted", "PostFileDelete":
		return event.FileDeleted, "", true
	case "userTriggered", "manual", "Manual":
		return event.HookManual, "", true
	case "postTaskExecution", "PostTaskExec":
		return event.SpecTask, `any(spec.tasks, .to == "done")`, true
	case "preTaskExecution", "PreTaskExec":
		return event.SpecTask, `any(spec.tasks, .to == "in_progress")`, true
	case "agentStop", "stop", "Stop":
		return event.AgentDone, "", true
	}
	return "", "", false
}

// LoadKiro reads the Kiro hook files of a repository, and of the user when
// home is set. Each file yields hooks or problems; one bad file never
// keeps the others from loading. files lists every file read, with the
// SHA-256 of its bytes, for trust.
func LoadKiro(root, home string, d Defaults) (files []Source, hs []*Hook, probs Problems) {
	read := func(pattern string, origin Origin) {
		paths, _ := filepath.Glob(pattern)
		sort.Strings(paths)
		for _, p := range paths {
			if !strings.HasSuffix(p, ".kiro.hook") && !strings.HasSuffix(p, ".json") {
				continue
			}
			data, err := safefile.Read(p, MaxConfigFile)
			if err != nil {
				probs = append(probs, Problem{Pos: Pos{File: p}, Message: err.Error()})
				continue
			}
			src := Source{Path: p, Origin: origin, Sum: Sum(data), Committed: origin.Committed()}
			if src.Committed {
				src.Data = data
			}
			files = append(files, src)
			h, pr := ParseKiro(p, data, origin, d)
			hs, probs = append(hs, h...), append(probs, pr...)
		}
	}
	read(filepath.Join(root, kiroDir, "*"), OriginKiro)
	if home != "" {
		read(filepath.Join(home, ".kiro", "hooks", "*.json"), OriginKiroUser)
	}
	return files, hs, probs
}

// legacyHook is the `.kiro.hook` shape.
type legacyHook struct {
	Enabled     *bool           `json:"enabled"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	When        json.RawMessage `json:"when"`
	Then        json.RawMessage `json:"then"`
	Trigger     json.RawMessage `json:"trigger"`
	Action      json.RawMessage `json:"action"`
	Version     any             `json:"version"`
	Hooks       json.RawMessage `json:"hooks"`
}

type legacyWhen struct {
	Type      string   `json:"type"`
	Patterns  []string `json:"patterns"`
	ToolTypes []string `json:"toolTypes"`
}

type legacyThen struct {
	Type    string  `json:"type"`
	Prompt  string  `json:"prompt"`
	Command string  `json:"command"`
	Timeout float64 `json:"timeout"`
}

// v1Hook is one hook of the v1 `.json` shape.
type v1Hook struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Trigger     string   `json:"trigger"`
	Matcher     string   `json:"matcher"`
	Timeout     *float64 `json:"timeout"`
	Enabled     *bool    `json:"enabled"`
	Action      struct {
		Type    string `json:"type"`
		Command string `json:"command"`
		Prompt  string `json:"prompt"`
	} `json:"action"`
}

// ParseKiro reads one Kiro hook file. Its hooks are named after the file
// (the stem, lower-cased to a hookd name); a v1 file with several hooks
// adds each hook's name. Hooks whose trigger only exists inside a Kiro
// agent session load disabled, with the reason.
func ParseKiro(path string, data []byte, origin Origin, d Defaults) ([]*Hook, Problems) {
	stem := filepath.Base(path)
	stem = strings.TrimSuffix(strings.TrimSuffix(stem, ".kiro.hook"), ".json")
	// at reports a problem at the key it is about (keys: its path in the
	// document), or at the start when the document does not have it.
	at := func(keys []any, msg string, args ...any) Problems {
		pos, ok := jsonKeyPos(path, data, keys...)
		if !ok {
			pos = Pos{File: path, Line: 1, Col: 1}
		}
		return Problems{{Pos: pos, Message: fmt.Sprintf(msg, args...)}}
	}
	var raw legacyHook
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, Problems{{Pos: jsonPos(path, data, err), Message: "not valid JSON: " + jsonMessage(err)}}
	}
	if v, _ := raw.Version.(string); v == "v1" || raw.Hooks != nil {
		var file struct {
			Hooks []v1Hook `json:"hooks"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			return nil, at([]any{"hooks"}, "a v1 hook file holds {\"version\": \"v1\", \"hooks\": [{\"name\", \"trigger\", \"action\"}…]}: %s", jsonMessage(err))
		}
		var hs []*Hook
		var probs Problems
		for i, v := range file.Hooks {
			name := stem
			if len(file.Hooks) > 1 {
				name = stem + "-" + slug(v.Name)
			}
			h, err := v1ToHook(v, name, d)
			var split []*Hook
			if err == nil {
				split, err = kiroStop(h)
			}
			if err != nil {
				probs = append(probs, at([]any{"hooks", i}, "hook %d (%q): %v", i+1, v.Name, err)...)
				continue
			}
			for _, h := range split {
				hs = append(hs, finishKiro(h, path, origin))
			}
		}
		if len(file.Hooks) == 0 {
			probs = append(probs, at([]any{"hooks"}, "a v1 hook file with no hooks")...)
		}
		return hs, probs
	}
	switch {
	case raw.When == nil && (raw.Trigger != nil || raw.Action != nil):
		return nil, at([]any{"trigger"}, "not a Kiro hook: it has \"trigger\"/\"action\", but a .kiro.hook file has \"when\" and \"then\" (and a v1 .json file has \"version\": \"v1\" and \"hooks\")")
	case raw.When == nil:
		return nil, at(nil, "not a Kiro hook: \"when\" is missing")
	case raw.Then == nil:
		return nil, at(nil, "not a Kiro hook: \"then\" is missing")
	}
	var when legacyWhen
	if err := json.Unmarshal(raw.When, &when); err != nil {
		return nil, at([]any{"when"}, "\"when\" must be an object with \"type\" and \"patterns\": %s", jsonMessage(err))
	}
	var then legacyThen
	if err := json.Unmarshal(raw.Then, &then); err != nil {
		return nil, at([]any{"then"}, "\"then\" must be an object with \"type\" and \"prompt\" or \"command\": %s", jsonMessage(err))
	}
	if strings.TrimSpace(raw.Name) == "" {
		return nil, at(nil, "\"name\" is missing")
	}
	h := &Hook{Name: slug(stem), Title: raw.Name, Description: raw.Description, Enabled: raw.Enabled == nil || *raw.Enabled}
	applyDefaults(h, d)
	if err := setTrigger(h, when.Type); err != nil {
		return nil, at([]any{"when", "type"}, "%v", err)
	}
	if len(when.Patterns) > 0 && h.Disabled == "" && !strings.HasPrefix(h.On[0], "agent.tool") {
		g, err := rules.CompileGlobs(when.Patterns)
		if err != nil {
			return nil, at([]any{"when", "patterns"}, "when.patterns: %v", err)
		}
		h.Paths, h.globs = when.Patterns, g
	}
	switch then.Type {
	case "askAgent":
		if strings.TrimSpace(then.Prompt) == "" {
			return nil, at([]any{"then", "prompt"}, "askAgent without a prompt")
		}
		h.Prompt, h.Literal = then.Prompt, true
		h.Agent = kiroAgent(d)
	case "runCommand":
		if strings.TrimSpace(then.Command) == "" {
			return nil, at([]any{"then", "command"}, "runCommand without a command")
		}
		h.Run = Command{Shell: then.Command}
		if then.Timeout > 0 {
			h.Timeout = time.Duration(then.Timeout * float64(time.Second))
		}
	case "":
		return nil, at([]any{"then"}, "\"then\" has no \"type\" (askAgent or runCommand)")
	default:
		return nil, at([]any{"then", "type"}, "then.type %q is not a Kiro action (askAgent or runCommand)", then.Type)
	}
	toolRule, err := toolTypesRule(when.ToolTypes)
	if err == nil {
		err = sessionHook(h, toolRule)
	}
	if err != nil {
		return nil, at([]any{"when", "toolTypes"}, "when.toolTypes: %v", err)
	}
	split, err := kiroStop(h)
	if err != nil {
		return nil, at([]any{"then"}, "%v", err)
	}
	for i := range split {
		split[i] = finishKiro(split[i], path, origin)
	}
	return split, nil
}

func v1ToHook(v v1Hook, name string, d Defaults) (*Hook, error) {
	if strings.TrimSpace(v.Name) == "" {
		return nil, errors.New("\"name\" is missing")
	}
	h := &Hook{Name: name, Title: v.Name, Description: v.Description, Enabled: v.Enabled == nil || *v.Enabled}
	applyDefaults(h, d)
	if err := setTrigger(h, v.Trigger); err != nil {
		return nil, err
	}
	toolRule := ""
	if kind, ok := sessionTriggers[v.Trigger]; ok && (kind == event.AgentToolBefore || kind == event.AgentToolAfter) && v.Matcher != "" {
		// A tool trigger's matcher names tools, not files.
		if _, err := regexp.Compile(v.Matcher); err != nil {
			return nil, fmt.Errorf("matcher %q is not a regular expression: %v", v.Matcher, err)
		}
		toolRule = "agent.tool matches " + strconv.Quote("^(?:"+v.Matcher+")$")
	} else if v.Matcher != "" && h.Disabled == "" {
		re, err := regexp.Compile(v.Matcher)
		if err != nil {
			return nil, fmt.Errorf("matcher %q is not a regular expression: %v", v.Matcher, err)
		}
		h.PathRegexp = re
	}
	if v.Timeout != nil {
		// v1: seconds, default 60, 0 for none.
		h.Timeout = time.Duration(*v.Timeout * float64(time.Second))
	} else {
		h.Timeout = 60 * time.Second
	}
	switch v.Action.Type {
	case "command":
		if strings.TrimSpace(v.Action.Command) == "" {
			return nil, errors.New("a command action without a command")
		}
		h.Run = Command{Shell: v.Action.Command}
	case "agent":
		if strings.TrimSpace(v.Action.Prompt) == "" {
			return nil, errors.New("an agent action without a prompt")
		}
		h.Prompt, h.Literal, h.Agent = v.Action.Prompt, true, kiroAgent(d)
	default:
		return nil, fmt.Errorf("action.type %q is not command or agent", v.Action.Type)
	}
	if err := sessionHook(h, toolRule); err != nil {
		return nil, err
	}
	return h, nil
}

// setTrigger maps a Kiro trigger onto the hook.
func setTrigger(h *Hook, trigger string) error {
	kind, rule, ok := kiroTrigger(trigger)
	if k, session := sessionTriggers[trigger]; session {
		kind, ok = k, true
	}
	if !ok {
		if trigger == "" {
			return errors.New("the trigger type is missing")
		}
		return fmt.Errorf("unknown trigger %q (fileEdited, fileCreated, fileDeleted, userTriggered, postTaskExecution, preTaskExecution, agentStop, or a v1 trigger)", trigger)
	}
	setOn(h, kind)
	if kind == event.AgentDone {
		// Kiro's agent stopping: a hookd agent run's end, and a bridged
		// session's agent stopping alike (kiroStop splits them).
		setOn(h, kind, event.AgentStop)
	}
	if rule != "" {
		r, err := rules.Compile(rule)
		if err != nil {
			return err
		}
		h.If = r
	}
	return nil
}

// setOn sets the kinds a hook is on.
func setOn(h *Hook, kinds ...event.Kind) {
	h.On, h.kinds = nil, nil
	for _, k := range kinds {
		h.On = append(h.On, string(k))
		m, _ := event.ParseKindPattern(string(k))
		h.kinds = append(h.kinds, m)
	}
}

// kiroStop makes a Kiro agentStop hook two, so that one agent stopping
// runs it once, and its answer reaches the agent that stopped:
//
//   - NAME, on agent.stop of a session a person started (event.cause is
//     empty): blocking, so that it answers the stop. A runCommand that
//     fails keeps the agent going with its output as the reason (the
//     continue decision); an askAgent speaks its prompt into the session
//     the same way (the builtin "continue"), once per stop (not when the
//     agent already goes on because a stop hook said so), instead of
//     starting another agent. An agent that takes no continue at its stop
//     (kiro-cli) has it said to the user, not enforced (docs/agents.md).
//   - NAME-run, on agent.done: a hookd agent run's end, as before (an
//     askAgent runs the agent of [defaults]). The agent.stop of a session
//     hookd itself started (its cause is the run) is left to it: that
//     run's end is the one stop, where the hook used to run twice, once
//     for the session's stop and once for the run's end.
func kiroStop(h *Hook) ([]*Hook, error) {
	if len(h.On) != 2 || h.On[0] != string(event.AgentDone) {
		return []*Hook{h}, nil
	}
	run := *h
	run.Name = h.Name + "-run"
	setOn(&run, event.AgentDone)
	stop := *h
	setOn(&stop, event.AgentStop)
	rule := `event.cause == ""`
	if stop.Prompt != "" {
		stop.Builtin, stop.Agent = BuiltinContinue, ""
		rule += " && !agent.continued"
	}
	r, err := rules.Compile(rule)
	if err != nil {
		return nil, err
	}
	stop.If, stop.Blocking = r, true
	return []*Hook{&stop, &run}, nil
}

func applyDefaults(h *Hook, d Defaults) {
	h.Debounce, h.MaxWait, h.Timeout = d.Debounce, d.MaxWait, d.Timeout
	h.MaxRunsPerMinute = d.MaxRunsPerMinute
	h.Mode, h.FoldVCS, h.CatchUp = ModeQueue, true, true
}

// kiroAgent is the agent a Kiro askAgent runs: [defaults] agent, else
// kiro-cli, the agent Kiro users have.
func kiroAgent(d Defaults) string {
	if d.Agent != "" {
		return d.Agent
	}
	return "kiro"
}

func finishKiro(h *Hook, path string, origin Origin) *Hook {
	h.Origin, h.Committed = origin, origin.Committed()
	h.Pos = Pos{File: path, Line: 1, Col: 1}
	h.files = []string{path}
	return h
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes a hookd hook name of a file stem or a Kiro hook name.
func slug(s string) string {
	s = strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "kiro-hook"
	}
	return s
}

// jsonPos finds the line and column of a JSON syntax error.
func jsonPos(path string, data []byte, err error) Pos {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return Pos{File: path, Line: 1, Col: 1}
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return Pos{File: path, Line: line, Col: col}
}

func jsonMessage(err error) string { return strings.TrimPrefix(err.Error(), "json: ") }

package hooks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/rules"
)

const kiroCorpus = "../../shared/corpus/kiro/hooks"

// TestKiroCorpus loads every real hook file: each is hooks or a reported
// problem naming the file, never a crash, and the classes are counted so
// that a regression shows.
func TestKiroCorpus(t *testing.T) {
	ents, err := os.ReadDir(kiroCorpus)
	if err != nil {
		t.Skipf("Kiro hook corpus not found at %s (%v): skipping", kiroCorpus, err)
	}
	classes := map[string]int{}
	for _, e := range ents {
		path := filepath.Join(kiroCorpus, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		hs, probs := ParseKiro(path, data, OriginKiro, Defaults{Debounce: 300 * time.Millisecond})
		switch {
		case len(probs) > 0:
			for _, p := range probs {
				if p.Pos.File != path || p.Message == "" {
					t.Errorf("problem without its file or reason: %+v", p)
				}
			}
			classes["error"]++
			t.Logf("%s", probs[0])
		case len(hs) == 2 && (hs[1].Name != hs[0].Name+"-run" || !slices.Equal(hs[1].On, []string{"agent.done"}) || hs[1].Blocking):
			t.Errorf("%s: an agentStop hook's run half is %s on %v", e.Name(), hs[1].Name, hs[1].On)
		case len(hs) > 2 || len(hs) == 0:
			t.Errorf("%s: %d hooks", e.Name(), len(hs))
		case hs[0].Disabled != "":
			classes["session-only"]++
		default:
			classes[hs[0].On[0]+" "+hs[0].Action()]++
			if hs[0].Name == "" || hs[0].Title == "" || !validName.MatchString(hs[0].Name) {
				t.Errorf("%s: name %q, title %q", e.Name(), hs[0].Name, hs[0].Title)
			}
		}
	}
	t.Logf("%d files: %v", len(ents), classes)
	want := map[string]int{
		// fileEdited 34 (3 of them sendMessage), userTriggered 19 and
		// manual 5, fileCreated 5, agentStop 4, postTaskExecution 1;
		// preToolUse 3, promptSubmit 3, userPrompt 1, postToolUse 1;
		// one invented trigger/action file.
		"file.saved agent": 28, "file.saved run": 3, "file.created agent": 5,
		"hook.manual agent": 22, "hook.manual run": 2,
		// agentStop askAgent: spoken into the session that stopped (and
		// a hookd agent run's end, its second half).
		"agent.stop builtin": 4,
		"spec.task agent":    1, "error": 4,
		// Session triggers run in bridged agent sessions: their
		// runCommand ones answer the agent; askAgent ones stay off.
		// askAgent ones are context for the session where it takes it.
		"agent.prompt run": 2, "agent.prompt builtin": 2, "agent.tool.after builtin": 1, "session-only": 3,
	}
	for k, n := range want {
		if classes[k] != n {
			t.Errorf("%s: %d files, want %d", k, classes[k], n)
		}
	}
	total := 0
	for _, n := range classes {
		total += n
	}
	if total != len(ents) {
		t.Errorf("%d of %d files accounted for", total, len(ents))
	}
}

func TestKiroLegacyMapping(t *testing.T) {
	cases := []struct {
		file, json string
		on         string
		action     string
		disabled   bool
	}{
		{"run-tests.kiro.hook", `{"name":"Run Tests","when":{"type":"fileEdited","patterns":["*.ts"]},"then":{"type":"runCommand","command":"npm test","timeout":30}}`, "file.saved", "run", false},
		{"new.kiro.hook", `{"enabled":true,"name":"On create","when":{"type":"fileCreated","patterns":["src/**"]},"then":{"type":"askAgent","prompt":"Add a header to the new file."}}`, "file.created", "agent", false},
		{"gone.kiro.hook", `{"name":"On delete","when":{"type":"fileDeleted","patterns":["**/*.md"]},"then":{"type":"askAgent","prompt":"Fix links."}}`, "file.deleted", "agent", false},
		{"button.kiro.hook", `{"name":"Deploy","when":{"type":"manual","button_text":"Go"},"then":{"type":"askAgent","prompt":"Deploy."}}`, "hook.manual", "agent", false},
		{"done.kiro.hook", `{"name":"After task","when":{"type":"postTaskExecution"},"then":{"type":"askAgent","prompt":"Review the task."}}`, "spec.task", "agent", false},
		{"stop.kiro.hook", `{"name":"After agent","when":{"type":"agentStop"},"then":{"type":"runCommand","command":"npm run lint"}}`, "agent.stop", "run", false},
		{"prompt.kiro.hook", `{"name":"On prompt","when":{"type":"promptSubmit"},"then":{"type":"askAgent","prompt":"Be brief."}}`, "agent.prompt", "builtin", false},
		{"tool.kiro.hook", `{"name":"Review writes","when":{"type":"postToolUse","toolTypes":["write"]},"then":{"type":"askAgent","prompt":"Review."}}`, "agent.tool.after", "builtin", false},
		{"pre.kiro.hook", `{"name":"Before writes","when":{"type":"preToolUse","toolTypes":["write"]},"then":{"type":"askAgent","prompt":"Careful."}}`, "", "agent", true},
		{"guard.kiro.hook", `{"name":"No rm","when":{"type":"preToolUse","toolTypes":["shell"]},"then":{"type":"runCommand","command":"! grep -q 'rm -rf'"}}`, "agent.tool.before", "run", false},
		{"lint.kiro.hook", `{"name":"Lint prompt","when":{"type":"promptSubmit"},"then":{"type":"runCommand","command":"cat .kiro/steering/style.md"}}`, "agent.prompt", "run", false},
	}
	for _, c := range cases {
		hs, probs := ParseKiro("/r/.kiro/hooks/"+c.file, []byte(c.json), OriginKiro, Defaults{Agent: "claude"})
		if len(probs) > 0 || len(hs) != 1 && c.on != "agent.stop" {
			t.Errorf("%s: %v", c.file, probs)
			continue
		}
		h := hs[0]
		if c.disabled != (h.Disabled != "") || h.Action() != c.action || !c.disabled && h.On[0] != c.on {
			t.Errorf("%s: on %v, action %s, disabled %q", c.file, h.On, h.Action(), h.Disabled)
		}
		if c.disabled && !strings.Contains(h.Disabled, "would be context for the agent, which it takes only after a prompt or a tool") {
			t.Errorf("%s: reason %q", c.file, h.Disabled)
		}
	}
	var hs []*Hook
	// An unknown tool type is an error naming the file, not a hook that
	// silently never runs.
	if _, probs := ParseKiro("/r/.kiro/hooks/odd.kiro.hook", []byte(`{"name":"Odd","when":{"type":"preToolUse","toolTypes":["writes"]},"then":{"type":"runCommand","command":"true"}}`), OriginKiro, Defaults{}); len(probs) != 1 ||
		!strings.Contains(probs[0].Error(), `/r/.kiro/hooks/odd.kiro.hook:1:43: when.toolTypes: unknown tool type "writes"`) {
		t.Errorf("unknown tool type: %v", probs)
	}
	// A problem is reported at the key it is about, not at 1:1.
	for _, c := range []struct{ json, want string }{
		{"{\n  \"name\": \"X\",\n  \"when\": {\"type\": \"fileEdited\"},\n  \"then\": {\n    \"type\": \"sing\"\n  }\n}", ":5:5: then.type \"sing\""},
		{"{\n  \"name\": \"X\",\n  \"when\": {\"type\": \"onSave\"},\n  \"then\": {\"type\": \"runCommand\", \"command\": \"x\"}\n}", ":3:12: unknown trigger"},
		{"{\n  \"name\": \"X\",\n  \"when\": {\"type\": \"fileEdited\"},\n  \"then\": {\"type\": \"runCommand\"}\n}", ":4:3: runCommand without a command"},
	} {
		if _, probs := ParseKiro("/r/.kiro/hooks/k.kiro.hook", []byte(c.json), OriginKiro, Defaults{}); len(probs) != 1 || !strings.Contains(probs[0].Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.json, probs, c.want)
		}
	}
	// agentStop is two hooks, so that one agent stopping runs it once: the
	// stop of a session a person started, which it answers (blocking: a
	// failing command keeps the agent going), and a hookd agent run's
	// end. The stop of a session hookd started is that run's: left to
	// its end.
	hs, _ = ParseKiro("/r/.kiro/hooks/stop.kiro.hook", []byte(cases[5].json), OriginKiro, Defaults{})
	if len(hs) != 2 {
		t.Fatalf("agentStop: %d hooks", len(hs))
	}
	if h := hs[0]; h.Name != "stop" || !slices.Equal(h.On, []string{"agent.stop"}) || !h.Blocking || h.If.Source() != `event.cause == ""` || h.Run.Shell != "npm run lint" {
		t.Errorf("agentStop, the session's stop: %s on %v, blocking %v, if %q", h.Name, h.On, h.Blocking, h.If.Source())
	}
	if h := hs[1]; h.Name != "stop-run" || !slices.Equal(h.On, []string{"agent.done"}) || h.Blocking || !h.If.IsZero() || h.Run.Shell != "npm run lint" {
		t.Errorf("agentStop, a run's end: %s on %v, blocking %v, if %q", h.Name, h.On, h.Blocking, h.If.Source())
	}
	// An askAgent speaks into the session that stopped: the continue
	// decision, with its prompt, once per stop; a run's end still runs
	// the agent.
	hs, _ = ParseKiro("/r/.kiro/hooks/ask.kiro.hook", []byte(`{"name":"Review","when":{"type":"agentStop"},"then":{"type":"askAgent","prompt":"Review what you changed."}}`), OriginKiro, Defaults{Agent: "claude"})
	if h := hs[0]; h.Builtin != BuiltinContinue || h.Agent != "" || !h.Blocking || h.If.Source() != `event.cause == "" && !agent.continued` {
		t.Errorf("askAgent on the session's stop: builtin %q, agent %q, if %q", h.Builtin, h.Agent, h.If.Source())
	}
	if h := hs[1]; h.Action() != "agent" || h.Agent != "claude" {
		t.Errorf("askAgent on a run's end: %s %q", h.Action(), h.Agent)
	}
	// The same for a v1 file's Stop.
	hs, probs := ParseKiro("/r/.kiro/hooks/v1.json", []byte(`{"version":"v1","hooks":[{"name":"gate","trigger":"Stop","action":{"type":"command","command":"make check"}}]}`), OriginKiro, Defaults{})
	if len(probs) != 0 || len(hs) != 2 || !hs[0].Blocking || hs[1].Name != "v1-run" {
		t.Errorf("v1 Stop: %v %d", probs, len(hs))
	}
	// A session command answers the agent, for the tools its toolTypes name.
	hs, _ = ParseKiro("/r/.kiro/hooks/guard.kiro.hook", []byte(cases[9].json), OriginKiro, Defaults{})
	if g := hs[0]; !g.Blocking || g.If.Source() != `agent.tool in ["Bash", "run_shell_command", "executeBash", "shell", "execute_bash", "bash", "Shell"]` {
		t.Errorf("guard: blocking %v, if %v", g.Blocking, g.If)
	}
	hs, _ = ParseKiro("/r/.kiro/hooks/run-tests.kiro.hook", []byte(cases[0].json), OriginKiro, Defaults{})
	h := hs[0]
	if h.Name != "run-tests" || h.Title != "Run Tests" || h.Timeout != 30*time.Second || !h.Committed {
		t.Errorf("%+v", h)
	}
	// A pattern without a slash matches at any depth.
	if f, ok := h.Filter(event.Event{Kind: event.FileSaved, Files: []event.File{{Path: "src/deep/a.ts"}, {Path: "a.go"}}}); !ok || len(f) != 1 {
		t.Errorf("*.ts at depth: %v %v", f, ok)
	}
	// A task hook fires when a task is done, not when one starts.
	hs, _ = ParseKiro("/r/.kiro/hooks/done.kiro.hook", []byte(cases[4].json), OriginKiro, Defaults{})
	if hs[0].If.IsZero() || !strings.Contains(hs[0].If.Source(), `"done"`) {
		t.Errorf("postTaskExecution rule: %q", hs[0].If.Source())
	}
}

func TestKiroV1(t *testing.T) {
	data := `{"version":"v1","hooks":[
	  {"name":"lint-on-save","trigger":"PostFileSave","matcher":"\\.ts$","action":{"type":"command","command":"npm run lint"},"timeout":30},
	  {"name":"remind tests","trigger":"PreToolUse","matcher":"fs_write","action":{"type":"agent","prompt":"Update tests."}},
	  {"name":"Ask","trigger":"Manual","action":{"type":"agent","prompt":"Summarise."},"enabled":false}]}`
	hs, probs := ParseKiro("/home/u/.kiro/hooks/team.json", []byte(data), OriginKiroUser, Defaults{})
	if len(probs) > 0 || len(hs) != 3 {
		t.Fatalf("%v %d", probs, len(hs))
	}
	lint := hs[0]
	if lint.Name != "team-lint-on-save" || lint.On[0] != "file.saved" || lint.Timeout != 30*time.Second || lint.Committed {
		t.Errorf("%+v", lint)
	}
	if f, ok := lint.Filter(event.Event{Kind: event.FileSaved, Files: []event.File{{Path: "src/a.ts"}, {Path: "src/a.tsx"}}}); !ok || len(f) != 1 || f[0].Path != "src/a.ts" {
		t.Errorf("matcher filter: %v", f)
	}
	if hs[1].Disabled == "" || hs[2].Enabled || hs[2].Agent != "kiro" || !hs[2].Literal {
		t.Errorf("%+v / %+v", hs[1], hs[2])
	}
}

func TestKiroBadFilesAreReportedWithReasons(t *testing.T) {
	cases := map[string]string{
		`{"name":"x","when":{"type":"fileEdited"},`:                                                                                "1:42: not valid JSON",
		`{"name":"x","trigger":"onSave","action":{"run":"npm test"}}`:                                                              `has "trigger"/"action"`,
		`{"name":"x","when":{"type":"fileEdited","patterns":["*"]}}`:                                                               `"then" is missing`,
		`{"name":"x","when":{"type":"fileEdited"},"then":{"type":"sendMessage","message":"hi"}}`:                                   `then.type "sendMessage" is not a Kiro action`,
		`{"name":"x","when":{"type":"onCommit"},"then":{"type":"askAgent","prompt":"p"}}`:                                          `unknown trigger "onCommit"`,
		`{"name":"x","when":"fileEdited","then":{"type":"askAgent","prompt":"p"}}`:                                                 `"when" must be an object`,
		`{"version":"v1","hooks":[{"name":"a","trigger":"PostFileSave","matcher":"(","action":{"type":"command","command":"x"}}]}`: "not a regular expression",
	}
	for data, want := range cases {
		_, probs := ParseKiro("/r/.kiro/hooks/bad.kiro.hook", []byte(data), OriginKiro, Defaults{})
		if len(probs) != 1 || !strings.Contains(probs[0].Error(), want) || !strings.HasPrefix(probs[0].Error(), "/r/.kiro/hooks/bad.kiro.hook:") {
			t.Errorf("%s: %v, want %q", data, probs, want)
		}
	}
}

// Kiro hook files load next to hookd.toml; one broken file does not keep
// the others out, and trust covers them file by file.
func TestKiroLoadsWithConfigAndTrust(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, ".kiro", "hooks"), 0o755)
	os.WriteFile(filepath.Join(root, "hookd.toml"), []byte("[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\n"), 0o644)
	os.WriteFile(filepath.Join(root, ".kiro/hooks/good.kiro.hook"), []byte(`{"name":"Good","when":{"type":"fileEdited","patterns":["*.go"]},"then":{"type":"runCommand","command":"go test ./..."}}`), 0o644)
	os.WriteFile(filepath.Join(root, ".kiro/hooks/broken.kiro.hook"), []byte(`{"name":`), 0o644)
	store := TrustStore{Path: filepath.Join(t.TempDir(), "trust.json")}
	cfg, probs := Load(LoadOptions{Root: root, Trust: store})
	if len(probs) != 1 || !strings.Contains(probs[0].Pos.File, "broken.kiro.hook") {
		t.Fatalf("problems: %v", probs)
	}
	if len(cfg.Hooks) != 2 || cfg.Hooks[1].Name != "good" || !strings.Contains(cfg.Hooks[1].Disabled, ".kiro/hooks/good.kiro.hook is not trusted yet") {
		t.Fatalf("hooks: %+v", cfg.Hooks)
	}
	if got := CommittedFiles(cfg, root); len(got) != 3 {
		t.Errorf("committed files %v, want hookd.toml and both Kiro files", got)
	}
	if err := store.TrustAsTheyAre(root, "hookd.toml"); err != nil {
		t.Fatal(err)
	}
	cfg, _ = Load(LoadOptions{Root: root, Trust: store})
	if cfg.Hooks[0].Disabled != "" || !strings.Contains(cfg.Hooks[1].Disabled, "good.kiro.hook is not trusted yet") {
		t.Errorf("trust: %q / %q", cfg.Hooks[0].Disabled, cfg.Hooks[1].Disabled)
	}
	// --config reads that file alone.
	cfg, _ = Load(LoadOptions{Root: root, Explicit: filepath.Join(root, "hookd.toml")})
	if len(cfg.Hooks) != 1 {
		t.Errorf("--config loaded %d hooks", len(cfg.Hooks))
	}
}

func FuzzParseKiro(f *testing.F) {
	f.Add([]byte(`{"name":"x","when":{"type":"fileEdited","patterns":["*.ts"]},"then":{"type":"runCommand","command":"npm test"}}`))
	f.Add([]byte(`{"version":"v1","hooks":[{"name":"a","trigger":"PostFileSave","matcher":"\\.go$","action":{"type":"agent","prompt":"p"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, probs := ParseKiro("/r/.kiro/hooks/f.kiro.hook", data, OriginKiro, Defaults{})
		if len(hs) == 0 && len(probs) == 0 {
			t.Fatal("neither hooks nor a problem")
		}
		for _, h := range hs {
			if !validName.MatchString(h.Name) {
				t.Fatalf("name %q", h.Name)
			}
			h.Filter(event.Event{Kind: event.FileSaved, Files: []event.File{{Path: "a/b.ts"}}})
		}
	})
}

// toolTypes may name a tool (a category's tool stands for that category in
// every agent), any MCP tool (@mcp) or one server's (@mcp.NAME); a
// misspelt category is an error, not a tool nobody has.
func TestKiroToolTypesByName(t *testing.T) {
	for _, c := range []struct{ types, rule, err string }{
		{`["Bash"]`, `agent.tool in ["Bash", "run_shell_command", "executeBash", "shell", "execute_bash", "bash", "Shell"]`, ""},
		{`["mcp__hookd__impact"]`, `agent.tool in ["mcp__hookd__impact"]`, ""},
		{`["@mcp"]`, `agent.tool startsWith "mcp__"`, ""},
		{`["write", "@mcp.github"]`, `agent.tool in ["Write", "Edit", "MultiEdit", "NotebookEdit", "write_file", "replace", "edit", "fsWrite", "fsAppend", "strReplace", "fs_write", "fs_append", "str_replace", "delete_file", "create", "StrReplace", "Delete"] || agent.tool startsWith "mcp__github__"`, ""},
		{`["Shells"]`, "", `unknown tool type "Shells" (did you mean "shell"?)`},
		{`["rm -rf"]`, "", `unknown tool type "rm -rf"`},
	} {
		data := `{"name":"G","when":{"type":"preToolUse","toolTypes":` + c.types + `},"then":{"type":"runCommand","command":"true"}}`
		hs, probs := ParseKiro("/r/.kiro/hooks/g.kiro.hook", []byte(data), OriginKiro, Defaults{})
		switch {
		case c.err != "" && (len(probs) != 1 || !strings.Contains(probs[0].Error(), c.err)):
			t.Errorf("%s: problems %v, want %q", c.types, probs, c.err)
		case c.err == "" && (len(probs) != 0 || len(hs) != 1 || hs[0].If.Source() != c.rule):
			t.Errorf("%s: problems %v, hooks %d", c.types, probs, len(hs))
			if len(hs) == 1 {
				t.Errorf("  rule %s\n  want %s", hs[0].If.Source(), c.rule)
			}
		}
	}
	// The rule selects the tools: an MCP call matches @mcp, Bash does not.
	hs, _ := ParseKiro("/r/.kiro/hooks/g.kiro.hook", []byte(`{"name":"G","when":{"type":"preToolUse","toolTypes":["@mcp"]},"then":{"type":"runCommand","command":"true"}}`), OriginKiro, Defaults{})
	for tool, want := range map[string]bool{"mcp__hookd__impact": true, "Bash": false} {
		env := rules.NewEnv("/r", event.Event{Kind: event.AgentToolBefore, Agent: &event.AgentCall{Tool: tool}}, rules.HookInfo{Name: "g"})
		if ok, err := hs[0].If.Eval(env); err != nil || ok != want {
			t.Errorf("@mcp on %s: %v %v", tool, ok, err)
		}
	}
}

// FuzzKeyPos: whatever the document, finding a key never panics and never
// points outside it.
func FuzzKeyPos(f *testing.F) {
	f.Add([]byte(`{"when":{"type":"x","patterns":["a"]},"hooks":[{"trigger":1}]}`))
	f.Add([]byte(`{"then":[1,{"type":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, keys := range [][]any{{"when", "type"}, {"hooks", 0, "trigger"}, {"then"}} {
			if pos, ok := jsonKeyPos("f", data, keys...); ok && (pos.Line < 1 || pos.Col < 1 || pos.Line > strings.Count(string(data), "\n")+1) {
				t.Fatalf("%v in %q: %+v", keys, data, pos)
			}
		}
	})
}

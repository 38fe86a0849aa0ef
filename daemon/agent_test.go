package daemon_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
)

// agentOnPath puts a stand-in agent CLI named name first on PATH. It
// appends its stdin (the prompt) to $OUT/<name>.prompts, separated by
// "=====", and then runs the shell snippet act, which may write files.
func agentOnPath(t *testing.T, out, name, act string) {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\n{ cat; echo; echo =====; } >> '" + filepath.Join(out, name+".prompts") + "'\n" + act + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// runsOf collects the finished runs until the daemon is idle.
func (e *env) runsOf() map[string][]queue.Record {
	e.t.Helper()
	e.idle()
	out := map[string][]queue.Record{}
	for {
		select {
		case r := <-e.records:
			if r.Phase == queue.Finished {
				out[r.Hook] = append(out[r.Hook], r)
			}
		default:
			return out
		}
	}
}

func TestAgentGetsPromptWithTheSteeringThatApplies(t *testing.T) {
	e := startDaemonIn(t, `
[[hook]]
name = "tests-follow-code"
on = "file.*"
paths = ["**/*.ts"]
debounce = "50ms"
agent = "claude"
prompt = "Update the tests of {{range .files}}{{.path}} {{end}}to match."
steering = ["review"]
`, func(root string) {
		for rel, text := range map[string]string{
			".kiro/steering/tech.md":   "ALWAYS-ON TECH",
			".kiro/steering/ts.md":     "---\ninclusion: fileMatch\nfileMatchPattern: \"*.ts,*.tsx\"\n---\nTS RULES",
			".kiro/steering/py.md":     "---\ninclusion: fileMatch\nfileMatchPattern: \"*.py\"\n---\nPY RULES",
			".kiro/steering/review.md": "---\ninclusion: manual\n---\nREVIEW LIST",
			".kiro/steering/deploy.md": "---\ninclusion: manual\n---\nDEPLOY LIST",
			"AGENTS.md":                "ROOT AGENTS",
			"web/AGENTS.md":            "WEB AGENTS",
			"api/AGENTS.md":            "API AGENTS",
		} {
			p := filepath.Join(root, rel)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(text), 0o644)
		}
	})
	agentOnPath(t, e.out, "claude", "")
	e.drain()
	e.write("web/app.ts", "export {}\n")
	runs := e.runsOf()["tests-follow-code"]
	if len(runs) != 1 || runs[0].Result.Status != runner.StatusOK {
		t.Fatalf("runs: %+v", runs)
	}
	prompt := strings.TrimSuffix(e.readOut("claude.prompts"), "\n=====\n")
	for _, want := range []string{"ALWAYS-ON TECH", "TS RULES", "REVIEW LIST", "ROOT AGENTS", "WEB AGENTS", "Update the tests of web/app.ts to match."} {
		if !strings.Contains(prompt, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	for _, unwanted := range []string{"PY RULES", "DEPLOY LIST", "API AGENTS"} {
		if strings.Contains(prompt, unwanted) {
			t.Errorf("prompt has %q", unwanted)
		}
	}
	// The journal keeps the prompt whole.
	run, err := e.d.API().Run(context.Background(), runs[0].RunID)
	if err != nil || run.Prompt+"\n" != prompt+"\n" && strings.TrimSpace(run.Prompt) != strings.TrimSpace(prompt) {
		t.Errorf("journal prompt = %q (%v)", run.Prompt, err)
	}
}

func TestAgentsOwnWritesDoNotRetriggerIt(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "review"
on = "file.*"
paths = ["src/*.ts"]
debounce = "50ms"
agent = "claude"
prompt = "Review {{.file.path}}."

[[hook]]
name = "after"
on = "agent.done"
debounce = "50ms"
run = "cat > $OUT/done.json"
`)
	// The agent rewrites the very file it was asked about.
	agentOnPath(t, e.out, "claude", `for f in $HOOKD_FILES; do echo "// reviewed" >> "$f"; done`)
	for i := range 2 {
		e.write("src/a.ts", strings.Repeat("x", i+1)+"\n")
		runs := e.runsOf()
		if n := len(runs["review"]); n != 1 {
			t.Fatalf("save %d ran the agent %d times, want once", i+1, n)
		}
		if w := runs["review"][0].Result.FilesWritten; len(w) != 1 || w[0] != "src/a.ts" {
			t.Errorf("files written = %v", w)
		}
		if len(runs["after"]) != 1 {
			t.Fatalf("agent.done ran %d hooks", len(runs["after"]))
		}
	}
	done := e.readOut("done.json")
	if !strings.Contains(done, `"files_written":["src/a.ts"]`) || !strings.Contains(done, `"kind":"agent.done"`) || !strings.Contains(done, `"depth":1`) {
		t.Errorf("agent.done stdin: %s", done)
	}
}

func TestAgentPingPongStopsAtMaxDepth(t *testing.T) {
	e := startDaemon(t, `
[defaults]
max_depth = 3

[[hook]]
name = "a-to-b"
on = "file.*"
paths = ["a.txt"]
debounce = "50ms"
agent = "claude"
prompt = "a changed"

[[hook]]
name = "b-to-a"
on = "file.*"
paths = ["b.txt"]
debounce = "50ms"
agent = "claude"
prompt = "b changed"
`)
	agentOnPath(t, e.out, "claude", `case "$HOOKD_FILES" in a.txt) echo . >> b.txt;; b.txt) echo . >> a.txt;; esac`)
	e.write("b.txt", "\n")
	e.drain()
	e.write("a.txt", "start\n")
	runs := e.runsOf()
	// depth 0: a-to-b, 1: b-to-a, 2: a-to-b, 3: b-to-a; its write (depth 4) is dropped.
	if len(runs["a-to-b"]) != 2 || len(runs["b-to-a"]) != 2 {
		t.Fatalf("runs: a-to-b %d, b-to-a %d; want 2 and 2", len(runs["a-to-b"]), len(runs["b-to-a"]))
	}
	depths := map[int]bool{}
	for _, rs := range runs {
		for _, r := range rs {
			depths[r.Event.Depth] = true
		}
	}
	if len(depths) != 4 || !depths[3] {
		t.Errorf("depths %v, want 0 to 3", depths)
	}
}

func TestAgentRateCapSkipsWithAReason(t *testing.T) {
	e := startDaemon(t, `
[agent.capped]
preset = "command"
command = ["my-agent"]
max_runs_per_hour = 1

[[hook]]
name = "ask"
on = "hook.manual"
agent = "capped"
prompt = "once an hour"
`)
	agentOnPath(t, e.out, "my-agent", "")
	api := e.d.API()
	for range 2 {
		if _, err := api.Trigger(context.Background(), "ask", ipc.TriggerRequest{}); err != nil {
			t.Fatal(err)
		}
		e.idle()
	}
	runs := e.runsOf()["ask"]
	if len(runs) != 2 || runs[0].Result.Status != runner.StatusOK || runs[1].Result.Status != runner.StatusSkipped ||
		!strings.Contains(runs[1].Result.Err.Error(), "max_runs_per_hour = 1") {
		t.Fatalf("runs: %+v", runs)
	}
	if n := strings.Count(e.readOut("my-agent.prompts"), "====="); n != 1 {
		t.Errorf("the agent ran %d times", n)
	}
}

func TestOpenAIAgentReplyIsInHistory(t *testing.T) {
	var asked string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Messages []struct{ Content string } }
		json.NewDecoder(r.Body).Decode(&req)
		if len(req.Messages) == 1 {
			asked = req.Messages[0].Content
		}
		io.WriteString(w, `{"choices":[{"message":{"content":"Looks good; two tests added."}}]}`)
	}))
	defer srv.Close()
	e := startDaemon(t, `
[agent.local]
preset = "openai"
url = "`+srv.URL+`/v1/chat/completions"
model = "qwen2.5-coder"

[[hook]]
name = "review"
on = "hook.manual"
agent = "local"
prompt = "Review {{.args.what}}."
`)
	reply, err := e.d.API().Trigger(context.Background(), "review", ipc.TriggerRequest{Args: map[string]any{"what": "the login flow"}})
	if err != nil {
		t.Fatal(err)
	}
	e.idle()
	run, err := e.d.API().Run(context.Background(), reply.Run)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != "ok" || run.Output != "Looks good; two tests added." || run.Prompt != "Review the login flow." || asked != run.Prompt {
		t.Errorf("run %+v; the server was asked %q", run, asked)
	}
}

package daemon_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
)

// agentOnPath puts a stand-in agent CLI named name first on PATH. It
// appends its stdin (the prompt) to $OUT/<name>.prompts, separated by
// "=====", and then runs the shell snippet act, which may write files.
// A "claude" stand-in speaks stream-json as the real one does: act
// announces a file tool's write with `announce FILE` before making it,
// and the result line follows act.
func agentOnPath(t *testing.T, out, name, act string) {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\n{ cat; echo; echo =====; } >> '" + filepath.Join(out, name+".prompts") + "'\n" +
		`announce() { printf '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t-%s","name":"Edit","input":{"file_path":"%s/%s"}}]}}\n' "$1" "$PWD" "$1"; }` + "\n" + act + "\n"
	if name == "claude" {
		script += `echo '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"result":"done","session_id":"s-1","total_cost_usd":0.25,"usage":{"input_tokens":100,"output_tokens":20}}'` + "\n"
	}
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
	agentOnPath(t, e.out, "claude", `for f in $HOOKD_FILES; do announce "$f"; echo "// reviewed" >> "$f"; done`)
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
	agentOnPath(t, e.out, "claude", `case "$HOOKD_FILES" in a.txt) announce b.txt; echo . >> b.txt;; b.txt) announce a.txt; echo . >> a.txt;; esac`)
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

// Two hooks whose agent is a wrapper script named claude (it prints no
// stream: another version, a proxy) and that write each other's trigger
// file stop within max_depth: their writes are theirs by the time window,
// with depth, never "not reported, the user's".
func TestWrapperPingPongStopsAtMaxDepth(t *testing.T) {
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
	dir := t.TempDir()
	wrapper := "#!/bin/sh\ncat > /dev/null\necho 'thinking...'\n" +
		`case "$HOOKD_FILES" in a.txt) echo . >> b.txt;; b.txt) echo . >> a.txt;; esac` + "\necho done\n"
	if err := os.WriteFile(filepath.Join(dir, "claude"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	e.write("b.txt", "\n")
	e.drain()
	e.write("a.txt", "start\n")
	runs := e.runsOf()
	if len(runs["a-to-b"]) != 2 || len(runs["b-to-a"]) != 2 {
		t.Fatalf("runs: a-to-b %d, b-to-a %d; want 2 and 2", len(runs["a-to-b"]), len(runs["b-to-a"]))
	}
	for _, rs := range runs {
		for _, r := range rs {
			if len(r.Result.FilesWritten) != 1 || len(r.Result.FilesGuessed) != 1 {
				t.Errorf("run of %s wrote %v, guessed %v: want its one write, guessed", r.Hook, r.Result.FilesWritten, r.Result.FilesGuessed)
			}
		}
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

// waitGate returns once a stand-in has opened the gate to write: it is
// then running, at that line of its script.
func (e *env) waitGate(gate string) {
	f, err := os.OpenFile(gate, os.O_RDONLY, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	io.Copy(io.Discard, f)
	f.Close()
}

// A save of the user's while an agent runs is the user's: the agent's
// CLI reports its own writes, and this one it did not. The hook then
// runs once more for it (queue mode); the agent's own writes, reported,
// never re-trigger it.
func TestAUsersSaveDuringAnAgentRunIsTheUsers(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "review"
on = "file.*"
paths = ["q/*.md"]
debounce = "50ms"
agent = "claude"
prompt = "Review {{range .files}}{{.path}} {{end}}"
`)
	running, release := e.gate("running"), e.gate("release")
	agentOnPath(t, e.out, "claude", `for f in $HOOKD_FILES; do announce "$f"; echo reviewed >> "$f"; done
if [ ! -e "$OUT/once" ]; then : > "$OUT/once"; echo > "`+running+`"; cat "`+release+`" > /dev/null; fi`)
	t.Setenv("OUT", e.out)
	e.write("q/1.md", "one\n")
	e.waitGate(running) // the agent has written q/1.md and waits
	e.write("q/2.md", "two\n")
	e.sync() // q/2.md is judged while the agent still runs
	e.open(release)
	runs := e.runsOf()["review"]
	if len(runs) != 2 {
		t.Fatalf("the hook ran %d times, want 2: once for q/1.md, once more for the user's q/2.md", len(runs))
	}
	first, second := runs[0].Result, runs[1].Result
	if !slices.Equal(first.FilesWritten, []string{"q/1.md"}) || len(first.FilesGuessed) != 0 {
		t.Errorf("run 1 wrote %v (guessed %v), want exactly q/1.md, reported", first.FilesWritten, first.FilesGuessed)
	}
	if files := runs[1].Event.Files; len(files) != 1 || files[0].Path != "q/2.md" {
		t.Errorf("run 2 is for %v, want the user's q/2.md", files)
	}
	if !slices.Equal(second.FilesWritten, []string{"q/2.md"}) {
		t.Errorf("run 2 wrote %v", second.FilesWritten)
	}
	if r := first.Agent; r == nil || r.Cost != 0.25 || r.TokensIn+r.TokensOut != 120 || r.Session != "s-1" || r.Turns != 1 {
		t.Errorf("run 1 report %+v", first.Agent)
	}
	run, err := e.d.API().Run(context.Background(), runs[0].RunID)
	if err != nil || run.Agent == nil || run.Agent.Name != "claude" || run.Agent.Cost != 0.25 || !slices.Equal(run.Agent.Files, []string{"q/1.md"}) {
		t.Errorf("journal: %+v (%v)", run.Agent, err)
	}
}

// What an agent's shell command writes cannot be told from the user's
// saves made meanwhile: the time-window rule decides, for those only, and
// says so (FilesGuessed).
func TestAnAgentsShellWritesAreItsOwnByTheTimeWindow(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "gen"
on = "file.*"
paths = ["src/*.go"]
debounce = "50ms"
agent = "claude"
prompt = "Generate."
`)
	agentOnPath(t, e.out, "claude", `echo '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"b1","name":"Bash","input":{"command":"go generate"}}]}}'
echo "// generated" > src/gen.go
echo '{"type":"user","message":{"role":"user","content":[{"tool_use_id":"b1","type":"tool_result","content":"ok"}]}}'`)
	e.write("src/a.go", "package a\n")
	runs := e.runsOf()["gen"]
	if len(runs) != 1 {
		t.Fatalf("the hook ran %d times, want once: its shell command's write is its own", len(runs))
	}
	r := runs[0].Result
	if !slices.Equal(r.FilesWritten, []string{"src/gen.go"}) || !slices.Equal(r.FilesGuessed, []string{"src/gen.go"}) {
		t.Errorf("wrote %v, guessed %v", r.FilesWritten, r.FilesGuessed)
	}
	if !slices.Equal(r.Agent.Commands, []string{"go generate"}) {
		t.Errorf("commands %v", r.Agent.Commands)
	}
}

// A budget that is reached skips the agent's runs with the reason, and
// holds across a restart: the day's spending is in the journal.
func TestAgentBudgetSkipsAndSurvivesARestart(t *testing.T) {
	config := `
[agent.claude]
preset = "claude"
max_cost_per_day = 0.4
max_turns = 3

[[hook]]
name = "ask"
on = "hook.manual"
agent = "claude"
prompt = "go"
`
	trigger := func(e *env) runner.Result {
		if _, err := e.d.API().Trigger(context.Background(), "ask", ipc.TriggerRequest{}); err != nil {
			t.Fatal(err)
		}
		runs := e.runsOf()["ask"]
		if len(runs) != 1 {
			t.Fatalf("%d runs", len(runs))
		}
		return runs[0].Result
	}
	e := startDaemon(t, config)
	agentOnPath(t, e.out, "claude", `printf '%s\n' "$@" > "$OUT/argv"`)
	t.Setenv("OUT", e.out)
	e2 := e
	for i, want := range []runner.Status{runner.StatusOK, runner.StatusOK, runner.StatusSkipped} {
		if got := trigger(e2); got.Status != want {
			t.Fatalf("run %d: %s (%v), want %s", i+1, got.Status, got.Err, want)
		} else if want == runner.StatusSkipped && !strings.Contains(got.Err.Error(), "max_cost_per_day = 0.4") {
			t.Errorf("skipped for %v", got.Err)
		}
	}
	if argv := e2.readOut("argv"); !strings.Contains(argv, "--max-turns\n3\n") {
		t.Errorf("argv %q lacks --max-turns 3", argv)
	}
	st := e2.d.Status(context.Background())
	if len(st.Agents) != 1 || st.Agents[0].Cost != 0.5 || st.Agents[0].Runs != 2 || st.Agents[0].Held == "" {
		t.Errorf("status agents %+v", st.Agents)
	}
	e.restart()
	if got := trigger(e); got.Status != runner.StatusSkipped {
		t.Errorf("after a restart: %s, want skipped", got.Status)
	}
}

// session = "resume" continues the last successful run's session;
// forgetting it starts anew.
func TestResumeContinuesTheLastSession(t *testing.T) {
	e := startDaemon(t, `
[[hook]]
name = "ask"
on = "hook.manual"
agent = "claude"
prompt = "go"
session = "resume"
`)
	t.Setenv("OUT", e.out)
	agentOnPath(t, e.out, "claude", `printf '%s\n' "$@" >> "$OUT/argv"; echo ---- >> "$OUT/argv"`)
	for range 3 {
		if _, err := e.d.API().Trigger(context.Background(), "ask", ipc.TriggerRequest{}); err != nil {
			t.Fatal(err)
		}
		if n := len(e.runsOf()["ask"]); n != 1 {
			t.Fatalf("%d runs", n)
		}
		if strings.Count(e.readOut("argv"), "----") == 2 {
			if _, err := e.d.ForgetSession(context.Background(), "ask"); err != nil {
				t.Fatal(err)
			}
		}
	}
	runs := strings.Split(strings.TrimSuffix(e.readOut("argv"), "----\n"), "----\n")
	if len(runs) != 3 {
		t.Fatalf("argv of %d runs", len(runs))
	}
	for i, want := range []bool{false, true, false} {
		if got := strings.Contains(runs[i], "--resume\ns-1\n"); got != want {
			t.Errorf("run %d resumes: %v, want %v (argv %q)", i+1, got, want, runs[i])
		}
	}
}

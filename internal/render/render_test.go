package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/internal/term"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/trace"
)

func TestWrap(t *testing.T) {
	got := Wrap("one two three four", 10, "  ")
	if got != "one two\n  three\n  four" {
		t.Errorf("Wrap = %q", got)
	}
	if got := Wrap("", 10, ""); got != "" {
		t.Errorf("Wrap of nothing = %q", got)
	}
}

// A reason is said once, after the table, with every hook it holds back.
func TestHooksReasonsOnce(t *testing.T) {
	var b bytes.Buffer
	why := "paused: hookd.toml is not trusted yet"
	Hooks(&b, []ipc.Hook{
		{Name: "a", On: []string{"file.saved"}, Action: "run", Detail: "make\nmore", Reason: why, Source: "hookd.toml:1"},
		{Name: "b", On: []string{"git.commit"}, Action: "run", Detail: "true", Reason: why, Source: "hookd.toml:5"},
		{Name: "c", On: []string{"hook.manual"}, Action: "run", Detail: "true", Enabled: true, Source: "hookd.toml:9"},
	}, []ipc.Held{{File: "hookd.toml", Why: "not trusted yet", Tables: []string{"[defaults]"}}})
	out := b.String()
	if strings.Count(out, why) != 1 || !strings.Contains(out, "\n  a, b\n") {
		t.Errorf("the reason is not said once with both hooks:\n%s", out)
	}
	if !strings.Contains(out, "run: make …") {
		t.Errorf("a command of several lines is not cut to its first:\n%s", out)
	}
	for _, want := range []string{"paused", "enabled", "held back until trusted, from hookd.toml (not trusted yet):"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

func TestRuns(t *testing.T) {
	var b bytes.Buffer
	if err := Runs(&b, nil); err != nil || b.String() != "no runs yet\n" {
		t.Errorf("no runs: %q, %v", b.String(), err)
	}
	b.Reset()
	Runs(&b, []ipc.Run{{ID: "r1", Hook: "h", Status: "failed", Exit: 1, Start: time.Now(), Output: "first\nlast line\n"}, {ID: "r2", Hook: "h", Status: "failed", Error: "no such file"}})
	out := b.String()
	if !strings.Contains(out, "last line") || strings.Contains(out, "first") {
		t.Errorf("the table does not end with the output's last line:\n%s", out)
	}
	if !strings.Contains(out, "error: no such file") {
		t.Errorf("a run that could not start does not say why:\n%s", out)
	}
}

func TestRunAgent(t *testing.T) {
	var b bytes.Buffer
	run := ipc.Run{ID: "r", Hook: "h", Status: "ok", Prompt: "do it", Output: "done\n", FilesWritten: []string{"a.go", "b.go"},
		Agent: &ipc.AgentRun{Name: "claude", FilesGuessed: []string{"b.go"}}}
	run.Agent.Format = "json"
	run.Agent.Turns = 2
	Run(&b, run)
	out := b.String()
	for _, want := range []string{"agent    claude (json output)", "spent    2 turns", "b.go (by time: not reported by the agent)", "── prompt ──\ndo it", "── output ──"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// Only the hooks that did not pass are shown, with their output.
func TestVerdict(t *testing.T) {
	var b bytes.Buffer
	Verdict(&b, ipc.Verdict{Hooks: []ipc.Run{{Hook: "ok", Status: "ok"}, {Hook: "lint", Status: "failed", Exit: 2, Output: "bad style\n"}}})
	if got := b.String(); got != "hookd: lint: failed (exit 2)\nbad style\n" {
		t.Errorf("Verdict printed %q", got)
	}
}

func TestSpecDiffsNone(t *testing.T) {
	for _, c := range []struct {
		rev  string
		seen bool
		want string
	}{
		{"", false, "since HEAD"},
		{"main~1", false, "since main~1"},
		{"", true, "since the daemon last saw it"},
	} {
		var b bytes.Buffer
		SpecDiffs(&b, nil, c.rev, c.seen)
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%+v: %q", c, b.String())
		}
	}
}

func TestTraceJSON(t *testing.T) {
	var b bytes.Buffer
	problems, err := TraceJSON(&b, []byte(`{"problems":["hookd.reviews:3: bad"],"findings":[]}`))
	if err != nil || len(problems) != 1 || b.String() != "{\n  \"problems\": [\n    \"hookd.reviews:3: bad\"\n  ],\n  \"findings\": []\n}\n" {
		t.Errorf("TraceJSON: %q, %v, %v", b.String(), problems, err)
	}
}

// The check fails only on what the policy names, and says so on the
// summary's stream.
func TestTraceCheck(t *testing.T) {
	rep := &trace.Report{Findings: []trace.Finding{{Kind: trace.Dangling, File: "a.go", Line: 3, Message: "no 9.9", Fails: true}, {Kind: trace.Uncovered}}}
	rep.Policy.FailOn = []string{"dangling"}
	var out, sum bytes.Buffer
	ok, err := TraceCheck(&out, &sum, rep, false, false)
	if ok || err != nil || !strings.HasPrefix(out.String(), "a.go:3: dangling: no 9.9") || !strings.Contains(sum.String(), "1 finding the policy fails on") {
		t.Errorf("TraceCheck: %v %v\n%s\n%s", ok, err, out.String(), sum.String())
	}
	out.Reset()
	sum.Reset()
	rep.Findings = rep.Findings[1:]
	if ok, err := TraceCheck(&out, &sum, rep, true, false); !ok || err != nil || out.String() != "[]\n" || !strings.HasPrefix(sum.String(), "trace check: ok") {
		t.Errorf("passing: %v %v %q %q", ok, err, out.String(), sum.String())
	}
}

// A command from a repository is listed escapes and all: a carriage return
// and an erase-line cannot show `curl …|sh` as `make test`.
func TestHooksShowCommandsAsWritten(t *testing.T) {
	var b bytes.Buffer
	w := term.Fit(&b, 200) // wide enough for the whole command
	Hooks(w, []ipc.Hook{{Name: "t", On: []string{"file.saved"}, Action: "run", Detail: "curl x|sh\r\x1b[2Kmake test", Enabled: true, Source: "hookd.toml:1"}}, nil)
	w.Flush()
	if strings.ContainsAny(b.String(), "\r\x1b") || !strings.Contains(b.String(), `\r\x1b[2Kmake test`) {
		t.Fatalf("output %q", b.String())
	}
}

// The API's trouble is said: in the hooks' table for the last run, and
// in one run whole.
func TestAPITrouble(t *testing.T) {
	var b bytes.Buffer
	Hooks(&b, []ipc.Hook{{Name: "review", On: []string{"file.saved"}, Action: "agent", Detail: "claude", Enabled: true,
		Source: "hookd.toml:1", LastStatus: "timeout", Trouble: "claude: API 500, 3 retries"}}, nil)
	if !strings.Contains(b.String(), "\nreview's last run: claude: API 500, 3 retries\n") {
		t.Errorf("hooks:\n%s", b.String())
	}
	b.Reset()
	run := ipc.Run{ID: "r", Hook: "review", Status: "timeout", Agent: &ipc.AgentRun{Name: "claude"}}
	run.Agent.Format, run.Agent.Retries, run.Agent.APIStatus, run.Agent.APIError = "claude", 3, 500, "server_error"
	Run(&b, run)
	if !strings.Contains(b.String(), "\napi      API 500, 3 retries: server_error\n") {
		t.Errorf("run:\n%s", b.String())
	}
}

// A hook its circuit breaker paused shows as paused, with the reason.
func TestBreakerPaused(t *testing.T) {
	var b bytes.Buffer
	why := "paused by its circuit breaker: 21 runs started within 2s (max_runs_per_minute = 20); hookd resume loop runs it again"
	Hooks(&b, []ipc.Hook{{Name: "loop", On: []string{"hook.manual"}, Action: "run", Detail: "x", Enabled: true, Source: "hookd.toml:1", Paused: why}}, nil)
	if !strings.Contains(b.String(), " paused ") || !strings.Contains(strings.Join(strings.Fields(b.String()), " "), why) {
		t.Errorf("hooks:\n%s", b.String())
	}
}

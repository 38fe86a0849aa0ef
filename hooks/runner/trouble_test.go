package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// hanging puts first on PATH a CLI named name that prints out on stdout
// and errOut on stderr as the real one did against an API answering 500,
// then hangs, as it does while it keeps retrying.
func hanging(t *testing.T, name, out, errOut string) {
	t.Helper()
	dir := t.TempDir()
	for file, text := range map[string]string{"out": out, "err": errOut} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\ncat > /dev/null\ncat '" + dir + "/out'\ncat '" + dir + "/err' >&2\nexec sleep 60\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// A run stopped by its timeout says why the agent did not finish (the
// API's errors and retries, as its CLI reported them), and keeps what the
// stream said it spent, for the budgets.
func TestTimeoutSaysTheAPITrouble(t *testing.T) {
	retry := `{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"error_status":500,"error":"server_error","session_id":"s"}` + "\n"
	cases := []struct {
		preset, out, errOut string
		wantErr             string
		tokensIn            int64
	}{
		{"claude",
			`{"type":"system","subtype":"init","session_id":"s"}` + "\n" +
				`{"type":"assistant","message":{"id":"m1","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}],"usage":{"input_tokens":1500,"output_tokens":20}}}` + "\n" +
				`{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}}` + "\n" +
				retry + retry + retry, "",
			"timed out after 1s; claude: API 500, 3 retries: server_error", 1500},
		{"codex",
			`{"type":"thread.started","thread_id":"th"}` + "\n" + `{"type":"turn.started"}` + "\n" +
				`{"type":"turn.completed","usage":{"input_tokens":700,"output_tokens":9}}` + "\n" + `{"type":"turn.started"}` + "\n" +
				`{"type":"error","message":"Reconnecting... 1/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}` + "\n", "",
			"timed out after 1s; codex: API error, 1 retry: We’re currently experiencing high demand", 700},
		{"gemini", `{"type":"init","session_id":"g"}` + "\n",
			"Attempt 1 failed with status 500. Retrying with backoff... _ApiError: {\"error\":{\"message\":\"stub internal error\",\"code\":500}}\n" +
				"    at async Turn.run (file:///x.js:1:2) {\n" +
				"Attempt 2 failed with status 500. Retrying with backoff... _ApiError: {\"error\":{\"message\":\"stub internal error\",\"code\":500}}\n",
			"timed out after 1s; gemini: API 500, 2 retries: {\"error\"", 0},
	}
	for _, c := range cases {
		t.Run(c.preset, func(t *testing.T) {
			hanging(t, c.preset, c.out, c.errOut)
			j := job(t, &hooks.Hook{Name: "h", Agent: c.preset})
			j.Grace = 200 * time.Millisecond
			res := runner.RunAgent(context.Background(), j, &hooks.Agent{Name: c.preset, Preset: c.preset, Timeout: time.Second}, "hi")
			if res.Status != runner.StatusTimeout || res.Err == nil || !strings.HasPrefix(res.Err.Error(), c.wantErr) {
				t.Fatalf("%s (%v), want a timeout whose error starts %q", res.Status, res.Err, c.wantErr)
			}
			if res.Agent.TokensIn != c.tokensIn {
				t.Errorf("tokens in %d, want what the stream said before the timeout, %d", res.Agent.TokensIn, c.tokensIn)
			}
		})
	}
}

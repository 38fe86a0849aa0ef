package agentcli

import (
	"strings"
	"testing"
)

// Lines the real CLIs printed against an API stand-in answering 500 or
// 429 (claude 2.1.197, codex 0.169.0, gemini-cli 0.61.0), cut to the
// fields hookd reads and a few it does not.
const (
	claudeRetry = `{"type":"system","subtype":"api_retry","attempt":%d,"max_retries":10,"retry_delay_ms":624.49,"error_status":500,"error":"server_error","session_id":"b2c6","uuid":"b40a"}`
	// After its retries, claude says the error as a synthetic message and
	// a result whose subtype is success.
	claudeAPIText   = `{"type":"assistant","message":{"id":"6a99","model":"<synthetic>","role":"assistant","usage":{"input_tokens":0,"output_tokens":0},"content":[{"type":"text","text":"API Error: 500 stub error 500. This is a server-side issue, usually temporary"}]},"session_id":"06cd"}`
	claudeAPIResult = `{"type":"result","subtype":"success","is_error":true,"api_error_status":500,"duration_ms":2747,"num_turns":1,"result":"API Error: 500 stub error 500. This is a server-side issue, usually temporary","session_id":"06cd","total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0}}`
	// Two turns of a run that a timeout cuts short: one message's lines
	// (same id, usage as it grew), then a second message.
	claudeTurn1a = `{"type":"assistant","message":{"id":"msg_1","role":"assistant","content":[{"type":"text","text":"Let me look."}],"usage":{"input_tokens":1000,"cache_read_input_tokens":200,"output_tokens":1}},"session_id":"s"}`
	claudeTurn1b = `{"type":"assistant","message":{"id":"msg_1","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"sleep 600"}}],"usage":{"input_tokens":1000,"cache_read_input_tokens":200,"output_tokens":40}},"session_id":"s"}`
	claudeTurn2  = `{"type":"assistant","message":{"id":"msg_2","role":"assistant","content":[{"type":"text","text":"Still waiting."}],"usage":{"input_tokens":1100,"output_tokens":7}},"session_id":"s"}`

	codexBegin  = `{"type":"thread.started","thread_id":"01a2"}` + "\n" + `{"type":"turn.started"}`
	codexRetry  = `{"type":"error","message":"Reconnecting... %d/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}`
	codexGaveUp = `{"type":"error","message":"We’re currently experiencing high demand, which may cause temporary errors."}` + "\n" +
		`{"type":"turn.failed","error":{"message":"We’re currently experiencing high demand, which may cause temporary errors."}}`
	codex429 = `{"type":"error","message":"exceeded retry limit, last status: 429 Too Many Requests"}` + "\n" +
		`{"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests"}}`
	codexNoNetwork = `{"type":"error","message":"Reconnecting... waiting for network (Connection failed: error sending request)"}`

	geminiRetryErr = `Attempt %d failed with status 500. Retrying with backoff... _ApiError: {"error":{"message":"stub internal error","type":"server_error","code":500}}`
	geminiGaveUp   = `Attempt 10 failed: {"error":{"message":"stub internal error","type":"server_error","code":500}}.`
	geminiAPIFail  = `{"type":"result","timestamp":"2026-12-08T01:05:49.416Z","status":"error","error":{"type":"unknown","message":"[API Error: {\"error\":{\"message\":\"stub internal error\",\"type\":\"server_error\",\"code\":500}}]"},"stats":{"total_tokens":0,"input_tokens":0,"output_tokens":0,"duration_ms":0,"tool_calls":0}}`
)

func retries(format string, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, strings.Replace(format, "%d", string(rune('0'+i)), 1))
	}
	return out
}

// claude's api_retry events and its result's api_error_status are the
// run's API trouble, and the error it ends with.
func TestClaudeAPIErrors(t *testing.T) {
	s, _ := parse(t, "claude", "/repo", append(append([]string{claudeInit}, retries(claudeRetry, 3)...), claudeAPIText, claudeAPIResult)...)
	r := s.Finish(finalCap)
	if r.Retries != 3 || r.APIStatus != 500 || !strings.HasPrefix(r.APIError, "API Error: 500 stub error") {
		t.Errorf("report %+v", r)
	}
	if got := r.Trouble(); got != "API 500, 3 retries" {
		t.Errorf("Trouble() = %q", got)
	}
	if !strings.Contains(r.Error, "API Error: 500") {
		t.Errorf("error %q", r.Error)
	}

	// Cut short while retrying (a timeout): what was said so far.
	s, _ = parse(t, "claude", "/repo", append([]string{claudeInit}, retries(claudeRetry, 2)...)...)
	r = s.Finish(finalCap)
	if r.Trouble() != "API 500, 2 retries" || r.APIError != "server_error" || r.Ended {
		t.Errorf("cut short: %q %+v", r.Trouble(), r)
	}

	// Nothing went wrong: no trouble.
	s, _ = parse(t, "claude", "/repo", claudeInit, claudeWrite, claudeDone)
	if got := s.Finish(finalCap).Trouble(); got != "" {
		t.Errorf("a clean run's trouble: %q", got)
	}
}

// A run cut short (a timeout kills claude before its result) has spent
// what its messages said so far: each message's latest usage, summed. A
// result's total replaces them.
func TestClaudeUsageSoFar(t *testing.T) {
	s, _ := parse(t, "claude", "/repo", claudeInit, claudeTurn1a, claudeTurn1b, claudeTurn2)
	r := s.Finish(finalCap)
	if r.TokensIn != 1200+1100 || r.TokensOut != 40+7 || r.Ended {
		t.Errorf("usage of a run cut short: in %d out %d, want 2300 and 47", r.TokensIn, r.TokensOut)
	}
	s, _ = parse(t, "claude", "/repo", claudeInit, claudeTurn1a, claudeTurn1b, claudeTurn2, claudeDone)
	if r := s.Finish(finalCap); r.TokensIn != 32 || r.TokensOut != 10 {
		t.Errorf("the result's total: in %d out %d, want 32 and 10", r.TokensIn, r.TokensOut)
	}
}

// codex's "Reconnecting... N/5" error events are retries, not its end;
// the error it gives up with is. A status named in its words is kept.
func TestCodexAPIErrors(t *testing.T) {
	s, _ := parse(t, "codex", "/repo", append(append([]string{codexBegin}, retries(codexRetry, 5)...), codexGaveUp)...)
	r := s.Finish(finalCap)
	if r.Retries != 5 || r.APIStatus != 0 || !strings.HasPrefix(r.APIError, "We’re currently experiencing high demand") || !r.Ended || r.Error == "" || r.Skipped != 0 {
		t.Errorf("report %+v", r)
	}
	if got := r.Trouble(); got != "API error, 5 retries" {
		t.Errorf("Trouble() = %q", got)
	}

	s, _ = parse(t, "codex", "/repo", codexBegin, codex429)
	if got := s.Finish(finalCap).Trouble(); got != "rate limited (API 429)" {
		t.Errorf("429: Trouble() = %q", got)
	}

	s, _ = parse(t, "codex", "/repo", codexBegin, codexNoNetwork, codexNoNetwork)
	r = s.Finish(finalCap)
	if r.Retries != 2 || !strings.Contains(r.APIError, "Connection failed") || r.Ended {
		t.Errorf("no network: %+v", r)
	}

	// A failure that is not the API's is no API trouble.
	s, _ = parse(t, "codex", "/repo", codexBegin, `{"type":"turn.failed","error":{"message":"sandbox denied"}}`)
	if r := s.Finish(finalCap); r.Trouble() != "" || r.Error != "sandbox denied" {
		t.Errorf("not the API's: %q %+v", r.Trouble(), r)
	}
}

// gemini says its retries on stderr only; its result names the status.
func TestGeminiAPIErrors(t *testing.T) {
	s, _ := parse(t, "gemini", "/repo", `{"type":"init","session_id":"9d58","model":"auto"}`)
	if !s.WantsStderr() {
		t.Fatal("gemini's stream does not read its stderr")
	}
	for _, l := range append(retries(geminiRetryErr, 4), "    at async Turn.run (file:///x.js:1:2) {", "  status: 500", geminiGaveUp) {
		s.FeedStderr([]byte(l))
	}
	s.Feed([]byte(geminiAPIFail), false)
	r := s.Finish(finalCap)
	if r.Retries != 4 || r.APIStatus != 500 || !strings.Contains(r.APIError, "stub internal error") || !strings.HasPrefix(r.Error, "error: [API Error:") {
		t.Errorf("report %+v", r)
	}
	if got := r.Trouble(); got != "API 500, 4 retries" {
		t.Errorf("Trouble() = %q", got)
	}
	if c, _ := parse(t, "claude", "/repo"); c.WantsStderr() {
		t.Error("claude's stream reads its stderr, which says nothing hookd reads")
	}
}

package ipc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/trace"
)

// nopAPI accepts every call with empty answers.
type nopAPI struct{}

func (nopAPI) Status(context.Context) Status { return Status{} }
func (nopAPI) Hooks(context.Context) []Hook  { return []Hook{} }
func (nopAPI) Emit(_ context.Context, req EmitRequest, _ bool) (EmitReply, error) {
	if !event.Known(event.Kind(req.Kind)) {
		return EmitReply{}, BadRequest("unknown kind")
	}
	return EmitReply{ID: 1}, nil
}
func (nopAPI) Trigger(context.Context, string, TriggerRequest) (TriggerReply, error) {
	return TriggerReply{Run: "r"}, nil
}
func (nopAPI) Runs(context.Context, string, int) []Run              { return []Run{} }
func (nopAPI) Run(context.Context, string) (Run, error)             { return Run{}, NotFound("no run") }
func (nopAPI) Logs(context.Context, bool, func([]byte) error) error { return nil }
func (nopAPI) Reload(context.Context) ReloadReply                   { return ReloadReply{} }
func (nopAPI) Sync(context.Context) error                           { return nil }
func (nopAPI) Idle(context.Context) error                           { return nil }
func (nopAPI) Shutdown()                                            {}
func (nopAPI) Impact(context.Context, string, []string) ([]event.Citation, error) {
	return []event.Citation{}, nil
}
func (nopAPI) Trace(context.Context, string, string) (*trace.Report, error) {
	return &trace.Report{}, nil
}
func (nopAPI) SpecDiff(context.Context, string) (SpecDiff, error)    { return SpecDiff{}, nil }
func (nopAPI) SpecAccept(context.Context, string) error              { return nil }
func (nopAPI) ForgetSession(context.Context, string) (string, error) { return "", nil }
func (nopAPI) ResumeHook(context.Context, string) (string, error)    { return "", nil }

// FuzzRequests sends the API arbitrary requests: every reply is JSON with
// a status that is not a server error, and nothing panics.
func FuzzRequests(f *testing.F) {
	f.Add("POST", "/v1/events", "wait=1", `{"kind":"file.saved","files":["a.go"]}`)
	f.Add("POST", "/v1/hooks/x/trigger", "", `{"files":["../../etc/passwd"],"args":{"a":[1,{"b":null}]}}`)
	f.Add("GET", "/v1/runs", "limit=-5&hook=%00", "")
	f.Add("GET", "/v1/impact", "req=1.1&req=FR-001&spec=login", "")
	f.Add("GET", "/v1/spec/diff", "file=", "")
	f.Add("POST", "/v1/events", "", `{"kind":1e999}`)
	mux := routes(nopAPI{})
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		u := &url.URL{Path: path, RawQuery: query}
		req, err := http.NewRequest(method, "http://hookd"+u.String(), strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", method, u, rec.Code, rec.Body)
		}
		// Redirects (the mux cleans paths such as "/..") carry no body.
		if path != "/v1/logs" && rec.Code/100 != 3 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: status %d, not JSON: %q", method, u, rec.Code, rec.Body)
		}
	})
}

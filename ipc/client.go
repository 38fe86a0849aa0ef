package ipc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"syscall"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/trace"
)

// ErrNotRunning means no daemon answers on the socket.
var ErrNotRunning = errors.New("hookd is not running for this work tree")

// Client talks to a daemon. Socket must be set; the rest is optional.
type Client struct {
	Socket string
	// Version is sent to compare with the daemon's; OnVersionMismatch, when
	// set, is called once if they differ.
	Version           string
	OnVersionMismatch func(client, daemon string)

	once sync.Once
	http *http.Client
}

func (c *Client) client() *http.Client {
	c.once.Do(func() {
		c.http = &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				if err := checkOwner(c.Socket); err != nil {
					return nil, err
				}
				var d net.Dialer
				return d.DialContext(ctx, "unix", c.Socket)
			},
			DisableCompression: true,
		}}
	})
	return c.http
}

// checkOwner refuses a socket that is not the user's: talking to someone
// else's daemon would hand them our requests.
func checkOwner(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("socket %s belongs to uid %d, not to you", path, st.Uid)
	}
	return nil
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://hookd"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client().Do(req)
	if err != nil {
		if isNotRunning(err) {
			return ErrNotRunning
		}
		return fmt.Errorf("talk to hookd at %s: %w", c.Socket, err)
	}
	defer resp.Body.Close()
	c.checkVersion(resp)
	if resp.StatusCode >= 300 {
		e := &Error{Code: resp.StatusCode}
		if err := json.NewDecoder(resp.Body).Decode(e); err != nil || e.Message == "" {
			e.Message = resp.Status
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode hookd's reply to %s %s: %w", method, path, err)
	}
	return nil
}

func (c *Client) checkVersion(resp *http.Response) {
	v := resp.Header.Get(VersionHeader)
	if c.OnVersionMismatch != nil && v != "" && c.Version != "" && v != c.Version {
		c.OnVersionMismatch(c.Version, v)
		c.OnVersionMismatch = nil
	}
}

// Status returns the daemon's status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	return s, c.do(ctx, "GET", "/v1/status", nil, &s)
}

// Hooks lists every hook with its state.
func (c *Client) Hooks(ctx context.Context) ([]Hook, error) {
	var hs []Hook
	return hs, c.do(ctx, "GET", "/v1/hooks", nil, &hs)
}

// Emit sends an event.
func (c *Client) Emit(ctx context.Context, req EmitRequest) (EmitReply, error) {
	var r EmitReply
	return r, c.do(ctx, "POST", "/v1/events", req, &r)
}

// EmitWait sends a blocking event (git.pre-commit, git.pre-push) and
// returns the verdict of its blocking hooks.
func (c *Client) EmitWait(ctx context.Context, req EmitRequest) (EmitReply, error) {
	var r EmitReply
	return r, c.do(ctx, "POST", "/v1/events?wait=1", req, &r)
}

// Trigger runs a hook now.
func (c *Client) Trigger(ctx context.Context, name string, req TriggerRequest) (TriggerReply, error) {
	var r TriggerReply
	return r, c.do(ctx, "POST", "/v1/hooks/"+url.PathEscape(name)+"/trigger", req, &r)
}

// Runs lists recent runs, newest first, of one hook or all ("").
func (c *Client) Runs(ctx context.Context, hook string, limit int) ([]Run, error) {
	var rs []Run
	q := url.Values{}
	if hook != "" {
		q.Set("hook", hook)
	}
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	return rs, c.do(ctx, "GET", "/v1/runs?"+q.Encode(), nil, &rs)
}

// Trace is the daemon's traceability report of a spec ("" for every
// spec), or of one requirement of it.
func (c *Client) Trace(ctx context.Context, spec, req string) (*trace.Report, error) {
	var out trace.Report
	if err := c.do(ctx, "GET", "/v1/trace?"+traceQuery(spec, req), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// TraceJSON is Trace's reply as it came, for printing it without
// decoding.
func (c *Client) TraceJSON(ctx context.Context, spec, req string) (json.RawMessage, error) {
	var out json.RawMessage
	return out, c.do(ctx, "GET", "/v1/trace?"+traceQuery(spec, req), nil, &out)
}

func traceQuery(spec, req string) string {
	q := url.Values{}
	if spec != "" {
		q.Set("spec", spec)
	}
	if req != "" {
		q.Set("req", req)
	}
	return q.Encode()
}

// Impact lists the places citing requirements of a spec.
func (c *Client) Impact(ctx context.Context, spec string, ids []string) ([]event.Citation, error) {
	q := url.Values{"req": ids}
	if spec != "" {
		q.Set("spec", spec)
	}
	var out []event.Citation
	return out, c.do(ctx, "GET", "/v1/impact?"+q.Encode(), nil, &out)
}

// SpecDiff returns a spec document's change since the daemon last saw it.
func (c *Client) SpecDiff(ctx context.Context, file string) (SpecDiff, error) {
	var out SpecDiff
	return out, c.do(ctx, "GET", "/v1/spec/diff?"+url.Values{"file": {file}}.Encode(), nil, &out)
}

// SpecAccept takes a spec document as it is now for the version the daemon
// last saw.
func (c *Client) SpecAccept(ctx context.Context, file string) error {
	return c.do(ctx, "POST", "/v1/spec/accept?"+url.Values{"file": {file}}.Encode(), nil, nil)
}

// ForgetSession makes a hook's next agent run start a new session.
func (c *Client) ForgetSession(ctx context.Context, hook string) (string, error) {
	var r ForgetReply
	err := c.do(ctx, "POST", "/v1/hooks/"+url.PathEscape(hook)+"/forget", nil, &r)
	return r.Session, err
}

// ResumeHook lets a hook its circuit breaker paused run again, and
// returns why it was paused ("" when it was not).
func (c *Client) ResumeHook(ctx context.Context, hook string) (string, error) {
	var r ResumeReply
	err := c.do(ctx, "POST", "/v1/hooks/"+url.PathEscape(hook)+"/resume", nil, &r)
	return r.Paused, err
}

// Run returns one run whole.
func (c *Client) Run(ctx context.Context, id string) (Run, error) {
	var r Run
	return r, c.do(ctx, "GET", "/v1/runs/"+url.PathEscape(id), nil, &r)
}

// Reload makes the daemon read its configuration again.
func (c *Client) Reload(ctx context.Context) (ReloadReply, error) {
	var r ReloadReply
	return r, c.do(ctx, "POST", "/v1/reload", struct{}{}, &r)
}

// Sync returns once the daemon has processed every file change made
// before the call.
func (c *Client) Sync(ctx context.Context) error {
	return c.do(ctx, "POST", "/v1/sync", struct{}{}, nil)
}

// Idle returns once the daemon has handled every change made before the
// call, and every run those changes caused has ended.
func (c *Client) Idle(ctx context.Context) error {
	return c.do(ctx, "POST", "/v1/sync?idle=1", struct{}{}, nil)
}

// Shutdown asks the daemon to stop.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.do(ctx, "POST", "/v1/shutdown", struct{}{}, nil)
}

// Logs streams the daemon's log lines (NDJSON) to line until the daemon
// ends the stream or ctx is done; follow keeps it open for new lines.
func (c *Client) Logs(ctx context.Context, follow bool, line func([]byte)) error {
	path := "/v1/logs"
	if follow {
		path += "?follow=1"
	}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://hookd"+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.client().Do(req)
	if err != nil {
		if isNotRunning(err) {
			return ErrNotRunning
		}
		return err
	}
	defer resp.Body.Close()
	c.checkVersion(resp)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line(sc.Bytes())
	}
	if ctx.Err() != nil {
		return nil
	}
	return sc.Err()
}

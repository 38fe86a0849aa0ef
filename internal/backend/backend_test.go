package backend

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/ipc"
)

// testOptions is a work tree outside git with one hook, and a socket
// nobody listens on.
func testOptions(t *testing.T) Options {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hookd.toml"), []byte("[[hook]]\nname = \"greet\"\non = \"hook.manual\"\nrun = \"true\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	return Options{
		Repo:   daemon.Repo{Root: root, StateDir: state},
		Config: hooks.LoadOptions{Root: root, Trust: hooks.TrustStore{Path: filepath.Join(state, "trust.json")}},
		Client: &ipc.Client{Socket: filepath.Join(state, "hookd.sock")},
	}
}

// serve answers on opts' socket with handler.
func serve(t *testing.T, opts Options, handler http.Handler) {
	t.Helper()
	ln, err := net.Listen("unix", opts.Client.Socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// No daemon answers: the same engine in process, and what only a daemon
// knows says so.
func TestChooseLocal(t *testing.T) {
	opts := testOptions(t)
	b, err := Choose(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*Local); !ok || b.Running() {
		t.Fatalf("chose %T, want *Local", b)
	}
	ctx := context.Background()
	if _, err := b.Status(ctx); !errors.Is(err, ipc.ErrNotRunning) {
		t.Errorf("Status: %v, want ErrNotRunning", err)
	}
	if _, err := b.Emit(ctx, ipc.EmitRequest{Kind: "hook.manual"}); !errors.Is(err, ipc.ErrNotRunning) {
		t.Errorf("Emit: %v, want ErrNotRunning", err)
	}
	hs, _, err := b.Hooks(ctx)
	if err != nil || len(hs) != 1 || hs[0].Name != "greet" {
		t.Errorf("Hooks: %+v, %v", hs, err)
	}
	if _, err := b.Runs(ctx, "", 10); err == nil || !strings.Contains(err.Error(), "no history yet") {
		t.Errorf("Runs without a journal: %v", err)
	}
	if s, err := b.ForgetSession(ctx, "greet"); s != "" || err != nil {
		t.Errorf("ForgetSession without a journal: %q, %v", s, err)
	}
}

// The daemon answers: every question goes over the socket.
func TestChooseDaemon(t *testing.T) {
	opts := testOptions(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"pid": 7, "hooks": [{"name": "from-daemon"}]}`))
	})
	serve(t, opts, mux)
	b, err := Choose(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*Daemon); !ok || !b.Running() {
		t.Fatalf("chose %T, want *Daemon", b)
	}
	hs, _, err := b.Hooks(context.Background())
	if err != nil || len(hs) != 1 || hs[0].Name != "from-daemon" {
		t.Errorf("Hooks: %+v, %v", hs, err)
	}
}

// A daemon that is there and does not answer is an error, never a
// fallback to a second engine.
func TestChooseWedged(t *testing.T) {
	opts := testOptions(t)
	opts.PingTimeout = 100 * time.Millisecond
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	serve(t, opts, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	_, err := Choose(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "stopped answering") {
		t.Fatalf("Choose: %v, want the daemon stopped answering", err)
	}
}

// Without a daemon, logs are the end of the file the last one left,
// saying so; without that file there is nothing to show.
func TestLocalLogs(t *testing.T) {
	opts := testOptions(t)
	var notice, out bytes.Buffer
	opts.Notice = &notice
	l := NewLocal(opts)
	if err := l.Logs(context.Background(), false, &out); !errors.Is(err, ipc.ErrNotRunning) {
		t.Fatalf("no log: %v", err)
	}
	if err := os.WriteFile(filepath.Join(opts.Repo.StateDir, "hookd.log"), []byte("a\nb\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Logs(context.Background(), false, &out); err != nil || out.String() != "a\nb\n" {
		t.Fatalf("Logs: %q, %v", out.String(), err)
	}
	if !strings.Contains(notice.String(), "hookd is not running: the end of its log") {
		t.Errorf("notice: %q", notice.String())
	}
	if err := l.Logs(context.Background(), true, &out); !errors.Is(err, ipc.ErrNotRunning) {
		t.Errorf("follow without a daemon: %v", err)
	}
}

func TestLastLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc\n"},
		{"a\nb\nc\n", 5, "a\nb\nc\n"},
		{"a\nb\nc", 1, "c"},
		{"", 3, ""},
	} {
		if got := string(LastLines([]byte(c.in), c.n)); got != c.want {
			t.Errorf("LastLines(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// Paths on a command line are the working directory's; the repository's
// are relative to its root, and nothing outside it is named.
func TestRel(t *testing.T) {
	root := t.TempDir()
	got, err := Rel(root, []string{filepath.Join(root, "src", "a.go")})
	if err != nil || len(got) != 1 || got[0] != "src/a.go" {
		t.Errorf("inside: %v, %v", got, err)
	}
	if _, err := Rel(root, []string{filepath.Join(root, "..", "x")}); err == nil {
		t.Error("a path outside the repository was accepted")
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	if got, err := RepoRelative(root, filepath.Join(link, "b.go")); err != nil || got != "b.go" {
		t.Errorf("through a symlinked directory: %q, %v", got, err)
	}
}

// An agent is refused in a work tree never trusted, before any daemon is
// started for it.
func TestTriggerForAgentUntrusted(t *testing.T) {
	opts := testOptions(t)
	opts.ForAgent = true
	opts.Start = func(context.Context) error { t.Error("started a daemon for an agent"); return nil }
	_, err := NewLocal(opts).Trigger(context.Background(), "greet", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "never trusted") {
		t.Fatalf("Trigger: %v", err)
	}
}

// A spec document is named as on a command line; anything else is the
// caller's mistake.
func TestSpecArg(t *testing.T) {
	opts := testOptions(t)
	_, err := NewLocal(opts).Spec(context.Background(), filepath.Join(opts.Repo.Root, "hookd.toml"))
	var arg ArgError
	if !errors.As(err, &arg) {
		t.Fatalf("Spec of a non-spec file: %v, want an ArgError", err)
	}
}

// The in-process trace's JSON is the daemon's: HTML is not escaped.
func TestMarshalAsTheDaemon(t *testing.T) {
	raw, err := marshal(map[string]string{"a": "x > y & z"})
	if err != nil || string(raw) != `{"a":"x > y & z"}` {
		t.Errorf("marshal = %s, %v", raw, err)
	}
}

// explain runs nothing and needs no daemon; an unknown kind or a path
// outside the work tree is the caller's mistake.
func TestExplain(t *testing.T) {
	opts := testOptions(t)
	var warn bytes.Buffer
	xs, cfg, err := Explain(context.Background(), opts, "hook.manual", nil, &warn)
	if err != nil || len(xs) != 1 || xs[0].Hook != "greet" || cfg.Hook("greet") == nil {
		t.Fatalf("Explain: %+v, %v", xs, err)
	}
	var arg ArgError
	if _, _, err := Explain(context.Background(), opts, "file.changed", nil, &warn); !errors.As(err, &arg) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, _, err := Explain(context.Background(), opts, "file.saved", []string{"/elsewhere/x"}, &warn); !errors.As(err, &arg) {
		t.Errorf("a file outside: %v", err)
	}
}

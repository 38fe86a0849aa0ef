package ipc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ErrRunning is returned by Listen when a daemon already serves the socket.
var ErrRunning = errors.New("ipc: a daemon is already running for this work tree")

// Listener is the daemon's socket, with the lock that makes it the only one.
type Listener struct {
	net.Listener
	Path string
	// Note, when set, is something about the socket the daemon logs at
	// start (it is not where it would usually be, and why).
	Note string
	lock *os.File
	ino  uint64 // the socket file we created, to tell it from a successor's
	once sync.Once
}

// Listen takes the work tree's lock and binds its socket. It returns
// ErrRunning when another daemon holds the lock. The lock is held until
// Close, or until the process dies.
func Listen(path string) (*Listener, error) {
	if err := ensureDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	lock, err := takeLock(path + ".lock")
	if err != nil {
		return nil, err
	}
	// Holding the lock, any socket file left behind is a dead daemon's.
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("ipc: listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		lock.Close()
		return nil, fmt.Errorf("ipc: chmod socket: %w", err)
	}
	// We remove the socket file ourselves, and only if it is still ours.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	_ = lock.Truncate(0)
	_, _ = lock.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Listener{Listener: ln, Path: path, lock: lock, ino: inodeOf(path)}, nil
}

// takeLock takes the exclusive lock at path, creating the file. The
// daemon that held it before may have removed the file as it stopped
// (after this open, before this flock): a lock on a file that is no
// longer at path locks nothing, so it tries again.
func takeLock(path string) (*os.File, error) {
	for {
		lock, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("ipc: open lock: %w", err)
		}
		if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			lock.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, ErrRunning
			}
			return nil, fmt.Errorf("ipc: lock: %w", err)
		}
		if fi, err := lock.Stat(); err == nil && inodeOf(path) == fileIno(fi) {
			return lock, nil
		}
		lock.Close()
	}
}

// Close stops listening, removes the socket if it is still this
// listener's, removes the lock file and releases the lock, in that order.
// It is idempotent. Only the daemon calls it; the HTTP server gets the bare
// listener, so that the lock is never released while the daemon still
// runs.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		err = l.Listener.Close()
		if inodeOf(l.Path) == l.ino {
			_ = os.Remove(l.Path)
		}
		// Removed while held: no directory fills with stale lock files, and
		// a daemon starting meanwhile sees the file gone and makes a new one.
		if fi, err := l.lock.Stat(); err == nil && inodeOf(l.lock.Name()) == fileIno(fi) {
			_ = os.Remove(l.lock.Name())
		}
		l.lock.Close()
	})
	return err
}

func fileIno(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

func inodeOf(path string) uint64 {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0
	}
	return fileIno(fi)
}

// LockHeld reports whether a daemon holds the lock of the socket at path.
func LockHeld(path string) bool {
	f, err := os.Open(path + ".lock")
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err != nil {
		return true
	}
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}

// WaitUnlocked blocks until no daemon holds the lock of the socket at path,
// or ctx is done: it is how `hookd stop` knows the daemon has exited.
func WaitUnlocked(ctx context.Context, path string) error {
	f, err := os.Open(path + ".lock")
	if err != nil {
		return nil
	}
	defer f.Close()
	done := make(chan error, 1)
	go func() { done <- unix.Flock(int(f.Fd()), unix.LOCK_SH) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// Closing the file does not interrupt flock; the goroutine ends
		// when the daemon does.
		return ctx.Err()
	}
}

type peerKey struct{}

// Serve answers the API on ln until ctx is done.
func Serve(ctx context.Context, ln net.Listener, api API, version string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := routes(api)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(VersionHeader, version)
			if uid, _ := r.Context().Value(peerKey{}).(int); uid != os.Getuid() {
				log.Warn("refused a request from another user", "uid", uid, "path", r.URL.Path)
				writeError(w, &Error{Code: http.StatusForbidden, Message: "this daemon belongs to another user"})
				return
			}
			mux.ServeHTTP(w, r)
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, peerKey{}, peerUID(c))
		},
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// routes maps the API onto its endpoints.
func routes(api API) *http.ServeMux {
	mux := http.NewServeMux()
	h := &handlers{api: api}
	for pattern, fn := range map[string]http.HandlerFunc{
		"GET /v1/status":                h.status,
		"GET /v1/hooks":                 h.hooks,
		"POST /v1/events":               h.emit,
		"POST /v1/hooks/{name}/trigger": h.trigger,
		"GET /v1/runs":                  h.runs,
		"GET /v1/runs/{id}":             h.run,
		"GET /v1/logs":                  h.logs,
		"POST /v1/reload":               h.reload,
		"POST /v1/sync":                 h.sync,
		"POST /v1/shutdown":             h.shutdown,
		"GET /v1/impact":                h.impact,
		"GET /v1/trace":                 h.trace,
		"GET /v1/spec/diff":             h.specDiff,
		"POST /v1/spec/accept":          h.specAccept,
		"POST /v1/hooks/{name}/forget":  h.forget,
		"POST /v1/hooks/{name}/resume":  h.resume,
	} {
		mux.HandleFunc(pattern, fn)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{Code: http.StatusNotFound, Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

type handlers struct{ api API }

func (h *handlers) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, h.api.Status(r.Context()))
}

func (h *handlers) hooks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, h.api.Hooks(r.Context()))
}

func (h *handlers) emit(w http.ResponseWriter, r *http.Request) {
	var req EmitRequest
	if !readJSON(w, r, &req) {
		return
	}
	reply, err := h.api.Emit(r.Context(), req, r.URL.Query().Get("wait") != "")
	respond(w, reply, err)
}

func (h *handlers) trigger(w http.ResponseWriter, r *http.Request) {
	var req TriggerRequest
	if !readJSON(w, r, &req) {
		return
	}
	reply, err := h.api.Trigger(r.Context(), r.PathValue("name"), req)
	respond(w, reply, err)
}

func (h *handlers) impact(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if len(q["req"]) == 0 {
		writeError(w, BadRequest("name at least one requirement: ?req=ID"))
		return
	}
	cites, err := h.api.Impact(r.Context(), q.Get("spec"), q["req"])
	respond(w, cites, err)
}

func (h *handlers) trace(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rep, err := h.api.Trace(r.Context(), q.Get("spec"), q.Get("req"))
	respond(w, rep, err)
}

func (h *handlers) specDiff(w http.ResponseWriter, r *http.Request) {
	file := r.URL.Query().Get("file")
	if file == "" {
		writeError(w, BadRequest("name the spec document: ?file=PATH"))
		return
	}
	d, err := h.api.SpecDiff(r.Context(), file)
	respond(w, d, err)
}

func (h *handlers) specAccept(w http.ResponseWriter, r *http.Request) {
	file := r.URL.Query().Get("file")
	if file == "" {
		writeError(w, BadRequest("name the spec document: ?file=PATH"))
		return
	}
	respond(w, struct {
		Accepted string `json:"accepted"`
	}{file}, h.api.SpecAccept(r.Context(), file))
}

func (h *handlers) forget(w http.ResponseWriter, r *http.Request) {
	session, err := h.api.ForgetSession(r.Context(), r.PathValue("name"))
	respond(w, ForgetReply{Session: session}, err)
}

func (h *handlers) resume(w http.ResponseWriter, r *http.Request) {
	paused, err := h.api.ResumeHook(r.Context(), r.PathValue("name"))
	respond(w, ResumeReply{Paused: paused}, err)
}

func (h *handlers) runs(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	writeJSON(w, h.api.Runs(r.Context(), r.URL.Query().Get("hook"), limit))
}

func (h *handlers) run(w http.ResponseWriter, r *http.Request) {
	run, err := h.api.Run(r.Context(), r.PathValue("id"))
	respond(w, run, err)
}

func (h *handlers) logs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	flusher, _ := w.(http.Flusher)
	follow := r.URL.Query().Get("follow") != ""
	_ = h.api.Logs(r.Context(), follow, func(line []byte) error {
		if _, err := w.Write(line); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	})
}

func (h *handlers) reload(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, h.api.Reload(r.Context()))
}

func (h *handlers) sync(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("idle") != "" {
		respond(w, struct{}{}, h.api.Idle(r.Context()))
		return
	}
	respond(w, struct{}{}, h.api.Sync(r.Context()))
}

func (h *handlers) shutdown(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, struct{}{})
	h.api.Shutdown()
}

// maxBody bounds what a request may send.
const maxBody = 1 << 20

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) { // an empty body is fine
		writeError(w, BadRequest("bad request body: "+err.Error()))
		return false
	}
	return true
}

func respond(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, v)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	// Read by hookd's own client, never embedded in a page: "a > b" stays
	// as written, and the CLI can print a reply as it came (hookd trace).
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError always encodes the error, with a fitting status.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		code := http.StatusInternalServerError
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			code = http.StatusServiceUnavailable
		}
		e = &Error{Code: code, Message: err.Error()}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code)
	_ = json.NewEncoder(w).Encode(e)
}

// isNotRunning reports whether a dial error means no daemon is there.
func isNotRunning(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) ||
		strings.Contains(err.Error(), "no such file or directory") || strings.Contains(err.Error(), "connection refused")
}

package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/hookd-dev/hookd/daemon/logfile"
	"github.com/hookd-dev/hookd/ipc"
)

// Serve is the daemon in the foreground (`hookd run`): it takes the work
// tree's socket, runs until ctx is done, and reloads its configuration on
// SIGHUP. ready is told once how starting went: "ok" once it watches,
// "running" when another daemon has the socket, or "error: ..."; `hookd
// start` waits on it.
func Serve(ctx context.Context, opts Options, ready func(string)) error {
	socket := ipc.SocketPath(opts.Repo.Root)
	ln, err := ipc.Listen(socket)
	if errors.Is(err, ipc.ErrRunning) {
		ready("running")
		return fmt.Errorf("hookd is already running for %s (socket %s)", opts.Repo.Root, socket)
	}
	if err != nil {
		ready("error: " + err.Error())
		return err
	}
	if dir, taken := ipc.SharedDirTaken(os.TempDir()); taken && strings.HasPrefix(socket, ipc.PrivateSocketDir()) {
		ln.Note = "the shared socket directory " + dir + " is not yours (another user made it first); the socket is in your state directory instead"
	}
	opts.Listener = ln
	d := New(opts)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		readyC := d.Ready()
		for {
			select {
			case <-hup:
				d.Reload(ctx)
			case <-readyC:
				ready("ok")
				readyC = nil // closed for good: once is enough
			case <-ctx.Done():
				return
			}
		}
	}()
	return d.Run(ctx)
}

// Foreground is how `hookd run` is set up around Serve.
type Foreground struct {
	// LogFile, when set, is where the log goes, rotated
	// (logfile.DefaultMaxSize, logfile.DefaultKeep); else Stderr.
	LogFile   string
	Stderr    io.Writer
	LogFormat string
	Verbose   bool
	// CPUProfile, when set, is a new file for a CPU profile of the run.
	CPUProfile string
	// ReadyFD, when above 0, is told how starting went (see Serve), for
	// `hookd start`, which waits on it.
	ReadyFD int
}

// ServeForeground sets up the log, the profile and the ready pipe as f
// says, then Serves. opts.Log is made here. A bad f.LogFormat is
// logfile.ErrFormat.
func ServeForeground(ctx context.Context, opts Options, f Foreground) error {
	if f.CPUProfile != "" {
		out, err := os.OpenFile(f.CPUProfile, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	w := f.Stderr
	if f.LogFile != "" {
		lf, err := logfile.Open(f.LogFile, logfile.DefaultMaxSize, logfile.DefaultKeep)
		if err != nil {
			return err
		}
		defer lf.Close()
		w = lf
	}
	log, err := logfile.Logger(w, f.LogFormat, f.Verbose)
	if err != nil {
		return err
	}
	opts.Log = log
	ready := func(string) {}
	if f.ReadyFD > 0 {
		pipe := os.NewFile(uintptr(f.ReadyFD), "ready")
		ready = func(msg string) { fmt.Fprintln(pipe, msg); pipe.Close() }
	}
	return Serve(ctx, opts, ready)
}

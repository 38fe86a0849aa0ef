package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

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

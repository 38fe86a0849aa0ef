package backend

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/ipc"
)

// Launch says how to start a background daemon for a work tree.
type Launch struct {
	Repo daemon.Repo
	// Self is this binary; Args are the global flags its `run` passes on
	// (--config, --log-format, -v).
	Self string
	Args []string
	// Out gets what a person should read ("hookd started ..."); nil is
	// quiet, as when a trigger starts the daemon on its way.
	Out io.Writer
}

func (l Launch) say(format string, args ...any) {
	if l.Out != nil {
		fmt.Fprintf(l.Out, format, args...)
	}
}

// Start runs `hookd run` in the background, detached from this terminal,
// and returns once it answers. A daemon already running is not an error:
// there is one per work tree.
func Start(ctx context.Context, l Launch) error {
	repo := l.Repo
	if ipc.LockHeld(ipc.SocketPath(repo.Root)) {
		l.say("hookd is already running for %s\n", repo.Root)
		return nil
	}
	if err := os.MkdirAll(repo.StateDir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	// The log rotates (the daemon writes it itself); hookd.out takes what
	// is not a log line, such as a crash's stack, and starts afresh each
	// time.
	logPath := filepath.Join(repo.StateDir, "hookd.log")
	outFile, err := os.OpenFile(filepath.Join(repo.StateDir, "hookd.out"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("open the daemon's output file: %w", err)
	}
	defer outFile.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	args := append([]string{"run", "--repo", repo.Root, "--ready-fd", "3", "--log-file", logPath}, l.Args...)
	cmd := exec.Command(l.Self, args...)
	cmd.Dir = repo.Root
	cmd.Stdout, cmd.Stderr = outFile, outFile
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // outlive this terminal
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("start daemon: %w", err)
	}
	w.Close()
	go cmd.Wait() // reap it if it dies early; a detached daemon outlives us

	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		answer <- strings.TrimSpace(line)
	}()
	select {
	case msg := <-answer:
		switch {
		case msg == "ok":
			l.say("hookd started for %s (pid %d, log %s)\n", repo.Root, cmd.Process.Pid, logPath)
			return nil
		case msg == "running":
			l.say("hookd is already running for %s\n", repo.Root)
			return nil
		case msg == "":
			return fmt.Errorf("the daemon exited before it was ready; see %s and hookd.out beside it", logPath)
		default:
			return fmt.Errorf("the daemon did not start: %s", strings.TrimPrefix(msg, "error: "))
		}
	case <-time.After(60 * time.Second):
		return fmt.Errorf("the daemon did not become ready within 60s; see %s", logPath)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop asks the daemon to shut down and waits until it has released its
// socket: its running hooks get SIGTERM and a grace period. A daemon that
// is not running is not an error.
func Stop(ctx context.Context, c *ipc.Client, root string, out io.Writer) error {
	l := Launch{Out: out}
	err := c.Shutdown(ctx)
	if errors.Is(err, ipc.ErrNotRunning) {
		l.say("hookd is not running for %s\n", root)
		return nil
	}
	if err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ipc.WaitUnlocked(wait, c.Socket); err != nil {
		return fmt.Errorf("the daemon did not stop within 30s: %w", err)
	}
	l.say("hookd stopped for %s\n", root)
	return nil
}

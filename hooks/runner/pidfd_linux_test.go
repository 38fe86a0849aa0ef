package runner_test

import (
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// watchGrandchild returns a job line callback and a channel that yields a
// pidfd for the grandchild once it has started.
func watchGrandchild(t *testing.T) (func(string, string), <-chan int) {
	started := make(chan int, 1)
	return func(_, line string) {
		if pid, ok := strings.CutPrefix(line, "grandchild "); ok {
			n, _ := strconv.Atoi(pid)
			fd, err := unix.PidfdOpen(n, 0)
			if err != nil {
				t.Errorf("pidfd_open(%d): %v", n, err)
				fd = -1
			}
			started <- fd
		}
	}, started
}

// exits waits for the process behind pidfd to end: the fd becomes readable
// when it does.
func exits(t *testing.T, pidfd int) bool {
	t.Helper()
	defer unix.Close(pidfd)
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 5000)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

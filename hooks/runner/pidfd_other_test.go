//go:build !linux

package runner_test

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// watchGrandchild returns a job line callback and a channel that yields
// the grandchild's pid once it has started. (Linux follows it with a
// pidfd; elsewhere its pid is polled.)
func watchGrandchild(t *testing.T) (func(string, string), <-chan int) {
	started := make(chan int, 1)
	return func(_, line string) {
		if pid, ok := strings.CutPrefix(line, "grandchild "); ok {
			n, _ := strconv.Atoi(pid)
			started <- n
		}
	}, started
}

// exits reports whether the process pid ends within 5s.
func exits(t *testing.T, pid int) bool {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for {
		if syscall.Kill(pid, 0) != nil {
			return true
		}
		select {
		case <-tick.C:
		case <-deadline:
			return false
		}
	}
}

package runner

import (
	"os"

	"golang.org/x/sys/unix"
)

// pending says how many bytes wait unread in a pipe (TIOCINQ is FIONREAD).
func pending(pipe *os.File) int {
	rc, err := pipe.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = rc.Control(func(fd uintptr) {
		n, _ = unix.IoctlGetInt(int(fd), unix.TIOCINQ)
	})
	return n
}

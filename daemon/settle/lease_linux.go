package settle

import (
	"os"

	"golang.org/x/sys/unix"
)

// writerGone reports whether no process has the file open for writing. The
// kernel refuses a read lease while a writer exists (fcntl(2), F_SETLEASE),
// so taking one and dropping it at once is an exact "the save is finished"
// test: the signal IN_CLOSE_WRITE would give, which fsnotify does not
// expose. known is false where leases do not work (network file systems, a
// file we do not own); the caller then waits out the quiet period.
func writerGone(abs string) (gone, known bool) {
	f, err := os.Open(abs)
	if err != nil {
		return false, false
	}
	defer f.Close()
	fd := int(f.Fd())
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_RDLCK); err != nil {
		if err == unix.EAGAIN || err == unix.EBUSY {
			return false, true // a writer has it open
		}
		return false, false
	}
	_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_UNLCK)
	return true, true
}

package settle

import (
	"os"

	"github.com/cespare/xxhash/v2"
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

// leaseHold bounds the files read under a read lease: a writer that opens
// one meanwhile waits for the read (microseconds), never longer.
const leaseHold = 1 << 20

// hashSettled hashes a file and says whether a writer had it open
// (gone false) as far as the kernel tells (known). A small file is read
// under a read lease, which no writer can be open through: one open for
// both questions, and a hash no writer could have raced. A larger one is
// read, then asked about.
func hashSettled(abs string, fi os.FileInfo) (hash uint64, ok, gone, known bool) {
	if fi.Mode()&os.ModeSymlink != 0 || fi.Size() > leaseHold {
		hash, ok = hashFile(abs, fi)
		gone, known = writerGone(abs)
		return hash, ok, gone, known
	}
	// Raw descriptors: an *os.File would register with the poller (and be
	// refused, for a regular file) and allocate, for each of a burst's
	// thousands of files. Non-blocking: a FIFO swapped in since the stat
	// must not hang us.
	fd, err := unix.Open(abs, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, false, false, false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return 0, false, false, false
	}
	leased := false
	switch _, err := unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_RDLCK); {
	case err == nil:
		leased, gone, known = true, true, true
	case err == unix.EAGAIN || err == unix.EBUSY:
		known = true // a writer has it open
	}
	hash, ok = hashFD(fd)
	if leased {
		_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_UNLCK)
	}
	return hash, ok, gone, known
}

// hashFD hashes what is left to read of fd.
func hashFD(fd int) (uint64, bool) {
	h := xxhash.New()
	var buf [32 << 10]byte
	for {
		n, err := unix.Read(fd, buf[:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, false
		case n == 0:
			return h.Sum64(), true
		}
		h.Write(buf[:n])
	}
}

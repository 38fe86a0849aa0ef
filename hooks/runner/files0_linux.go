//go:build linux

package runner

import (
	"os"

	"golang.org/x/sys/unix"
)

// newFiles0 keeps the list in memory (memfd), given to the command as fd
// 3: nothing is written to a file system on the way to the fork, and
// nothing is left behind. Each open of /dev/fd/3 starts at the beginning,
// so the command may read it more than once.
func newFiles0(data []byte) (files0, error) {
	fd, err := unix.MemfdCreate("hookd-files0", unix.MFD_CLOEXEC)
	if err != nil {
		return newTempFiles0(data)
	}
	f := os.NewFile(uintptr(fd), "hookd-files0")
	if _, err := f.Write(data); err != nil {
		f.Close()
		return files0{}, err
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return files0{}, err
	}
	return files0{path: "/dev/fd/3", file: f, close: func() { f.Close() }}, nil
}

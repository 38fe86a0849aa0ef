// Package logfile is the daemon's log on disk: a file that rotates by
// size, keeping a few old ones (hookd.log, hookd.log.1, …), so that a
// daemon that runs for months never fills the disk. It never writes
// through a symlink.
package logfile

import (
	"fmt"
	"os"
	"sync"
	"syscall"
)

// Defaults: 10 MiB a file, three old files kept.
const (
	DefaultMaxSize = 10 << 20
	DefaultKeep    = 3
)

// File is a size-rotated log file. It is safe for concurrent use.
type File struct {
	path    string
	maxSize int64
	keep    int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// Open opens (creating) the log at path for appending. Once a write would
// take it past maxSize bytes it is renamed path.1 (path.1 becomes path.2,
// and so on, keeping keep old files) and a new one is started.
func Open(path string, maxSize int64, keep int) (*File, error) {
	l := &File{path: path, maxSize: maxSize, keep: keep}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *File) open() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("logfile: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("logfile: %w", err)
	}
	l.f, l.size = f, fi.Size()
	return nil
}

// Write appends p, rotating first when p would not fit.
func (l *File) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.maxSize {
		if err := l.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotate shifts the old files up by one and starts a new file. mu is held.
func (l *File) rotate() error {
	l.f.Close()
	l.f = nil
	os.Remove(fmt.Sprintf("%s.%d", l.path, l.keep))
	for i := l.keep - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", l.path, i), fmt.Sprintf("%s.%d", l.path, i+1))
	}
	if l.keep > 0 {
		os.Rename(l.path, l.path+".1")
	} else {
		os.Remove(l.path)
	}
	return l.open()
}

// Close closes the file.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Package safefile reads and writes the files hookd handles on a user's
// behalf, so that a crafted repository cannot turn them against the user.
//
// # Reading
//
// Every file hookd reads (config, Kiro hooks, steering, spec documents,
// .gitignore files, the trust store) goes through [Read] or [ReadInside]:
// the file is opened without blocking (a FIFO cannot hang the daemon),
// checked to be a regular file (a symlink to /dev/zero is refused, not read
// forever), and read through a size cap, so a huge file is a clear
// [TooLargeError] rather than an out-of-memory death. [ReadInside] also
// keeps the read inside a directory: a symlink that leads out of the
// repository, or into its .git directory, is refused.
//
// # Writing
//
// [Write] never writes through a symlink: a target that is a symlink is
// refused, and the new contents go to a temporary file in the same
// directory that is synced and renamed over the target, so a crash leaves
// the old file or the new one, never half of one. [WriteInside] also keeps
// the target inside a directory.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// TooLargeError is a file over the size cap of what reads it.
type TooLargeError struct {
	Path  string
	Size  int64
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: too large (%d bytes, limit %d)", e.Path, e.Size, e.Limit)
}

// ErrNotRegular is returned for a path that is not a regular file: a
// directory, a device, a FIFO, a socket.
var ErrNotRegular = errors.New("safefile: not a regular file")

// ErrOutside is returned for a path that leads outside the directory it
// must stay in.
var ErrOutside = errors.New("safefile: outside the directory it must stay in")

// ErrSymlink is returned when the target of a write is a symlink.
var ErrSymlink = errors.New("safefile: the target is a symlink; hookd never writes through one")

// Open opens the regular file at path (symlinks followed) for reading as
// a stream: a FIFO does not hang it, and a device or directory is
// ErrNotRegular, wrapped with the path. The caller bounds what it reads.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(fi.Mode()))
	}
	return f, nil
}

// Read reads the regular file at path (symlinks followed), at most limit
// bytes. A larger file is a *TooLargeError; anything but a regular file is
// ErrNotRegular, wrapped with the path.
func Read(path string, limit int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer forever. It has no effect on regular files.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(fi.Mode()))
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: fi.Size(), Limit: limit}
	}
	// The size can grow between the stat and the read: read one byte more
	// than the cap to tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// ReadHead reads at most n bytes of the regular file at path, and says
// whether there was more: for inlining the start of a file of any size.
func ReadHead(path string, n int64) (data []byte, more bool, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return nil, false, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(fi.Mode()))
	}
	data, err = io.ReadAll(io.LimitReader(f, n+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > n {
		return data[:n], true, nil
	}
	return data, false, nil
}

// ReadTail reads at most the last n bytes of the regular file at path: the
// end of a log of any size.
func ReadTail(path string, n int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(fi.Mode()))
	}
	if off := fi.Size() - n; off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return nil, err
		}
	}
	return io.ReadAll(io.LimitReader(f, n))
}

// Inside resolves rel (a slash-separated path relative to root) with its
// symlinks, and returns the real path when it stays inside root and out of
// root's .git directory. root must be absolute.
func Inside(root, rel string) (string, error) {
	if filepath.IsAbs(rel) || filepath.IsAbs(filepath.FromSlash(rel)) {
		return "", fmt.Errorf("%s: %w (an absolute path)", rel, ErrOutside)
	}
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", fmt.Errorf("%s: %w", rel, ErrOutside)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	p, err := filepath.EvalSymlinks(filepath.Join(realRoot, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	r, err := filepath.Rel(realRoot, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: %w", rel, ErrOutside)
	}
	if first, _, _ := strings.Cut(filepath.ToSlash(r), "/"); first == ".git" {
		return "", fmt.Errorf("%s: %w (inside .git)", rel, ErrOutside)
	}
	return p, nil
}

// ReadInside reads root/rel when it resolves, symlinks followed, to a
// regular file inside root and outside root/.git, at most limit bytes.
func ReadInside(root, rel string, limit int64) ([]byte, error) {
	p, err := Inside(root, rel)
	if err != nil {
		return nil, err
	}
	return Read(p, limit)
}

// Write replaces the file at path with data, never through a symlink: a
// symlink at path is refused with ErrSymlink. The data goes to a new file
// in the same directory, is synced, and is renamed over path; the
// directory is synced after, so the change survives a crash.
func Write(path string, data []byte, perm fs.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc is Write of what fn writes: for a file too big to hold in
// memory first.
func WriteFunc(path string, perm fs.FileMode, fn func(io.Writer) error) error {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: %w", path, ErrSymlink)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(fi.Mode()))
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := fn(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	return syncDir(dir)
}

// WriteInside is Write for root/rel, when rel's directory resolves inside
// root (and out of root/.git).
func WriteInside(root, rel string, data []byte, perm fs.FileMode) error {
	dir, base := filepath.Split(filepath.FromSlash(rel))
	if base == "" || base == "." || base == ".." {
		return fmt.Errorf("%s: not a file name", rel)
	}
	realDir := root
	if dir != "" {
		p, err := Inside(root, filepath.ToSlash(filepath.Clean(dir)))
		if err != nil {
			return err
		}
		realDir = p
	} else if p, err := filepath.EvalSymlinks(root); err == nil {
		realDir = p
	}
	return Write(filepath.Join(realDir, base), data, perm)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the rename stands.
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

//go:build linux

package watch

import (
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dirent is one entry of a directory: its name, and whether it is a
// directory.
type dirent struct {
	name string
	dir  bool
}

// readDir lists a directory straight from getdents64: the name and type
// of each entry, without the os.DirEntry that os.ReadDir makes for every
// file and that is garbage at once (on a tree of half a million files,
// tens of megabytes). buf and out are the caller's, reused from one
// directory to the next. Entries of unknown type (some file systems report
// none) are asked for with lstat.
func readDir(path string, buf []byte, out []dirent) ([]dirent, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	out = out[:0]
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return out, err
		}
		if n <= 0 {
			return out, nil
		}
		for off := 0; off < n; {
			// struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; }
			rec := buf[off:n]
			if len(rec) < 19 {
				return out, nil
			}
			reclen := int(*(*uint16)(unsafe.Pointer(&rec[16])))
			if reclen < 19 || reclen > len(rec) {
				return out, nil
			}
			typ := rec[18]
			name := rec[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			off += reclen
			if len(name) == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			e := dirent{name: string(name), dir: typ == unix.DT_DIR}
			if typ == unix.DT_UNKNOWN {
				if fi, err := os.Lstat(filepath.Join(path, e.name)); err == nil {
					e.dir = fi.IsDir()
				}
			}
			out = append(out, e)
		}
	}
}

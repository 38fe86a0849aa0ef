package main

import (
	"io/fs"
	"log"
	"os/exec"
	"path/filepath"
	"syscall"
)

// floorWatch is the floor process: watch every directory of tree, then
// run sh -c 'echo x > "$FIFO"' for each read of events.
func floorWatch(tree string) {
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC)
	check(err)
	mask := uint32(syscall.IN_CLOSE_WRITE | syscall.IN_CREATE | syscall.IN_MOVED_TO | syscall.IN_DELETE | syscall.IN_MODIFY)
	check(filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_, err = syscall.InotifyAddWatch(fd, p, mask)
		}
		return err
	}))
	buf := make([]byte, 64<<10)
	for {
		if _, err := syscall.Read(fd, buf); err != nil {
			log.Fatal(err)
		}
		cmd := exec.Command("/bin/sh", "-c", `echo x > "$FIFO"`)
		check(cmd.Start())
		go cmd.Wait()
	}
}

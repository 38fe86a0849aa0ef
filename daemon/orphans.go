package daemon

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// endOrphans ends what a crashed daemon's run left running: the processes
// of its process group pgid. A pid may have been reused since, so only
// processes whose environment carries that run's HOOKD_RUN_ID are
// signalled. It returns how many were.
func endOrphans(pgid int, runID string) int {
	if pgid <= 0 {
		return 0
	}
	mark := []byte("HOOKD_RUN_ID=" + runID + "\x00")
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	n := 0
	for _, stat := range stats {
		data, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// The fields after the command name: state, ppid, pgrp, …
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(fields) < 3 || fields[2] != strconv.Itoa(pgid) {
			continue
		}
		dir := filepath.Dir(stat)
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !bytes.Contains(append(env, 0), mark) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(dir))
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			n++
		}
	}
	return n
}

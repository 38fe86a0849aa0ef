package daemon

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// endOrphans ends what the runs of a daemon that died (a crash, kill -9)
// left running in the work tree at root, and returns how many processes of
// each run it ended. Holding the work tree's lock, every live process whose
// environment says it belongs to a run in this work tree (HOOKD_REPO, and a
// HOOKD_RUN_ID not of this daemon's scheduler, whose ids carry mine) is such
// an orphan, whether or not the run's start reached the journal. A process
// that started a session of its own (setsid) meant to outlive its run, as
// it may in a normal run, and is left alone.
func endOrphans(root, mine string) map[string]int {
	ended := map[string]int{}
	repo := []byte("\x00HOOKD_REPO=" + root + "\x00")
	self := os.Getpid()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range stats {
		dir := filepath.Dir(stat)
		pid, _ := strconv.Atoi(filepath.Base(dir))
		if pid == self {
			continue
		}
		data, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// The fields after the command name: state, ppid, pgrp, session, …
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(fields) < 4 || fields[0] == "Z" || fields[3] == strconv.Itoa(pid) {
			continue
		}
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil {
			continue
		}
		env = append(append([]byte{0}, env...), 0)
		if !bytes.Contains(env, repo) {
			continue
		}
		_, rest, ok := bytes.Cut(env, []byte("\x00HOOKD_RUN_ID="))
		if !ok {
			continue
		}
		id, _, _ := bytes.Cut(rest, []byte{0})
		if strings.Contains(string(id), mine) {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			ended[string(id)]++
		}
	}
	return ended
}

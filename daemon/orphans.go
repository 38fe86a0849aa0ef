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
// an orphan, whether or not the run's start reached the journal; so is every
// process whose parent is one (an agent's tool may clear its command's
// environment).
//
// A process that started a session of its own (setsid) is one too while
// its parent is: agent CLIs start their tools' shells that way (claude's
// Bash tool, node's detached children), and a run cut off by the crash
// runs again, so what it started must not run twice. One whose parent has
// already exited, re-parented, detached to outlive its run, as it may in a
// normal run, and is left alone.
func endOrphans(root, mine string) map[string]int {
	procs := processes()
	repo := []byte("\x00HOOKD_REPO=" + root + "\x00")
	self := os.Getpid()
	// run is the run each orphan belongs to, by pid.
	run := map[int]string{}
	for pid, p := range procs {
		if pid == self || p.zombie {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
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
		if !strings.Contains(string(id), mine) {
			run[pid] = string(id)
		}
	}
	// A session leader is an orphan only through its parent, and a child
	// through its parent too: settle it until nothing changes (chains are
	// short).
	orphan := map[int]string{}
	for changed := true; changed; {
		changed = false
		for pid, p := range procs {
			if _, done := orphan[pid]; done || pid == self || p.zombie {
				continue
			}
			parent, fromParent := orphan[p.ppid]
			id, own := run[pid]
			switch {
			case own && (!p.leader || fromParent):
			case fromParent:
				id = parent
			default:
				continue
			}
			orphan[pid], changed = id, true
		}
	}
	ended := map[string]int{}
	for pid, id := range orphan {
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			ended[id]++
		}
	}
	return ended
}

// proc is what endOrphans reads of a process.
type proc struct {
	ppid   int
	leader bool // of its own session (setsid)
	zombie bool
}

// processes reads every process's parent and session from /proc, at one
// moment: killing one re-parents its children, so the tree is read first.
func processes() map[int]proc {
	out := map[int]proc{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range stats {
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(stat)))
		data, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// The fields after the command name: state, ppid, pgrp, session, …
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(fields) < 4 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		out[pid] = proc{ppid: ppid, leader: fields[3] == strconv.Itoa(pid), zombie: fields[0] == "Z"}
	}
	return out
}

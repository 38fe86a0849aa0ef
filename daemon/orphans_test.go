package daemon

import (
	"bufio"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// started runs script under sh with a run's environment in the work tree
// root, and returns it with the pids it prints, one a line, first.
func started(t *testing.T, root, run, script string, lines int) (*exec.Cmd, []int) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOOKD_REPO=" + root, "HOOKD_RUN_ID=" + run}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pids []int
	r := bufio.NewReader(out)
	for range lines {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || pid <= 1 {
			t.Fatalf("not a pid: %q", line) // kill(0) would end the test's own group
		}
		pids = append(pids, pid)
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, pids
}

// What a run of a daemon that died left running is ended: the run's
// process, a shell it started in a session of its own (as claude's Bash
// tool and node's detached children are), and a child whose environment
// was cleared. A process that detached and whose parent had exited
// already (re-parented: meant to outlive its run) and a process of this
// daemon's own runs are left alone.
func TestEndOrphans(t *testing.T) {
	root := t.TempDir()
	agent, _ := started(t, root, "20260101T000000-dead1",
		`setsid sleep 300 & echo $!; env -i sleep 300 & echo $!; exec sleep 300`, 2)
	detacher, detached := started(t, root, "20260101T000000-dead2",
		`setsid sh -c 'echo $$; exec sleep 300' &`, 1)
	if err := detacher.Wait(); err != nil { // its child is re-parented now
		t.Fatal(err)
	}
	ours, _ := started(t, root, "20260101T000000-mine7", `echo $$; exec sleep 300`, 1)
	other, _ := started(t, t.TempDir(), "20260101T000000-dead3", `echo $$; exec sleep 300`, 1)

	ended := endOrphans(root, "-mine")
	if n := ended["20260101T000000-dead1"]; n != 3 {
		t.Errorf("ended %d processes of the cut-off run, want 3 (it, its setsid shell, its child without the environment): %v", n, ended)
	}
	if len(ended) != 1 {
		t.Errorf("ended processes of other runs: %v", ended)
	}
	if err := agent.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the run's process: %v, want killed", err)
	}
	for _, pid := range append(detached, ours.Process.Pid, other.Process.Pid) {
		if err := syscall.Kill(pid, 0); err != nil {
			t.Errorf("process %d was ended: %v", pid, err)
		}
	}
}

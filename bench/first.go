package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// started is what a watcher did from its exec on the tree: when it first
// acted on a change made from the moment of exec, its peak memory over the
// start (index included), and its CPU while idle after.
type started struct {
	first   time.Duration // exec → the first run of the command for the probe
	ready   time.Duration // hookd's own ready_in, or 0
	settled time.Duration // exec → quiet (the index complete, in the background)
	hwm     int64         // VmHWM once quiet
	cpu     float64       // idle CPU after, percent of one core
	missing string
}

// probeDir is where the probe file is written: a directory in the middle
// of the tree, neither the first nor the last a walk reaches.
func probeDir(tree string, dirs int) string {
	var chain []string // from the directory up to the root's child
	for i := dirs / 2; i > 0; i = (i - 1) / 10 {
		chain = append(chain, "d"+strconv.Itoa(i))
	}
	d := tree
	for i := len(chain) - 1; i >= 0; i-- {
		d = filepath.Join(d, chain[i])
	}
	return d
}

// firstChange starts cmd and, from the moment of its exec, writes the
// probe file every 30 ms until the command's run writes to fifo. pid
// gives the process whose memory and CPU count (a server may fork).
func firstChange(cmd *exec.Cmd, probe, fifo string, pid func() int, idle time.Duration) started {
	f, err := os.OpenFile(fifo, os.O_RDWR, 0)
	check(err)
	defer f.Close()
	got := make(chan time.Time, 1)
	go func() {
		r := bufio.NewReader(f)
		if _, err := r.ReadString('\n'); err == nil {
			got <- time.Now()
		}
	}()
	var s started
	t0 := time.Now()
	check(cmd.Start())
	tick := time.NewTicker(30 * time.Millisecond)
	defer tick.Stop()
	for i := 0; s.first == 0; i++ {
		check(os.WriteFile(probe, []byte("probe "+strconv.Itoa(i)+"\n"), 0o644))
		select {
		case at := <-got:
			s.first = at.Sub(t0)
		case <-tick.C:
			if time.Since(t0) > 2*time.Minute {
				s.missing = "no run within 2 minutes"
				return s
			}
		}
	}
	p := pid()
	// The index is built in the background: quiet is two seconds without
	// CPU, and the peak counts everything until then.
	for quiet := 0; quiet < 2 && time.Since(t0) < 5*time.Minute; {
		before := cpuTicks(p)
		time.Sleep(time.Second)
		if cpuTicks(p) == before {
			quiet++
		} else {
			quiet = 0
		}
	}
	s.settled = time.Since(t0) - 2*time.Second
	s.hwm = status(p, "VmHWM:")
	s.cpu = idleCPU(p, idle)
	return s
}

// hookdFirst is hookd on the tree, first start (no saved index), a hook
// with debounce 0 on the probe.
func hookdFirst(work, bin, tree, probe string, idle time.Duration) started {
	fifo := mkfifo(work, "first-hookd.fifo")
	cfg := filepath.Join(work, "first.toml")
	check(os.WriteFile(cfg, []byte(`[[hook]]
name = "probe"
on = ["file.saved", "file.created"]
paths = ["**/probe.txt"]
debounce = "0s"
run = 'echo x > "$FIFO"'
env = { FIFO = "`+fifo+`" }
`), 0o644))
	state := filepath.Join(work, "first-state")
	check(os.RemoveAll(state))
	cmd := exec.Command(bin, "run", "--repo", tree, "--config", cfg, "--log-format", "json")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	stderr, err := cmd.StderrPipe()
	check(err)
	readyIn := make(chan time.Duration, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec struct {
				Msg     string        `json:"msg"`
				ReadyIn time.Duration `json:"ready_in"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "watching" {
				readyIn <- rec.ReadyIn
			}
		}
	}()
	defer stop(cmd)
	s := firstChange(cmd, probe, fifo, func() int { return cmd.Process.Pid }, idle)
	select {
	case s.ready = <-readyIn:
	default:
	}
	return s
}

// floorFirst is the least a watcher can do: the bench itself, re-run as a
// process of its own that adds an inotify watch per directory, then spawns
// the command once per read.
func floorFirst(work, tree, probe string) started {
	fifo := mkfifo(work, "first-floor.fifo")
	self, err := os.Executable()
	check(err)
	cmd := exec.Command(self, "-floor-watch", tree)
	cmd.Env = append(os.Environ(), "FIFO="+fifo)
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	return firstChange(cmd, probe, fifo, func() int { return cmd.Process.Pid }, 0)
}

// inotifywaitFirst is `inotifywait -m -r TREE | while read; do CMD; done`.
func inotifywaitFirst(work, tree, probe string) started {
	if _, err := exec.LookPath("inotifywait"); err != nil {
		return started{missing: "not installed"}
	}
	fifo := mkfifo(work, "first-inw.fifo")
	cmd := exec.Command("sh", "-c", `inotifywait -m -r -q -e close_write --format '%w%f' "$TREE" | while read -r f; do sh -c 'echo x > "$FIFO"'; done`)
	cmd.Env = append(os.Environ(), "TREE="+tree, "FIFO="+fifo)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() }()
	return firstChange(cmd, probe, fifo, func() int { return childNamed(cmd.Process.Pid, "inotifywait") }, 0)
}

// watchmanFirst is a fresh Watchman server asked to watch the tree and to
// trigger on the probe (settle 1 ms, as for latency), all from one exec of
// a shell: the server starts with the first watchman command.
func watchmanFirst(work, tree, probe string, idle time.Duration) started {
	if _, err := exec.LookPath("watchman"); err != nil {
		return started{missing: "not installed"}
	}
	fifo := mkfifo(work, "first-wm.fifo")
	state := filepath.Join(work, "wm-first")
	check(os.RemoveAll(state))
	check(os.MkdirAll(state, 0o700))
	check(os.WriteFile(filepath.Join(tree, ".watchmanconfig"), []byte(`{"settle": 1}`), 0o644))
	defer os.Remove(filepath.Join(tree, ".watchmanconfig"))
	flags := fmt.Sprintf("--sockname=%s/sock --statefile=%s/state --logfile=%s/log --pidfile=%s/pid --no-save-state", state, state, state, state)
	trigger, _ := json.Marshal([]any{"trigger", tree, map[string]any{
		"name": "probe", "expression": []any{"name", "probe.txt"},
		"command": []string{"sh", "-c", `echo x > "$FIFO"`}, "stdin": "/dev/null",
	}})
	cmd := exec.Command("sh", "-c", `watchman $FLAGS watch "$TREE" >/dev/null && echo "$TRIGGER" | watchman $FLAGS -j >/dev/null`)
	cmd.Env = append(os.Environ(), "FLAGS="+flags, "TREE="+tree, "TRIGGER="+string(trigger), "FIFO="+fifo)
	defer func() { _ = exec.Command("sh", "-c", "watchman "+flags+" shutdown-server").Run() }()
	return firstChange(cmd, probe, fifo, func() int {
		data, err := os.ReadFile(filepath.Join(state, "pid"))
		check(err)
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		check(err)
		return pid
	}, idle)
}

// childNamed finds the process named name among the descendants of pid,
// waiting for it to appear.
func childNamed(pid int, name string) int {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		procs, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, p := range procs {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			s := string(data)
			comm := s[strings.IndexByte(s, '(')+1 : strings.LastIndexByte(s, ')')]
			fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
			if comm == name && descends(fields, pid) {
				n, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
				return n
			}
		}
	}
	log.Fatalf("no %s under %d", name, pid)
	return 0
}

// descends reports whether a process whose stat fields (after the name)
// are given has pid as its parent or its process group.
func descends(fields []string, pid int) bool {
	ppid, _ := strconv.Atoi(fields[1])
	pgrp, _ := strconv.Atoi(fields[2])
	return ppid == pid || pgrp == pid
}

// status reads one figure of /proc/PID/status, in bytes.
func status(pid int, key string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

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

// peer is a file watcher hookd is compared with, run the way its users
// run it to start a command on a save.
type peer struct {
	name    string
	latency []time.Duration
	start   started // on the tree, from exec
	burst   burstResult
	missing string // why it was not measured
}

// inotifywait: `inotifywait -m | while read; do sh -c CMD; done`, the
// classic shell watcher.
func benchInotifywait(work string, n int) peer {
	p := peer{name: "inotifywait"}
	if _, err := exec.LookPath("inotifywait"); err != nil {
		p.missing = "not installed (bench/run.sh installs inotify-tools)"
		return p
	}
	dir := filepath.Join(work, "inw")
	check(os.MkdirAll(dir, 0o755))
	fifo := mkfifo(work, "inw.fifo")
	cmd := exec.Command("sh", "-c", `inotifywait -m -q -e close_write --format '%w%f' "$DIR" | while read -r f; do sh -c 'echo x > "$FIFO"'; done`)
	cmd.Env = append(os.Environ(), "DIR="+dir, "FIFO="+fifo)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	check(cmd.Start())
	waitWatching(dir, fifo)
	p.latency = measure(filepath.Join(dir, "f.txt"), fifo, n)
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
	return p
}

// waitWatching writes a probe until the watcher answers on the FIFO, so
// that sampling starts once it really watches.
func waitWatching(dir, fifo string) {
	f, err := os.OpenFile(fifo, os.O_RDWR, 0)
	check(err)
	defer f.Close()
	got := make(chan struct{})
	go func() {
		r := bufio.NewReader(f)
		_, _ = r.ReadString('\n')
		close(got)
	}()
	for i := 0; ; i++ {
		check(os.WriteFile(filepath.Join(dir, "probe.txt"), []byte(strconv.Itoa(i)), 0o644))
		select {
		case <-got:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Watchman 4.9: a trigger with settle = 1 ms (.watchmanconfig), on a
// server of its own.
func benchWatchman(work string, n int) peer {
	p := peer{name: "watchman (settle 1 ms)"}
	if _, err := exec.LookPath("watchman"); err != nil {
		p.missing = "not installed (bench/run.sh installs watchman)"
		return p
	}
	state := filepath.Join(work, "watchman")
	check(os.MkdirAll(state, 0o700))
	fifo := mkfifo(work, "wm.fifo")
	sock := filepath.Join(state, "sock")
	wm := func(args ...string) *exec.Cmd {
		cmd := exec.Command("watchman", append([]string{"--sockname=" + sock, "--statefile=" + filepath.Join(state, "state"),
			"--logfile=" + filepath.Join(state, "log"), "--pidfile=" + filepath.Join(state, "pid"), "--no-save-state"}, args...)...)
		cmd.Env = append(os.Environ(), "FIFO="+fifo)
		return cmd
	}
	jsonCmd := func(v any) ([]byte, error) {
		cmd := wm("-j")
		in, _ := json.Marshal(v)
		cmd.Stdin = strings.NewReader(string(in))
		return cmd.CombinedOutput()
	}
	defer func() { _ = wm("shutdown-server").Run() }()

	dir := filepath.Join(work, "wmdir")
	check(os.MkdirAll(dir, 0o755))
	check(os.WriteFile(filepath.Join(dir, ".watchmanconfig"), []byte(`{"settle": 1}`), 0o644))
	if out, err := wm("watch", dir).CombinedOutput(); err != nil {
		p.missing = fmt.Sprintf("watchman watch: %v: %s", err, out)
		return p
	}
	if out, err := jsonCmd([]any{"trigger", dir, map[string]any{
		"name": "stamp", "expression": []any{"anyof", []any{"name", "f.txt"}, []any{"name", "probe.txt"}},
		"command": []string{"sh", "-c", `echo x > "$FIFO"`}, "stdin": "/dev/null",
	}}); err != nil {
		p.missing = fmt.Sprintf("watchman trigger: %v: %s", err, out)
		return p
	}
	waitWatching(dir, fifo)
	p.latency = measure(filepath.Join(dir, "f.txt"), fifo, n)
	return p
}

// idleCPU is the CPU a process uses over d, in percent of one core.
func idleCPU(pid int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	before := cpuTicks(pid)
	time.Sleep(d)
	const hz = 100 // USER_HZ
	return float64(cpuTicks(pid)-before) / hz / d.Seconds() * 100
}

// burstResult is what a burst of writes made a watcher do.
type burstResult struct {
	runs    int
	exact   bool          // every path came exactly once
	last    time.Duration // from the last write to the start of the last run
	cpu     time.Duration // CPU the watcher used for it (its own process, not the runs)
	missing string
}

// writeBurst writes n files into 100 new directories of dir, as fast as
// a loop can, and returns when the last was written.
func writeBurst(dir string, n int) time.Time {
	for i := range n {
		d := filepath.Join(dir, "g"+strconv.Itoa(i%100))
		if i < 100 {
			check(os.MkdirAll(d, 0o755))
		}
		check(os.WriteFile(filepath.Join(d, "f"+strconv.Itoa(i)+".txt"), []byte("x"), 0o644))
	}
	return time.Now()
}

// collect waits until the runs recorded in out (NAME.start when a run
// starts, NAME.list when it has read its batch) name n distinct paths,
// then judges them, and the CPU pid used since cpu0.
func collect(out string, n int, last time.Time, pid int, cpu0 int64, paths func(data []byte) []string) burstResult {
	var r burstResult
	tally := func() map[string]int {
		seen := map[string]int{}
		lists, _ := filepath.Glob(filepath.Join(out, "*.list"))
		var end time.Time
		for _, l := range lists {
			data, err := os.ReadFile(l)
			check(err)
			for _, p := range paths(data) {
				seen[p]++
			}
			if fi, err := os.Stat(strings.TrimSuffix(l, ".list") + ".start"); err == nil && fi.ModTime().After(end) {
				end = fi.ModTime()
			}
		}
		r.runs, r.last = len(lists), end.Sub(last)
		return seen
	}
	for deadline := last.Add(60 * time.Second); time.Now().Before(deadline) && len(tally()) < n; {
		time.Sleep(20 * time.Millisecond)
	}
	r.cpu = time.Duration(cpuTicks(pid)-cpu0) * 10 * time.Millisecond
	time.Sleep(time.Second) // a run still coming would be a duplicate
	seen := tally()
	r.exact = len(seen) == n
	for _, c := range seen {
		if c != 1 {
			r.exact = false
		}
	}
	if !r.exact {
		log.Printf("burst: %d distinct paths of %d", len(seen), n)
	}
	return r
}

// burst writes n files at once into a tree hookd watches with a
// default-debounce hook.
func burst(work, bin string, n int) burstResult {
	repo := filepath.Join(work, "burst")
	check(os.MkdirAll(repo, 0o755))
	out := filepath.Join(work, "burst.out")
	check(os.MkdirAll(out, 0o755))
	cfg := filepath.Join(work, "burst.toml")
	check(os.WriteFile(cfg, []byte(`
[[hook]]
name = "all"
on = "file.*"
run = 'touch "$OUT/$HOOKD_RUN_ID.start" && cat > "$OUT/$HOOKD_RUN_ID.json" && mv "$OUT/$HOOKD_RUN_ID.json" "$OUT/$HOOKD_RUN_ID.list"'
env = { OUT = "`+out+`" }
`), 0o644))
	cmd, _ := startDaemon(bin, repo, cfg, work)
	defer stop(cmd)
	cpu0 := cpuTicks(cmd.Process.Pid)
	last := writeBurst(repo, n)
	return collect(out, n, last, cmd.Process.Pid, cpu0, func(data []byte) []string {
		var batch struct{ Files []struct{ Path string } }
		check(json.Unmarshal(data, &batch))
		var out []string
		for _, f := range batch.Files {
			out = append(out, f.Path)
		}
		return out
	})
}

// watchmanBurst is the same burst under a Watchman trigger with its
// default settle, the names on the trigger's stdin.
func watchmanBurst(work string, n int) burstResult {
	if _, err := exec.LookPath("watchman"); err != nil {
		return burstResult{missing: "not installed"}
	}
	state := filepath.Join(work, "wm-burst")
	check(os.MkdirAll(state, 0o700))
	dir := filepath.Join(work, "wmburst")
	out := filepath.Join(work, "wmburst.out")
	check(os.MkdirAll(dir, 0o755))
	check(os.MkdirAll(out, 0o755))
	flags := []string{"--sockname=" + state + "/sock", "--statefile=" + state + "/state", "--logfile=" + state + "/log", "--pidfile=" + state + "/pid", "--no-save-state"}
	wm := func(stdin string, args ...string) {
		cmd := exec.Command("watchman", append(flags, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "OUT="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("watchman %v: %v: %s", args, err, b)
		}
	}
	defer wm("", "shutdown-server")
	wm("", "watch", dir)
	trigger, _ := json.Marshal([]any{"trigger", dir, map[string]any{
		"name": "all", "expression": []any{"suffix", "txt"}, "stdin": "NAME_PER_LINE",
		"command": []string{"sh", "-c", `f="$OUT/$$"; touch "$f.start" && cat > "$f.part" && mv "$f.part" "$f.list"`},
	}})
	wm(string(trigger), "-j")
	data, err := os.ReadFile(filepath.Join(state, "pid"))
	check(err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	check(err)
	cpu0 := cpuTicks(pid)
	last := writeBurst(dir, n)
	return collect(out, n, last, pid, cpu0, func(data []byte) []string {
		return strings.Fields(string(data))
	})
}

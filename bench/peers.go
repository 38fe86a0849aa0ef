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
	ready   time.Duration
	rss     int64
	cpu     float64
	missing string // why it was not measured
}

// inotifywait: `inotifywait -m | while read; do sh -c CMD; done`, the
// classic shell watcher. Start is `-r` on the tree until "Watches
// established.".
func benchInotifywait(work, tree string, n int, idle time.Duration) peer {
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

	start := time.Now()
	rec := exec.Command("inotifywait", "-m", "-r", tree)
	stderr, err := rec.StderrPipe()
	check(err)
	rec.Stdout = nil
	check(rec.Start())
	defer func() { _ = rec.Process.Kill(); _ = rec.Wait() }()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Watches established") {
			p.ready = time.Since(start)
			break
		}
		if strings.Contains(sc.Text(), "upper limit on inotify watches") {
			p.missing = "ran out of inotify watches: " + sc.Text()
			return p
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	p.rss = rss(rec.Process.Pid)
	p.cpu = idleCPU(rec.Process.Pid, idle)
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
// server of its own. Start is `watch` plus a synced query, which waits for
// the crawl.
func benchWatchman(work, tree string, n int, idle time.Duration) peer {
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

	start := time.Now()
	if out, err := wm("watch", tree).CombinedOutput(); err != nil {
		p.missing = fmt.Sprintf("watchman watch %s: %v: %s", tree, err, out)
		return p
	}
	if out, err := jsonCmd([]any{"query", tree, map[string]any{"expression": []any{"false"}, "sync_timeout": 600000}}); err != nil {
		p.missing = fmt.Sprintf("watchman query: %v: %s", err, out)
		return p
	}
	p.ready = time.Since(start)
	pidData, err := os.ReadFile(filepath.Join(state, "pid"))
	if pid, perr := strconv.Atoi(strings.TrimSpace(string(pidData))); err == nil && perr == nil {
		p.rss = rss(pid)
		p.cpu = idleCPU(pid, idle)
	}
	return p
}

// idleCPU is the CPU a process uses over d, in percent of one core.
func idleCPU(pid int, d time.Duration) float64 {
	before := cpuTicks(pid)
	time.Sleep(d)
	const hz = 100 // USER_HZ
	return float64(cpuTicks(pid)-before) / hz / d.Seconds() * 100
}

// burst writes n files at once into a watched tree and reports how many
// times the hook ran, whether every path came exactly once, and how long
// after the last write the last run ended.
func burst(work, bin string, n int) (runs int, exact bool, after time.Duration) {
	repo := filepath.Join(work, "burst")
	check(os.MkdirAll(repo, 0o755))
	out := filepath.Join(work, "burst.out")
	check(os.MkdirAll(out, 0o755))
	cfg := filepath.Join(work, "burst.toml")
	// Each run keeps the batch it got (stdin has every file) and then
	// leaves a marker, so the bench knows the run is over.
	check(os.WriteFile(cfg, []byte(`
[[hook]]
name = "all"
on = "file.*"
run = 'cat > "$OUT/$HOOKD_RUN_ID.json" && touch "$OUT/$HOOKD_RUN_ID.done"'
env = { OUT = "`+out+`" }
`), 0o644))
	cmd, _ := startDaemon(bin, repo, cfg, work)
	defer stop(cmd)
	for i := range n {
		d := filepath.Join(repo, "g"+strconv.Itoa(i%100))
		if i < 100 {
			check(os.MkdirAll(d, 0o755))
		}
		check(os.WriteFile(filepath.Join(d, "f"+strconv.Itoa(i)+".txt"), []byte("x"), 0o644))
	}
	last := time.Now()
	seen := map[string]int{}
	for deadline := last.Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		dones, _ := filepath.Glob(filepath.Join(out, "*.done"))
		clear(seen)
		var end time.Time
		for _, d := range dones {
			var batch struct{ Files []struct{ Path string } }
			data, err := os.ReadFile(strings.TrimSuffix(d, ".done") + ".json")
			check(err)
			check(json.Unmarshal(data, &batch))
			for _, f := range batch.Files {
				seen[f.Path]++
			}
			if fi, err := os.Stat(d); err == nil && fi.ModTime().After(end) {
				end = fi.ModTime()
			}
		}
		runs = len(dones)
		if len(seen) >= n {
			after = end.Sub(last)
			break
		}
	}
	exact = len(seen) == n
	for _, c := range seen {
		if c != 1 {
			exact = false
		}
	}
	if !exact {
		log.Printf("burst: %d distinct paths of %d", len(seen), n)
	}
	return runs, exact, after
}

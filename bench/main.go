// Command bench measures hookd against the floor on this machine:
//
//   - latency: from a file write to the start of the hook's command, with
//     debounce = "0s", for hookd and for the floor (raw fsnotify plus one
//     spawn of the same command per event), measured the same way;
//   - start: how long the real binary takes to watch a generated tree of
//     -dirs directories and -files files, and its resident memory then;
//   - idle: the CPU the binary uses over -idle while nothing changes;
//   - burst: -burst files written at once: how many runs, whether every
//     path came exactly once, and when the last run ended;
//   - peers: inotifywait and Watchman 4.9 measured the same ways, when
//     installed (bench/run.sh installs them from Debian).
//
// Run it from the repository root:
//
//	bench/run.sh                         # installs the peers, then t100k
//	go run ./bench                       # t100k: 10,000 dirs, 100,000 files
//	go run ./bench -dirs 50000 -files 500000 -tree /var/tmp/t500k   # t500k
//	go run ./bench -dirs 1000 -files 10000 -n 100 -peers=false
//
// A command "starts" when it writes to a FIFO the bench is blocked reading,
// so both sides pay the same spawn of /bin/sh.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/hookd-dev/hookd/ipc"
)

func main() {
	dirs := flag.Int("dirs", 10000, "directories in the generated tree")
	files := flag.Int("files", 100000, "files in the generated tree")
	n := flag.Int("n", 300, "latency samples")
	idle := flag.Duration("idle", 10*time.Second, "idle CPU sample length")
	keep := flag.String("tree", "", "where to generate the tree (default: a temporary directory)")
	peers := flag.Bool("peers", true, "measure inotifywait and Watchman too, when installed")
	burstN := flag.Int("burst", 10000, "files written at once for the burst measure (0: skip)")
	flag.Parse()
	log.SetFlags(0)

	work, err := os.MkdirTemp("", "hookd-bench-")
	check(err)
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "hookd")
	build := exec.Command("go", "build", "-o", bin, "./cmd/hookd")
	build.Stderr = os.Stderr
	check(build.Run())

	floor := latencyFloor(work, *n)
	ours := latencyHookd(work, bin, *n)
	statusCLI, emitCLI, statusRT := daemonCalls(work, bin, 100)

	tree := *keep
	if tree == "" {
		tree = filepath.Join(work, "tree")
	}
	genTree(tree, *dirs, *files)
	ready, rss, cpu, settled := startAndIdle(work, bin, tree, *idle)
	var runs int
	var exact bool
	var after time.Duration
	if *burstN > 0 {
		runs, exact, after = burst(work, bin, *burstN)
	}
	var others []peer
	if *peers {
		others = []peer{benchInotifywait(work, tree, *n, *idle), benchWatchman(work, tree, *n, *idle)}
	}

	fmt.Printf("\nhookd bench on %s (%d cores), tree of %d dirs / %d files\n\n", hostname(), numCPU(), *dirs, *files)
	head, rule := "| measure | hookd | floor |", "|---|---|---|"
	for _, p := range others {
		head += " " + p.name + " |"
		rule += "---|"
	}
	fmt.Println(head)
	fmt.Println(rule)
	row := func(name, ours, floor string, of func(peer) string) {
		line := "| " + name + " | " + ours + " | " + floor + " |"
		for _, p := range others {
			switch {
			case p.missing != "":
				line += " — |"
			default:
				line += " " + of(p) + " |"
			}
		}
		fmt.Println(line)
	}
	lat := func(q int) func(peer) string {
		return func(p peer) string {
			if len(p.latency) == 0 {
				return "—"
			}
			return ms(pct(p.latency, q))
		}
	}
	row("write → command start, p50", ms(pct(ours, 50)), ms(pct(floor, 50)), lat(50))
	row("write → command start, p99", ms(pct(ours, 99)), ms(pct(floor, 99)), lat(99))
	row("ready on the tree", ms(ready), "—", func(p peer) string { return ms(p.ready) })
	row("RSS when ready", fmt.Sprintf("%.1f MB", float64(rss)/1e6), "—", func(p peer) string { return fmt.Sprintf("%.1f MB", float64(p.rss)/1e6) })
	row("file index complete in the background, after ready", ms(settled), "—", func(peer) string { return "—" })
	row(fmt.Sprintf("CPU while idle for %s", *idle), fmt.Sprintf("%.2f%%", cpu), "—", func(p peer) string { return fmt.Sprintf("%.2f%%", p.cpu) })
	if *burstN > 0 {
		row(fmt.Sprintf("burst of %d files: runs, every path once, last run ends after the last write", *burstN),
			fmt.Sprintf("%d runs, %v, %s", runs, map[bool]string{true: "yes", false: "NO"}[exact], ms(after)), "—", func(peer) string { return "—" })
	}
	for _, p := range others {
		if p.missing != "" {
			fmt.Printf("\n%s: %s\n", p.name, p.missing)
		}
	}
	fmt.Println()
	fmt.Printf("| CLI | hookd |\n|---|---|\n")
	fmt.Printf("| `hookd status` (cold CLI process), p50 | %s |\n", ms(pct(statusCLI, 50)))
	fmt.Printf("| `hookd emit` (cold CLI process), p50 | %s |\n", ms(pct(emitCLI, 50)))
	fmt.Printf("| status round trip over the socket (Go client), p50 | %s |\n", ms(pct(statusRT, 50)))
}

// daemonCalls times the CLI against a background daemon: what a git shim
// pays on every commit.
func daemonCalls(work, bin string, n int) (status, emit, roundTrip []time.Duration) {
	repo := filepath.Join(work, "calls")
	check(os.MkdirAll(repo, 0o755))
	check(os.WriteFile(filepath.Join(repo, "hookd.toml"), []byte("[[hook]]\nname = \"x\"\non = \"hook.manual\"\nrun = \"true\"\n"), 0o644))
	env := append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(work, "state"), "XDG_RUNTIME_DIR="+filepath.Join(work, "run"))
	run := func(args ...string) time.Duration {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = repo, env
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("hookd %v: %v\n%s", args, err, out)
		}
		return time.Since(t0)
	}
	run("start")
	defer run("stop")
	for range n {
		status = append(status, run("status", "--json"))
		emit = append(emit, run("emit", "git.commit"))
	}
	c := &ipc.Client{Socket: ipc.SocketPathIn(mustAbs(repo), filepath.Join(work, "run"), os.TempDir())}
	for range n {
		t0 := time.Now()
		_, err := c.Status(context.Background())
		check(err)
		roundTrip = append(roundTrip, time.Since(t0))
	}
	return
}

func mustAbs(p string) string {
	abs, err := filepath.EvalSymlinks(p)
	check(err)
	return abs
}

// latencyFloor measures raw fsnotify plus one spawn per event.
func latencyFloor(work string, n int) []time.Duration {
	dir := filepath.Join(work, "floor")
	check(os.MkdirAll(dir, 0o755))
	fifo := mkfifo(work, "floor.fifo")
	w, err := fsnotify.NewWatcher()
	check(err)
	defer w.Close()
	check(w.Add(dir))
	go func() {
		for ev := range w.Events {
			if ev.Has(fsnotify.Write) {
				cmd := exec.Command("/bin/sh", "-c", `echo x > "$FIFO"`)
				cmd.Env = append(os.Environ(), "FIFO="+fifo)
				_ = cmd.Start()
				go cmd.Wait()
			}
		}
	}()
	return measure(filepath.Join(dir, "f.txt"), fifo, n)
}

// latencyHookd measures the real binary with debounce = "0s".
func latencyHookd(work, bin string, n int) []time.Duration {
	repo := filepath.Join(work, "repo")
	check(os.MkdirAll(repo, 0o755))
	fifo := mkfifo(work, "hookd.fifo")
	cfg := filepath.Join(work, "latency.toml")
	check(os.WriteFile(cfg, []byte(os.Getenv("HOOKD_BENCH_EXTRA")+`
[[hook]]
name = "stamp"
on = ["file.saved", "file.created"]
debounce = "0s"
mode = "parallel"
run = 'echo x > "$FIFO"'
env = { FIFO = "`+fifo+`" }
`), 0o644))
	cmd, _ := startDaemon(bin, repo, cfg, work)
	defer stop(cmd)
	return measure(filepath.Join(repo, "f.txt"), fifo, n)
}

// measure writes target n times and times each write until the command
// writes to the FIFO.
func measure(target, fifo string, n int) []time.Duration {
	check(os.WriteFile(target, []byte("warm-up"), 0o644))
	f, err := os.OpenFile(fifo, os.O_RDWR, 0) // RDWR: never EOF between writers
	check(err)
	defer f.Close()
	r := bufio.NewReader(f)
	_, err = r.ReadString('\n')
	check(err)
	var out []time.Duration
	for i := range n {
		t0 := time.Now()
		check(os.WriteFile(target, []byte("sample "+strconv.Itoa(i)), 0o644))
		_, err := r.ReadString('\n')
		check(err)
		out = append(out, time.Since(t0))
		// Drain a second start caused by the same write, if any, before
		// the next sample.
		time.Sleep(5 * time.Millisecond)
		for r.Buffered() > 0 {
			_, _ = r.ReadString('\n')
		}
	}
	return out
}

func startDaemon(bin, repo, cfg, work string) (*exec.Cmd, *bufio.Scanner) {
	cmd := exec.Command(bin, "run", "--repo", repo, "--config", cfg, "--log-format", "json")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(work, "state"))
	stderr, err := cmd.StderrPipe()
	check(err)
	check(cmd.Start())
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "watching" {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd, sc
		}
	}
	log.Fatal("hookd exited before it was ready")
	return nil, nil
}

// startAndIdle starts the binary on the tree and reports its own
// ready_in figure, its RSS then, and its CPU over the idle period.
func startAndIdle(work, bin, tree string, idle time.Duration) (ready time.Duration, rssReady int64, cpu float64, settled time.Duration) {
	cfg := filepath.Join(work, "idle.toml")
	check(os.WriteFile(cfg, []byte("[[hook]]\nname = \"x\"\non = \"file.saved\"\nrun = \"true\"\n"), 0o644))
	cmd := exec.Command(bin, "run", "--repo", tree, "--config", cfg, "--log-format", "json")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(work, "state"))
	stderr, err := cmd.StderrPipe()
	check(err)
	check(cmd.Start())
	defer stop(cmd)
	sc := bufio.NewScanner(stderr)
	var readyAt time.Time
	for sc.Scan() {
		var rec struct {
			Msg     string        `json:"msg"`
			ReadyIn time.Duration `json:"ready_in"` // slog writes nanoseconds
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "watching" {
			ready, readyAt = rec.ReadyIn, time.Now()
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	rssReady = rss(cmd.Process.Pid)
	// The file index is taken in the background after ready; idle is
	// sampled once the daemon has gone quiet (two seconds without CPU).
	quiet := 0
	for start := time.Now(); quiet < 2 && time.Since(start) < 5*time.Minute; {
		t0 := cpuTicks(cmd.Process.Pid)
		time.Sleep(time.Second)
		if cpuTicks(cmd.Process.Pid) == t0 {
			quiet++
		} else {
			quiet = 0
		}
	}
	settled = time.Since(readyAt) - 2*time.Second
	before := cpuTicks(cmd.Process.Pid)
	time.Sleep(idle)
	after := cpuTicks(cmd.Process.Pid)
	const hz = 100 // USER_HZ
	cpu = float64(after-before) / hz / idle.Seconds() * 100
	return ready, rssReady, cpu, settled
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
}

func genTree(root string, dirs, files int) {
	if _, err := os.Stat(filepath.Join(root, ".generated")); err == nil {
		return
	}
	log.Printf("generating %d dirs and %d files in %s", dirs, files, root)
	var all []string
	all = append(all, root)
	for i := 1; i < dirs; i++ {
		parent := all[(i-1)/10] // a tree of fan-out 10
		d := filepath.Join(parent, "d"+strconv.Itoa(i))
		check(os.MkdirAll(d, 0o755))
		all = append(all, d)
	}
	for i := range files {
		d := all[i%len(all)]
		check(os.WriteFile(filepath.Join(d, "f"+strconv.Itoa(i)+".txt"), []byte("x"), 0o644))
	}
	check(os.WriteFile(filepath.Join(root, ".generated"), nil, 0o644))
}

func mkfifo(dir, name string) string {
	p := filepath.Join(dir, name)
	check(syscall.Mkfifo(p, 0o600))
	return p
}

func rss(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func cpuTicks(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(err)
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func hostname() string { h, _ := os.Hostname(); return h }

func numCPU() int {
	out, err := exec.Command("nproc").Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

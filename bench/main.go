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
//	go run ./bench -trace 10              # hookd trace, cold and with the daemon
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
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hookd-dev/hookd/ipc"
)

// options are the bench's flags.
type options struct {
	dirs, files, n int
	idle           time.Duration
	tree           string
	peers          bool
	burst          int
	floorTree      string
	startOnly      int
	agentHook      int
	trace          int
}

func parseFlags() options {
	dirs := flag.Int("dirs", 10000, "directories in the generated tree")
	files := flag.Int("files", 100000, "files in the generated tree")
	n := flag.Int("n", 300, "latency samples")
	idle := flag.Duration("idle", 10*time.Second, "idle CPU sample length")
	keep := flag.String("tree", "", "where to generate the tree (default: a temporary directory)")
	peers := flag.Bool("peers", true, "measure inotifywait and Watchman too, when installed")
	burstN := flag.Int("burst", 10000, "files written at once for the burst measure (0: skip)")
	floorTree := flag.String("floor-watch", "", "(internal) run as the floor watcher of this tree")
	startOnly := flag.Int("start-only", 0, "measure only hookd's and the floor's start, this many times each")
	agentHook := flag.Int("agent-hook", 0, "measure only hookd agent-hook (an agent's tool call to its verdict), this many times each")
	traceN := flag.Int("trace", 0, "measure only hookd trace on a 20,000-file repository with 10 specs, this many times each")
	flag.Parse()
	return options{dirs: *dirs, files: *files, n: *n, idle: *idle, tree: *keep, peers: *peers, burst: *burstN,
		floorTree: *floorTree, startOnly: *startOnly, agentHook: *agentHook, trace: *traceN}
}

func main() {
	o := parseFlags()
	log.SetFlags(0)
	if o.floorTree != "" {
		floorWatch(o.floorTree)
		return
	}

	work, err := os.MkdirTemp("", "hookd-bench-")
	check(err)
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "hookd")
	build := exec.Command("go", "build", "-o", bin, "./cmd/hookd")
	build.Stderr = os.Stderr
	check(build.Run())

	switch {
	case o.agentHook > 0:
		agentHookLatency(work, bin, o.agentHook)
	case o.trace > 0:
		traceBench(work, bin, o.tree, o.trace)
	case o.startOnly > 0:
		startOnly(work, bin, o)
	default:
		r := measureAll(work, bin, o)
		r.print(o)
	}
}

// treeDir is where the generated tree goes: -tree, or inside work.
func treeDir(work string, o options) string {
	if o.tree == "" {
		return filepath.Join(work, "tree")
	}
	return o.tree
}

// startOnly measures hookd's and the floor's start alone, -start-only
// times each.
func startOnly(work, bin string, o options) {
	tree := treeDir(work, o)
	genTree(tree, o.dirs, o.files)
	probe := filepath.Join(probeDir(tree, o.dirs), "probe.txt")
	warm(tree)
	for i := range o.startOnly {
		_ = os.Remove(probe)
		h := hookdFirst(work, bin, tree, probe, 0)
		_ = os.Remove(probe)
		f := floorFirst(work, tree, probe)
		fmt.Printf("%d: hookd first %s (ready_in %s, quiet %s, VmHWM %.1f MB), floor first %s (VmHWM %.1f MB)\n", i,
			ms(h.first), ms(h.ready), ms(h.settled), float64(h.hwm)/1e6, ms(f.first), float64(f.hwm)/1e6)
		for _, p := range []string{"first-hookd.fifo", "first-floor.fifo"} {
			_ = os.Remove(filepath.Join(work, p))
		}
	}
}

// results are every measure of a full run.
type results struct {
	floor, ours                  []time.Duration
	statusCLI, emitCLI, statusRT []time.Duration
	hookdStart, floorStart       started
	hookdBurst                   burstResult
	others                       []peer
}

// measureAll takes every measure, hookd's, the floor's and the peers'.
func measureAll(work, bin string, o options) results {
	var r results
	r.floor = latencyFloor(work, o.n)
	r.ours = latencyHookd(work, bin, o.n)
	r.statusCLI, r.emitCLI, r.statusRT = daemonCalls(work, bin, 100)

	tree := treeDir(work, o)
	genTree(tree, o.dirs, o.files)
	probe := filepath.Join(probeDir(tree, o.dirs), "probe.txt")
	resetProbe := func() { _ = os.Remove(probe) }
	warm(tree)
	resetProbe()
	r.hookdStart = hookdFirst(work, bin, tree, probe, o.idle)
	resetProbe()
	r.floorStart = floorFirst(work, tree, probe)
	if o.burst > 0 {
		r.hookdBurst = burst(work, bin, o.burst)
	}
	if o.peers {
		inw := benchInotifywait(work, o.n)
		resetProbe()
		inw.start = inotifywaitFirst(work, tree, probe)
		wm := benchWatchman(work, o.n)
		resetProbe()
		wm.start = watchmanFirst(work, tree, probe, o.idle)
		if o.burst > 0 {
			wm.burst = watchmanBurst(work, o.burst)
		}
		r.others = []peer{inw, wm}
	}
	resetProbe()
	return r
}

// print writes the results as markdown tables.
func (r results) print(o options) {
	fmt.Printf("\nhookd bench on %s (%d cores), tree of %d dirs / %d files, %s\n\n", hostname(), numCPU(), o.dirs, o.files, time.Now().Format(time.DateOnly))
	head, rule := "| measure | hookd | floor |", "|---|---|---|"
	for _, p := range r.others {
		head += " " + p.name + " |"
		rule += "---|"
	}
	fmt.Println(head)
	fmt.Println(rule)
	row := func(name, ours, floor string, of func(peer) string) {
		line := "| " + name + " | " + ours + " | " + floor + " |"
		for _, p := range r.others {
			switch {
			case p.missing != "":
				line += " — |"
			default:
				line += " " + of(p) + " |"
			}
		}
		fmt.Println(line)
	}
	r.printRows(o, row)
	for _, p := range r.others {
		if p.missing != "" {
			fmt.Printf("\n%s: %s\n", p.name, p.missing)
		}
	}
	fmt.Println()
	fmt.Printf("| CLI | hookd |\n|---|---|\n")
	fmt.Printf("| `hookd status` (cold CLI process), p50 | %s |\n", ms(pct(r.statusCLI, 50)))
	fmt.Printf("| `hookd emit` (cold CLI process), p50 | %s |\n", ms(pct(r.emitCLI, 50)))
	fmt.Printf("| status round trip over the socket (Go client), p50 | %s |\n", ms(pct(r.statusRT, 50)))
}

// printRows writes the comparison table's rows, one a measure.
func (r results) printRows(o options, row func(name, ours, floor string, of func(peer) string)) {
	lat := func(q int) func(peer) string {
		return func(p peer) string {
			if len(p.latency) == 0 {
				return "—"
			}
			return ms(pct(p.latency, q))
		}
	}
	first := func(s started) string {
		if s.missing != "" {
			return s.missing
		}
		return ms(s.first)
	}
	mb := func(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
	none := func(peer) string { return "—" }
	row("write → command start, p50", ms(pct(r.ours, 50)), ms(pct(r.floor, 50)), lat(50))
	row("write → command start, p99", ms(pct(r.ours, 99)), ms(pct(r.floor, 99)), lat(99))
	row("exec → first change acted on (a write every 30 ms from exec)", first(r.hookdStart), first(r.floorStart), func(p peer) string { return first(p.start) })
	row("ready_in (hookd's log: a change made now reaches its hooks)", ms(r.hookdStart.ready), "—", none)
	row("exec → quiet (index complete, in the background)", ms(r.hookdStart.settled), "—", func(p peer) string {
		if p.start.settled == 0 {
			return "—"
		}
		return ms(p.start.settled)
	})
	row("peak RSS (VmHWM) until quiet, index included", mb(r.hookdStart.hwm), mb(r.floorStart.hwm), func(p peer) string { return mb(p.start.hwm) })
	row(fmt.Sprintf("CPU while idle for %s", o.idle), fmt.Sprintf("%.2f%%", r.hookdStart.cpu), "—", func(p peer) string {
		if p.start.cpu == 0 && p.name == "inotifywait" {
			return "—"
		}
		return fmt.Sprintf("%.2f%%", p.start.cpu)
	})
	if o.burst > 0 {
		b := func(br burstResult) string {
			if br.missing != "" {
				return "—"
			}
			return fmt.Sprintf("%d runs, every path once: %s, last run %s after the last write, %.2f s CPU",
				br.runs, map[bool]string{true: "yes", false: "NO"}[br.exact], ms(br.last), br.cpu.Seconds())
		}
		row(fmt.Sprintf("burst of %d files (default debounce; Watchman's default settle)", o.burst), b(r.hookdBurst), "—", func(p peer) string {
			if p.burst.runs == 0 && p.burst.missing == "" {
				return "—"
			}
			return b(p.burst)
		})
	}
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

// agentHookLatency is what an agent waits on for every tool call: a cold
// `hookd agent-hook claude PreToolUse` process, from exec to its verdict,
// with the daemon running; beside the floor, a cold /bin/true.
func agentHookLatency(work, bin string, n int) {
	repo := filepath.Join(work, "agent")
	check(os.MkdirAll(repo, 0o755))
	check(os.WriteFile(filepath.Join(repo, "hookd.toml"), []byte("[[hook]]\nname = \"guard\"\non = \"agent.tool.before\"\npaths = [\".kiro/specs/**\"]\nblocking = true\nrun = \"echo no; exit 1\"\n"), 0o644))
	env := append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(work, "state"), "XDG_RUNTIME_DIR="+filepath.Join(work, "run"))
	run := func(stdin string, args ...string) (time.Duration, int) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env, cmd.Stdin = repo, env, strings.NewReader(stdin)
		t0 := time.Now()
		err := cmd.Run()
		d := time.Since(t0)
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			check(err)
		}
		return d, code
	}
	run("", bin, "trust")
	run("", bin, "start")
	defer run("", bin, "stop")
	call := func(path string) string {
		return `{"session_id":"s","cwd":"` + repo + `","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"` + path + `","content":"x"}}`
	}
	var floor, allow, deny []time.Duration
	for range n {
		d, _ := run("", "/bin/true")
		floor = append(floor, d)
		d, code := run(call("src/a.go"), bin, "agent-hook", "claude", "PreToolUse")
		if code != 0 {
			log.Fatalf("agent-hook denied a write no hook concerns (exit %d)", code)
		}
		allow = append(allow, d)
		d, code = run(call(".kiro/specs/x/requirements.md"), bin, "agent-hook", "claude", "PreToolUse")
		if code != 2 {
			log.Fatalf("agent-hook allowed a write the guard denies (exit %d)", code)
		}
		deny = append(deny, d)
	}
	fmt.Printf("hookd agent-hook claude PreToolUse, cold process to verdict, daemon running, %d each (p50 / p90):\n", n)
	for _, r := range []struct {
		name string
		d    []time.Duration
	}{{"floor: /bin/true", floor}, {"allowed (no hook concerned)", allow}, {"denied (a blocking hook runs sh, exits 1)", deny}} {
		fmt.Printf("  %-45s %s / %s\n", r.name, ms(pct(r.d, 50)), ms(pct(r.d, 90)))
	}
}

func mustAbs(p string) string {
	abs, err := filepath.EvalSymlinks(p)
	check(err)
	return abs
}

// latencyFloor measures the floor process (floorWatch): raw inotify, a
// process of its own, one spawn of the command per read of events.
func latencyFloor(work string, n int) []time.Duration {
	dir := filepath.Join(work, "floor")
	check(os.MkdirAll(dir, 0o755))
	fifo := mkfifo(work, "floor.fifo")
	self, err := os.Executable()
	check(err)
	cmd := exec.Command(self, "-floor-watch", dir)
	cmd.Env = append(os.Environ(), "FIFO="+fifo)
	check(cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	waitWatching(dir, fifo)
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
max_runs_per_minute = 1000000 # a run per write is the point here, not a loop
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

// warm reads the whole tree once, names and inodes, so that whichever
// watcher is measured first does not pay for a cold cache alone.
func warm(tree string) {
	check(filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_, _ = os.Lstat(p)
		}
		return err
	}))
}

func mkfifo(dir, name string) string {
	p := filepath.Join(dir, name)
	check(syscall.Mkfifo(p, 0o600))
	return p
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

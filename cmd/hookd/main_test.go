package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/rogpeppe/go-internal/testscript"
	"gopkg.in/yaml.v3"

	"github.com/hookd-dev/hookd/internal/apistub"
	"github.com/hookd-dev/hookd/internal/term"
	"github.com/hookd-dev/hookd/ipc"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hookd": func() { os.Exit(Main(os.Args[1:])) },
	})
}

// The scripts in testdata/script drive the real binary against real files.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script", false))
}

// The conformance suite: each script in testdata/conformance runs twice,
// once against the daemon ([daemon] lines start and stop it) and once
// against the engine in process, and asserts the same verdicts both
// times. A case that passes on one side and fails on the other fails.
func TestConformance(t *testing.T) {
	for _, side := range []string{"daemon", "engine"} {
		t.Run(side, func(t *testing.T) {
			testscript.Run(t, scriptParams("testdata/conformance", side == "daemon"))
		})
	}
}

// scriptParams are the testscript parameters of the scripts in dir; the
// condition [daemon] holds when daemon is set.
func scriptParams(dir string, daemon bool) testscript.Params {
	return testscript.Params{
		Dir: dir,
		// HOOKD_UPDATE_SCRIPTS=1 writes what a cmp compared into the
		// script's own golden file, to be read before it is committed.
		UpdateScripts: os.Getenv("HOOKD_UPDATE_SCRIPTS") != "",
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("HOME", env.WorkDir)
			// Wide enough that a script's line is one line; width.txtar
			// sets its own widths, and the default of 80 without one.
			env.Setenv("COLUMNS", "250")
			// A short runtime dir of its own (sockets have a 108-byte limit),
			// and no daemon outlives its script, whatever happened in it.
			run, err := os.MkdirTemp("", "hr")
			if err != nil {
				return err
			}
			env.Setenv("XDG_RUNTIME_DIR", run)
			// Real public specs (../shared/corpus), read in place, never
			// copied into this repository.
			if corpus, err := filepath.Abs("../../../shared/corpus/specs"); err == nil {
				env.Setenv("CORPUS", corpus)
			}
			env.Defer(func() {
				locks, _ := filepath.Glob(filepath.Join(run, "hookd", "*.lock"))
				for _, l := range locks {
					if !ipc.LockHeld(strings.TrimSuffix(l, ".lock")) {
						continue
					}
					data, _ := os.ReadFile(l)
					if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
						syscall.Kill(pid, syscall.SIGKILL)
					}
				}
				os.RemoveAll(run)
			})
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "daemon":
				return daemon, nil
			case "root":
				return os.Getuid() == 0, nil
			case "corpus":
				_, err := os.Stat("../../../shared/corpus/specs/kiro")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile":   waitFile,
			"killdaemon": killDaemon,
			"idlecpu":    idleCPU,
			"waitlog":    waitLog,
			"listen":     listen,
			"chownother": chownOther,
			"waitidle":   waitIdle,
			"apistub":    apiStub,
			"mcpcall":    mcpCall,
			"actionstep": actionStep,
			"fits":       fits,
		},
	}
}

// apistub KIND [-write FILE [-content TEXT|@FILE]] [-shell CMD] [-hold FIFO] [-reply TEXT] [-log FILE] [-status N]
// serves a stand-in of the Anthropic ("anthropic"), OpenAI Responses
// ("openai") or Gemini ("gemini") API for the rest of the script, setting
// $STUB_URL, so that the real agent CLI runs offline (package apistub).
func apiStub(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: apistub KIND [-write FILE] [-shell CMD] [-hold FIFO] [-reply TEXT]")
	}
	fs := flag.NewFlagSet("apistub", flag.ContinueOnError)
	var s apistub.Script
	fs.StringVar(&s.Write, "write", "", "")
	fs.StringVar(&s.Shell, "shell", "", "")
	fs.StringVar(&s.Hold, "hold", "", "")
	fs.StringVar(&s.Reply, "reply", "", "")
	fs.StringVar(&s.Log, "log", "", "")
	fs.StringVar(&s.Content, "content", "", "")
	fs.StringVar(&s.Tool, "tool", "", "")
	fs.StringVar(&s.Input, "input", "{}", "")
	fs.IntVar(&s.Status, "status", 0, "")
	ts.Check(fs.Parse(args[1:]))
	if s.Hold != "" {
		s.Hold = ts.MkAbs(s.Hold)
	}
	if s.Log != "" {
		s.Log = ts.MkAbs(s.Log)
	}
	if name, ok := strings.CutPrefix(s.Content, "@"); ok {
		s.Content = ts.ReadFile(name) // -content @FILE: the file's text
	}
	if name, ok := strings.CutPrefix(s.Shell, "@"); ok {
		s.Shell = strings.TrimSuffix(ts.ReadFile(name), "\n") // -shell @FILE: a command of several lines
	}
	srv, err := apistub.Start(args[0], s)
	ts.Check(err)
	ts.Defer(func() { srv.Close() })
	ts.Setenv("STUB_URL", srv.URL)
}

// killdaemon DIR kills the daemon of the work tree at DIR with SIGKILL, as
// a crash would, and waits until it is gone (its lock is released).
func killDaemon(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: killdaemon DIR")
	}
	root, err := filepath.EvalSymlinks(ts.MkAbs(args[0]))
	ts.Check(err)
	sock := ipc.SocketPathIn(root, ts.Getenv("XDG_RUNTIME_DIR"), ts.Getenv("TMPDIR"))
	data, err := os.ReadFile(sock + ".lock")
	ts.Check(err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	ts.Check(err)
	ts.Check(syscall.Kill(pid, syscall.SIGKILL))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ts.Check(ipc.WaitUnlocked(ctx, sock))
}

// idlecpu DIR checks that the daemon of the work tree at DIR uses no CPU
// while nothing happens: its CPU time does not move over half a second.
// (Half a second of waiting is the measurement here, not synchronisation.)
func idleCPU(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: idlecpu DIR")
	}
	root, err := filepath.EvalSymlinks(ts.MkAbs(args[0]))
	ts.Check(err)
	data, err := os.ReadFile(ipc.SocketPathIn(root, ts.Getenv("XDG_RUNTIME_DIR"), ts.Getenv("TMPDIR")) + ".lock")
	ts.Check(err)
	pid := strings.TrimSpace(string(data))
	ticks := func() int {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		ts.Check(err)
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		u, _ := strconv.Atoi(f[11])
		s, _ := strconv.Atoi(f[12])
		return u + s
	}
	before := ticks()
	time.Sleep(500 * time.Millisecond)
	if used := ticks() - before; used > 2 {
		ts.Fatalf("the idle daemon used %d ticks of CPU in 0.5s", used)
	}
}

// waitlog DIR REGEXP follows the log of the daemon of the work tree at DIR
// (the real socket API, as `hookd logs -f`) until a line matches, failing
// after 30s.
func waitLog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitlog DIR REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	root, err := filepath.EvalSymlinks(ts.MkAbs(args[0]))
	ts.Check(err)
	c := &ipc.Client{Socket: ipc.SocketPathIn(root, ts.Getenv("XDG_RUNTIME_DIR"), ts.Getenv("TMPDIR"))}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	found := false
	err = c.Logs(ctx, true, func(line []byte) {
		if re.Match(line) {
			found = true
			cancel()
		}
	})
	if !found {
		ts.Fatalf("no log line matched %q within 30s (%v)", args[1], err)
	}
}

// waitfile FILE waits, on inotify rather than sleeps, until FILE exists,
// failing after 30s.
func waitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	p := ts.MkAbs(args[0])
	w, err := fsnotify.NewWatcher()
	ts.Check(err)
	defer w.Close()
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(w.Add(filepath.Dir(p)))
	if _, err := os.Stat(p); err == nil {
		return
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-w.Events:
			if ev.Name == p {
				return
			}
		case err := <-w.Errors:
			ts.Fatalf("watch: %v", err)
		case <-deadline:
			ts.Fatalf("%s did not appear within 30s", args[0])
		}
	}
}

// listen NAME serves HTTP on a free loopback port for the rest of the
// script, setting $NAME_URL; each request is appended to $WORK/NAME.log as
// "METHOD PATH authorization=VALUE", and answered as an OpenAI-compatible
// chat endpoint would.
func listen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: listen NAME")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	logPath := ts.MkAbs(args[0] + ".log")
	var mu sync.Mutex
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s authorization=%s\n", r.Method, r.URL.Path, r.Header.Get("Authorization"))
			f.Close()
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[{"message":{"content":"reply from `+args[0]+`"}}]}`)
	})}
	go srv.Serve(ln)
	ts.Defer(func() { srv.Close() })
	ts.Setenv(strings.ToUpper(args[0])+"_URL", "http://"+ln.Addr().String())
}

// chownother PATH gives PATH to another user (nobody), as a local attacker
// who made it first would have it. It needs root: guard it with [root].
func chownOther(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: chownother PATH")
	}
	ts.Check(os.Chown(ts.MkAbs(args[0]), 65534, 65534))
}

// waitidle DIR waits until the daemon of the work tree at DIR has handled
// every change made so far and every run they caused has ended (the real
// socket API, POST /v1/sync?idle=1).
func waitIdle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitidle DIR")
	}
	root, err := filepath.EvalSymlinks(ts.MkAbs(args[0]))
	ts.Check(err)
	c := &ipc.Client{Socket: ipc.SocketPathIn(root, ts.Getenv("XDG_RUNTIME_DIR"), ts.Getenv("TMPDIR"))}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ts.Check(c.Idle(ctx))
}

// mcpcall [-env VAR=FIELD] list|TOOL [JSON] runs `hookd mcp` in the
// current directory and talks to it with the official SDK's client over
// stdio: list prints the tools' names, one a line; TOOL calls the tool with
// the JSON arguments and prints its text. A tool error fails the command
// (prints it, with !). -env sets VAR to a string field of the result.
func mcpCall(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("mcpcall", flag.ContinueOnError)
	setenv := fs.String("env", "", "")
	ts.Check(fs.Parse(args))
	args = fs.Args()
	if len(args) < 1 {
		ts.Fatalf("usage: mcpcall [-env VAR=FIELD] list|TOOL [JSON]")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.Command("hookd", "mcp")
	cmd.Dir = ts.MkAbs(".")
	for _, k := range []string{"PATH", "HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "TMPDIR"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "hookd-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		ts.Fatalf("connect to hookd mcp: %v\n%s", err, stderr.String())
	}
	defer cs.Close()
	if args[0] == "list" {
		tools, err := cs.ListTools(ctx, nil)
		ts.Check(err)
		for _, t := range tools.Tools {
			fmt.Fprintf(ts.Stdout(), "%s\t%s\n", t.Name, t.Description)
		}
		return
	}
	var in map[string]any
	if len(args) > 1 {
		ts.Check(json.Unmarshal([]byte(args[1]), &in))
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: args[0], Arguments: in})
	ts.Check(err)
	var text strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			text.WriteString(t.Text)
		}
	}
	fmt.Fprintln(ts.Stdout(), text.String())
	if res.IsError != neg {
		ts.Fatalf("%s: error = %v: %s\n%s", args[0], res.IsError, text.String(), stderr.String())
	}
	if name, field, ok := strings.Cut(*setenv, "="); ok {
		var out map[string]any
		ts.Check(json.Unmarshal([]byte(text.String()), &out))
		v, _ := out[field].(string)
		ts.Setenv(name, v)
	}
}

// actionstep ID runs the step ID of the repository's action.yml as the
// GitHub runner would: its run script in bash, its env with each
// ${{ inputs.NAME }} taken from $INPUT_NAME (else the input's default),
// and GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP from the script's
// environment. Its output is the command's.
func actionStep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: actionstep ID")
	}
	data, err := os.ReadFile("../../action.yml")
	ts.Check(err)
	var action struct {
		Inputs map[string]struct{ Default string }
		Runs   struct {
			Steps []struct {
				ID  string
				Run string
				Env map[string]string
			}
		}
	}
	ts.Check(yaml.Unmarshal(data, &action))
	input := regexp.MustCompile(`\$\{\{\s*inputs\.([a-z-]+)\s*\}\}`)
	for _, st := range action.Runs.Steps {
		if st.ID != args[0] {
			continue
		}
		cmd := exec.Command("bash", "-c", st.Run)
		cmd.Dir = ts.MkAbs(".")
		for _, k := range []string{"PATH", "HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "TMPDIR", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "RUNNER_TEMP", "GITHUB_ACTIONS"} {
			cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
		}
		for k, v := range st.Env {
			v = input.ReplaceAllStringFunc(v, func(m string) string {
				name := input.FindStringSubmatch(m)[1]
				if v := ts.Getenv("INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
					return v
				}
				return action.Inputs[name].Default
			})
			// What is left is the event's (a pull request's base): absent,
			// as on a push.
			v = regexp.MustCompile(`\$\{\{[^}]*\}\}`).ReplaceAllString(v, "")
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		fmt.Fprint(ts.Stdout(), stdout.String())
		fmt.Fprint(ts.Stderr(), stderr.String())
		if (err != nil) != neg {
			ts.Fatalf("step %s: %v", st.ID, err)
		}
		return
	}
	ts.Fatalf("action.yml has no step %q", args[0])
}

// fits N [stdout|stderr] fails when a line of the last command's output
// (stdout unless named) is wider than N columns on a terminal, and names
// the line.
func fits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: fits N [stdout|stderr]")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	which := "stdout"
	if len(args) == 2 {
		which = args[1]
	}
	text := ts.ReadFile(which)
	if strings.TrimSpace(text) == "" {
		ts.Fatalf("%s is empty: nothing was shown to fit", which)
	}
	for i, line := range strings.Split(text, "\n") {
		if w := term.Len(line); w > n {
			ts.Fatalf("%s line %d is %d columns wide, over %d:\n%s", which, i+1, w, n, line)
		}
	}
}

// Package runner runs a hook's command and supervises it.
//
// A run is a process group of its own, so everything it starts goes with
// it: on timeout, on a restart and on shutdown the group gets SIGTERM, then
// SIGKILL after a grace period, grandchildren included. When the command
// exits on its own, whatever it left running in its group is killed too: a
// run's processes end with the run. (A hook that means to leave a server
// behind starts it with setsid.)
//
// The command reads the event as JSON on stdin and finds it in HOOKD_*
// variables; file names are never spliced into a shell string. Output is
// read as fast as it comes, kept up to a cap (the head and the tail), and
// streamed to the log up to a line cap, so a hook that floods stdout can
// neither stall the daemon nor grow it.
package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/rules"
)

// Status of a finished run.
type Status string

const (
	StatusOK          Status = "ok"
	StatusFailed      Status = "failed"
	StatusTimeout     Status = "timeout"
	StatusInterrupted Status = "interrupted" // stopped by a restart or shutdown
	StatusSkipped     Status = "skipped"     // never started: mode skip, a cap, an unsupported action
)

// Limits on what a run may cost the daemon.
const (
	// OutputCap is how much output a run keeps: the first HeadCap bytes and
	// the last OutputCap-HeadCap.
	OutputCap = 64 << 10
	HeadCap   = 16 << 10
	// LogLineCap is how many output lines of one run reach the log.
	LogLineCap = 200
	// Grace is how long a process group has between SIGTERM and SIGKILL.
	Grace = 3 * time.Second
)

// Job is one run to make.
type Job struct {
	ID    string
	Hook  *hooks.Hook
	Env   *rules.Env
	Root  string
	Depth int
	// Chain is the hooks whose runs led to this one (event.Event.Chain).
	Chain []string
	// Grace overrides the default SIGTERM-to-SIGKILL period; zero means Grace.
	Grace time.Duration
	// Line receives each output line as it comes, up to LogLineCap lines;
	// nil drops them. It is called from the run's own goroutines.
	Line func(stream, line string)
	// Started, when set, is told the process group id once the command
	// runs, so that a later daemon can end what a crashed one left running.
	Started func(pgid int)
	// Exec, when set, is run instead of the hook's command: an agent.
	Exec *Exec
	// Resume is the agent session an agent run continues, or "".
	Resume string
	// Activity, when set, is told what a structured agent run reports as
	// it goes (its file writes, its shell commands), from the run's reader.
	Activity func(Activity)
	// Attached, when set, is told a structured run's format once it runs,
	// with its catchUp: that returns once everything the agent has printed
	// so far has been told to Activity (false: its reader is stuck).
	Attached func(format string, catchUp func() bool)
	// Caller is the environment of the process a blocking run answers (a
	// git shim, an agent's hook), when that is not hookd's own: the hook
	// sees what it would see without a daemon. nil: hookd's environment.
	Caller []string
}

// Exec is a process to run for a job other than the hook's own command.
type Exec struct {
	Argv    []string
	Stdin   []byte   // nil: an empty stdin, as from /dev/null
	Env     []string // added after the hook's env, before HOOKD_*
	Dir     string   // relative to the job's root; empty for the root
	Timeout time.Duration
	// Format is the structured output the process prints (an agentcli
	// Invocation's), read for the run's report; "" or FormatText keeps
	// stdout as output.
	Format string
}

// Result is what became of a run.
type Result struct {
	Status   Status
	Exit     int // -1 when killed by a signal or not started
	Start    time.Time
	Duration time.Duration
	Output   string // capped; see OutputCap
	Err      error  // why the run could not start, or was stopped
	// Prompt is the full prompt an agent was given.
	Prompt string
	// FilesWritten are the files the run changed, as far as hookd can
	// tell: those its agent reported, and those changed while it ran that
	// nothing can report (see the daemon's attribution).
	FilesWritten []string
	// Agent is what an agent run reported of itself; nil for a command.
	Agent *event.AgentReport
	// AgentName is the agent an agent run ran, and Resumed the session it
	// continued, if any.
	AgentName, Resumed string
	// FilesGuessed are the FilesWritten put down to the run only because
	// they changed while it ran (nothing reported them).
	FilesGuessed []string
}

// Run runs the job's command and waits for it. Cancelling ctx stops the
// run (status interrupted); the hook's timeout stops it too (status
// timeout).
func Run(ctx context.Context, job Job) (res Result) {
	res = Result{Start: time.Now(), Exit: -1}
	if env, ok := ctx.Value(callerKey{}).([]string); ok && job.Caller == nil {
		job.Caller = env
	}
	defer func() { res.Duration = time.Since(res.Start) }()

	list, err := filesList(job)
	if err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	defer list.close()
	cmd, stdin, err := command(job, list.path)
	if err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	if list.file != nil {
		cmd.ExtraFiles = []*os.File{list.file} // the child's fd 3
	}
	out := &capture{line: job.Line}
	agentOut := structuredOutput(job)
	// The pipes are ours, not exec's: then Wait follows the leader only,
	// and the group can be killed the moment it exits, even while a
	// grandchild still holds the pipes.
	pipes, err := openPipes()
	if err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pipes.childIn, pipes.childOut, pipes.childErr
	if err := cmd.Start(); err != nil {
		pipes.closeAll()
		res.Status, res.Err = StatusFailed, fmt.Errorf("start %s: %w", cmd.Args[0], err)
		if fi, serr := os.Stat(cmd.Dir); serr != nil || !fi.IsDir() {
			// exec blames the program for a directory that is not there.
			res.Err = fmt.Errorf("start %s: its workdir %s is not a directory here", cmd.Args[0], cmd.Dir)
		}
		return res
	}
	pipes.closeChildEnds()
	readers := pipes.pump(stdin, out, agentOut)
	pgid := cmd.Process.Pid
	if job.Started != nil {
		job.Started(pgid)
	}
	if agentOut != nil && job.Attached != nil {
		job.Attached(job.Exec.Format, func() bool { return agentOut.catchUp(pipes.out) })
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	var timeout <-chan time.Time
	limit, grace := job.limits()
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		timeout = t.C
	}

	var werr error
	select {
	case werr = <-waited:
		// The leader is done; its group goes with it.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	case <-timeout:
		res.Status = StatusTimeout
		res.Err = fmt.Errorf("timed out after %s", limit)
		werr = stop(pgid, waited, grace)
	case <-ctx.Done():
		res.Status = StatusInterrupted
		res.Err = context.Cause(ctx)
		werr = stop(pgid, waited, grace)
	}
	pipes.drain(readers, time.Second)
	out.finish()
	res.Output = out.String()
	if agentOut != nil {
		agentOut.close()
		res.Agent = agentOut.s.Finish(OutputCap)
	}
	res.conclude(werr)
	return res
}

// structuredOutput is the reader of an agent's structured output, or nil
// when the job's output is plain text.
func structuredOutput(job Job) *agentOutput {
	x := job.Exec
	if x == nil || x.Format == "" || x.Format == FormatText {
		return nil
	}
	var summary func(string)
	if job.Line != nil {
		summary = func(l string) { job.Line("agent", l) }
	}
	return newAgentOutput(agentcli.NewStream(x.Format, job.Root, filepath.Join(job.Root, x.Dir), job.Activity, summary))
}

// limits returns how long the job may run (0: no limit), its agent's
// timeout taking precedence over the hook's, and its SIGTERM-to-SIGKILL
// grace.
func (job Job) limits() (limit, grace time.Duration) {
	limit = job.Hook.Timeout
	if job.Exec != nil && job.Exec.Timeout > 0 {
		limit = job.Exec.Timeout
	}
	grace = job.Grace
	if grace == 0 {
		grace = Grace
	}
	return limit, grace
}

// conclude sets the exit code from what Wait returned and, unless a
// timeout or an interruption already decided it, the status.
func (res *Result) conclude(werr error) {
	var ee *exec.ExitError
	switch {
	case werr == nil:
		res.Exit = 0
	case errors.As(werr, &ee):
		res.Exit = ee.ExitCode()
	}
	if res.Status == "" {
		if res.Exit == 0 {
			res.Status = StatusOK
		} else {
			res.Status = StatusFailed
			if werr != nil && !errors.As(werr, &ee) {
				res.Err = werr
			}
		}
	}
	if r := res.Agent; r != nil && res.Status == StatusOK {
		// An agent that exits 0 can still have failed: it says so in its
		// result, or its stream stopped before one.
		switch {
		case r.Error != "":
			res.Status, res.Err = StatusFailed, fmt.Errorf("the agent reported an error: %s", capString(r.Error, 500))
		case !r.Ended:
			res.Status, res.Err = StatusFailed, errors.New("the agent's output ended without its result (the CLI stopped early, or prints another format)")
		}
	} else if r != nil && res.Status == StatusFailed && r.Error != "" && res.Err == nil {
		res.Err = fmt.Errorf("the agent reported an error: %s", capString(r.Error, 500))
	}
}

// stop terminates a process group: SIGTERM, then SIGKILL after grace.
func stop(pgid int, waited <-chan error, grace time.Duration) error {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case err := <-waited:
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return err
	case <-t.C:
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return <-waited
	}
}

func command(job Job, files0 string) (*exec.Cmd, []byte, error) {
	h := job.Hook
	env := Environ(job, files0)
	argv, dir, stdin := h.Run.Argv, filepath.Join(job.Root, filepath.FromSlash(h.Workdir)), []byte(nil)
	switch x := job.Exec; {
	case x != nil:
		argv, dir, stdin = x.Argv, filepath.Join(job.Root, x.Dir), x.Stdin
	case h.Run.Shell != "":
		argv = []string{"/bin/sh", "-c", h.Run.Shell}
	case len(argv) == 0:
		return nil, nil, fmt.Errorf("hook %q has no command", h.Name)
	}
	if job.Caller != nil {
		// Found on the caller's PATH, as its shell would find it.
		p, err := lookPathIn(argv[0], env)
		if err != nil {
			return nil, nil, err
		}
		argv = append([]string{p}, argv[1:]...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if job.Exec != nil {
		return cmd, stdin, nil
	}
	data, err := json.Marshal(job.Env)
	if err != nil {
		return nil, nil, fmt.Errorf("encode event for stdin: %w", err)
	}
	return cmd, append(data, '\n'), nil
}

// pipes connects a run's stdin, stdout and stderr.
type pipes struct {
	childIn, childOut, childErr *os.File // the child's ends
	in, out, err                *os.File // ours
}

func openPipes() (*pipes, error) {
	p := &pipes{}
	var err error
	if p.childIn, p.in, err = os.Pipe(); err != nil {
		return nil, fmt.Errorf("stdin pipe: %w", err)
	}
	if p.out, p.childOut, err = os.Pipe(); err != nil {
		p.closeAll()
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	if p.err, p.childErr, err = os.Pipe(); err != nil {
		p.closeAll()
		return nil, fmt.Errorf("stderr pipe: %w", err)
	}
	return p, nil
}

func (p *pipes) closeChildEnds() {
	for _, f := range []*os.File{p.childIn, p.childOut, p.childErr} {
		if f != nil {
			f.Close()
		}
	}
}

func (p *pipes) closeAll() {
	p.closeChildEnds()
	for _, f := range []*os.File{p.in, p.out, p.err} {
		if f != nil {
			f.Close()
		}
	}
}

// pump writes stdin and reads stdout and stderr into out.
func (p *pipes) pump(stdin []byte, out *capture, agentOut *agentOutput) *sync.WaitGroup {
	go func() {
		// A command that never reads stdin gets EPIPE here; that is fine.
		_, _ = p.in.Write(stdin)
		p.in.Close()
	}()
	var wg sync.WaitGroup
	for _, s := range []struct {
		f    *os.File
		name string
	}{{p.out, "stdout"}, {p.err, "stderr"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.name == "stdout" && agentOut != nil {
				// A structured agent's stdout is its report, read as it
				// comes; its stderr stays the run's output.
				_, _ = io.Copy(agentOut, countingReader{s.f, &agentOut.read})
				close(agentOut.eof)
				return
			}
			var w io.Writer = out.stream(s.name)
			if agentOut != nil {
				if lines := agentOut.stderrLines(); lines != nil {
					w = io.MultiWriter(w, lines) // and read for the report
				}
			}
			_, _ = io.Copy(w, s.f)
		}()
	}
	return &wg
}

// drain waits for the readers to reach EOF, which they do once the group
// is gone; a process that escaped the group (setsid) and kept the pipes is
// cut off after limit.
func (p *pipes) drain(readers *sync.WaitGroup, limit time.Duration) {
	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		p.out.Close()
		p.err.Close()
		<-done
	}
	// Closing also unblocks a stdin write to an escaped process.
	for _, f := range []*os.File{p.in, p.out, p.err} {
		f.Close()
	}
}

// Environ returns the environment of a job's process: the daemon's own
// (without git's repository variables), the hook's env table, then the
// HOOKD_ variables, which always win. files0 is the file listing every
// path NUL-terminated, or "".
//
// HOOKD_FILES has one path a line, so a path that holds a newline (or any
// other control character) could forge lines of it: such paths are left
// out of it. So are paths past MaxFilesEnv, since Linux refuses an exec
// with a larger variable. HOOKD_FILES_TRUNCATED then says how many paths
// there are in all; HOOKD_FILES0 and the JSON on stdin always have every
// one.
func Environ(job Job, files0 string) []string {
	env := gitcmd.ChildEnv()
	if job.Caller != nil {
		env = gitcmd.ChildEnvOf(job.Caller)
	}
	for k, v := range job.Hook.Env {
		env = append(env, k+"="+v)
	}
	if job.Exec != nil {
		env = append(env, job.Exec.Env...)
	}
	var b strings.Builder
	kept := 0
	for _, f := range job.Env.Files {
		if strings.ContainsFunc(f.Path, unicode.IsControl) {
			continue
		}
		if b.Len()+len(f.Path)+1 > MaxFilesEnv {
			break
		}
		if kept > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.Path)
		kept++
	}
	env = append(env,
		"HOOKD_REPO="+job.Root,
		"HOOKD_HOOK="+job.Hook.Name,
		"HOOKD_EVENT="+job.Env.Event.Kind,
		"HOOKD_FILES="+b.String(),
		"HOOKD_RUN_ID="+job.ID,
		"HOOKD_DEPTH="+strconv.Itoa(job.Depth),
	)
	if files0 != "" {
		env = append(env, "HOOKD_FILES0="+files0)
	}
	if p := job.Env.Agent.Prompt; job.Env.Event.Kind == string(event.AgentPrompt) && p != "" {
		// Kiro's promptSubmit commands read the prompt as $USER_PROMPT;
		// one variable holds at most the kernel's 128 KB, and no NUL.
		p = strings.ReplaceAll(p, "\x00", "")
		if len(p) > MaxFilesEnv {
			p = p[:MaxFilesEnv]
		}
		env = append(env, "USER_PROMPT="+p)
	}
	if kept < len(job.Env.Files) {
		env = append(env, "HOOKD_FILES_TRUNCATED="+strconv.Itoa(len(job.Env.Files)))
	}
	// The words of `hookd trigger HOOK -- …`, one a line as HOOKD_FILES
	// has paths; a word with a control character could forge lines, so
	// it is only on stdin (args.argv), which has every word as typed.
	if argv := event.Argv(job.Env.Args); len(argv) > 0 {
		var words []string
		for _, w := range argv {
			if !strings.ContainsFunc(w, unicode.IsControl) {
				words = append(words, w)
			}
		}
		env = append(env, "HOOKD_ARGS="+strings.Join(words, "\n"))
	}
	return env
}

// files0 is the batch's paths for HOOKD_FILES0, each ended by a NUL (as
// `find -print0` writes them, for `xargs -0`): a path the command can read,
// and the file to hand it when that path is one of its descriptors.
type files0 struct {
	path  string
	file  *os.File // given as fd 3, when path is /dev/fd/3
	close func()
}

// filesList makes a batch's files0; an empty one for a batch without
// files.
func filesList(job Job) (files0, error) {
	if len(job.Env.Files) == 0 {
		return files0{close: func() {}}, nil
	}
	var b bytes.Buffer
	for _, file := range job.Env.Files {
		b.WriteString(file.Path)
		b.WriteByte(0)
	}
	list, err := newFiles0(b.Bytes())
	if err != nil {
		return files0{}, fmt.Errorf("write HOOKD_FILES0: %w", err)
	}
	return list, nil
}

// MaxFilesEnv bounds HOOKD_FILES, below the kernel's 128 KiB limit on one
// environment string.
const MaxFilesEnv = 120 << 10

// capture keeps a run's output within OutputCap, the head and the tail,
// and splits it into lines for the log.
type capture struct {
	line func(stream, line string)

	mu      sync.Mutex
	head    []byte
	tail    []byte // a ring once full
	tailAt  int
	dropped int64
	lines   int
	partial map[string][]byte
}

type streamWriter struct {
	c    *capture
	name string
}

func (c *capture) stream(name string) *streamWriter { return &streamWriter{c: c, name: name} }

func (w *streamWriter) Write(p []byte) (int, error) {
	w.c.write(w.name, p)
	return len(p), nil
}

func (c *capture) write(stream string, p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keep(p)
	if c.line == nil || c.lines >= LogLineCap {
		return
	}
	if c.partial == nil {
		c.partial = map[string][]byte{}
	}
	buf := append(c.partial[stream], p...)
	for c.lines < LogLineCap {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		c.emit(stream, string(buf[:i]))
		buf = buf[i+1:]
	}
	if len(buf) > 4096 && c.lines < LogLineCap { // a line without end is still a line
		c.emit(stream, string(buf))
		buf = nil
	}
	c.partial[stream] = append([]byte(nil), buf...)
}

func (c *capture) emit(stream, line string) {
	c.lines++
	if c.lines == LogLineCap {
		line = "… more output is in the run's history, not the log"
	}
	c.line(stream, strings.TrimRight(line, "\r"))
}

func (c *capture) keep(p []byte) {
	if room := HeadCap - len(c.head); room > 0 {
		n := min(room, len(p))
		c.head = append(c.head, p[:n]...)
		p = p[n:]
	}
	const tailCap = OutputCap - HeadCap
	for len(p) > 0 {
		if len(c.tail) < tailCap {
			n := min(tailCap-len(c.tail), len(p))
			c.tail = append(c.tail, p[:n]...)
			p = p[n:]
			continue
		}
		n := copy(c.tail[c.tailAt:], p)
		c.dropped += int64(n)
		c.tailAt = (c.tailAt + n) % tailCap
		p = p[n:]
	}
}

func (c *capture) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for stream, rest := range c.partial {
		if len(rest) > 0 && c.line != nil && c.lines < LogLineCap {
			c.emit(stream, string(rest))
		}
	}
	c.partial = nil
}

// String returns the kept output, marking what was dropped in the middle.
func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped == 0 {
		return string(c.head) + string(c.tail)
	}
	return fmt.Sprintf("%s\n… %d bytes of output dropped …\n%s%s",
		c.head, c.dropped, c.tail[c.tailAt:], c.tail[:c.tailAt])
}

type callerKey struct{}

// WithCaller makes the runs started with ctx see environ, the environment
// of the process they answer (Job.Caller): the daemon's verdict for a git
// shim or an agent's hook runs its hooks as they would run without it.
func WithCaller(ctx context.Context, environ []string) context.Context {
	if environ == nil {
		return ctx
	}
	return context.WithValue(ctx, callerKey{}, environ)
}

// CallerOf is the environment WithCaller gave ctx, or nil.
func CallerOf(ctx context.Context) []string {
	env, _ := ctx.Value(callerKey{}).([]string)
	return env
}

// Getenv looks name up in environ, as os.Getenv does in its own.
func Getenv(environ []string, name string) string {
	v := ""
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// lookPathIn finds name as exec.LookPath would, on the PATH of env: the
// caller's, not hookd's.
func lookPathIn(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("start %s: %w", name, exec.ErrNotFound)
}

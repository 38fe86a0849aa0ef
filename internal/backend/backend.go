// Package backend is the one place the CLI and the MCP server choose
// between the daemon and the same engine in process. Every question they
// ask (the hooks, the history, impact, trace, spec diffs, a verdict,
// triggering a hook) goes through [Backend]; [Choose] asks the socket once
// whether a daemon answers and returns the daemon's side ([Daemon]) or the
// in-process one ([Local]). Callers never test for ipc.ErrNotRunning to
// pick a fallback of their own, so the answer to a question does not
// depend on which command asked it.
//
// It also owns what surrounds that choice: starting and stopping the
// background daemon ([Start], [Stop]), and the answers of the git shims
// and the agents' session hooks ([GitHook], [AgentHook]), which must
// refuse when neither side can decide.
package backend

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Backend answers what hookd knows about one work tree. It is also what
// ipc/mcpserver serves.
type Backend interface {
	// Running says whether a daemon answers: the questions only it can
	// answer (Status, Emit, SpecAccept, a diff against what it saw) fail
	// with ipc.ErrNotRunning otherwise.
	Running() bool
	Status(ctx context.Context) (ipc.Status, error)
	// Hooks lists every hook, with trust applied, and what untrusted files
	// hold back.
	Hooks(ctx context.Context) ([]ipc.Hook, []ipc.Held, error)
	Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error)
	Run(ctx context.Context, id string) (ipc.Run, error)
	Impact(ctx context.Context, refs []spec.Refs) ([]event.Citation, error)
	Trace(ctx context.Context, name, req string) (*trace.Report, error)
	// TraceJSON is Trace as JSON: the daemon's reply as it came, so a big
	// report is not decoded only to be encoded again.
	TraceJSON(ctx context.Context, name, req string) (json.RawMessage, error)
	Specs(ctx context.Context) ([]spec.Spec, error)
	// Spec parses one spec document, named as on a command line.
	Spec(ctx context.Context, file string) (*spec.Doc, error)
	// SpecDiff compares spec documents (named as on a command line; every
	// one when files is empty) with rev (HEAD when empty), or with what
	// the daemon last saw (seen), and returns those that changed.
	SpecDiff(ctx context.Context, files []string, rev string, seen bool) ([]ipc.SpecDiff, error)
	SpecAccept(ctx context.Context, file string) error
	// ForgetSession drops the agent session a hook would resume, and
	// returns it ("" when there was none).
	ForgetSession(ctx context.Context, hook string) (string, error)
	// ResumeHook lets a hook its circuit breaker paused run again, and
	// returns why it was paused ("" when it was not: a daemon starts with
	// no hook paused, so without one nothing is).
	ResumeHook(ctx context.Context, hook string) (string, error)
	// Decide is the verdict of the blocking hooks on the event req
	// describes. An error means there is no verdict: the caller refuses.
	Decide(ctx context.Context, req ipc.EmitRequest) (ipc.Verdict, error)
	Emit(ctx context.Context, req ipc.EmitRequest) (ipc.EmitReply, error)
	// Trigger runs a hook now, starting the daemon when none runs, and
	// returns the run's id; args are the event's (a hook.manual hook's
	// `args`). For an agent (Options.ForAgent) it runs nothing in a work
	// tree the user never trusted. A hook that cannot run (its agent CLI
	// is missing, its workdir is not there, it could not be loaded) is an
	// error that says why, before anything is started.
	Trigger(ctx context.Context, hook string, files []string, args map[string]any) (string, error)
	// Logs writes the daemon's log lines to w; without a daemon, the end
	// of the log its last run left (follow then has nothing to follow).
	Logs(ctx context.Context, follow bool, w io.Writer) error
}

// Options say which work tree, and how to reach and start its daemon.
type Options struct {
	Repo   daemon.Repo
	Config hooks.LoadOptions
	// Client is the socket's client, with the caller's version check.
	Client *ipc.Client
	// Notice gets what a person should know about where an answer came
	// from ("hookd is not running: from its journal, ..."); nil discards.
	Notice io.Writer
	// Start starts a background daemon: Trigger's way to run a hook when
	// none runs.
	Start func(ctx context.Context) error
	// Depth and Cause carry a hook's chain into what it triggers, so a
	// hook that triggers itself stops at max_depth.
	Depth int
	Cause string
	// ForAgent is set when an agent asks (the MCP server): an agent
	// steered by a clone's README must not start hookd there and run the
	// user's own hooks on the clone's files.
	ForAgent bool
	// PingTimeout bounds the question that chooses (0: pingTimeout).
	PingTimeout time.Duration
}

// pingTimeout bounds the question that chooses: a daemon that does not
// answer its status within seconds (stopped with SIGSTOP, wedged) is not
// going to answer anything else.
const pingTimeout = 5 * time.Second

// Choose asks the daemon once and returns the backend that answers: the
// daemon when it runs, the same engine in process when none does. A
// daemon that is there and does not answer is an error, never a silent
// fallback: two engines must not run the same hooks.
func Choose(ctx context.Context, opts Options) (Backend, error) {
	pctx, cancel := context.WithTimeout(ctx, cmp.Or(opts.PingTimeout, pingTimeout))
	defer cancel()
	_, err := opts.Client.Status(pctx)
	switch {
	case err == nil:
		return &Daemon{base{opts}}, nil
	case errors.Is(err, ipc.ErrNotRunning):
		return &Local{base{opts}}, nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return nil, fmt.Errorf("the daemon did not answer: the daemon stopped answering (%v): is it stopped or wedged? hookd restart", err)
	}
	return nil, fmt.Errorf("the daemon did not answer: %w", err)
}

// base is what both sides answer the same way: from the files of the work
// tree, which the daemon reads exactly as the CLI does.
type base struct{ opts Options }

func (b base) notice(format string, args ...any) {
	if b.opts.Notice != nil {
		fmt.Fprintf(b.opts.Notice, format, args...)
	}
}

func (b base) root() string { return b.opts.Repo.Root }

// config is the configuration on disk with trust applied; its problems
// are check's and the daemon's to report, not every question's.
func (b base) config() *hooks.Config {
	cfg, _ := hooks.Load(b.opts.Config)
	return cfg
}

// Specs lists the specs of the work tree as the daemon sees it (git's
// ignore rules applied), nested projects' included.
func (b base) Specs(context.Context) ([]spec.Spec, error) {
	return b.specs(b.config()), nil
}

func (b base) specs(cfg *hooks.Config) []spec.Spec {
	r := b.opts.Repo
	return spec.Find(ignore.Walk(r.Root, r.GitDir, cfg.Watch.Ignore).Files, cfg.Specs.Roots)
}

// SpecFiles lists the documents of every spec of the work tree.
func SpecFiles(specs []spec.Spec) []string {
	var files []string
	for _, s := range specs {
		files = append(files, s.Files...)
	}
	return files
}

func (b base) Spec(_ context.Context, file string) (*spec.Doc, error) {
	cfg := b.config()
	rels, err := Rel(b.root(), []string{file})
	if err != nil {
		return nil, ArgError{err}
	}
	d, ok, err := spec.ParseFile(b.root(), rels[0], cfg.Specs.Roots)
	switch {
	case !ok:
		return nil, ArgError{fmt.Errorf("%s is not a spec document under %s", rels[0], strings.Join(cfg.Specs.Roots, ", "))}
	case err != nil:
		return nil, err
	}
	return d, nil
}

// specFiles makes the files named repository-relative, or lists every
// spec document when none is named.
func (b base) specFiles(cfg *hooks.Config, files []string) ([]string, error) {
	if len(files) == 0 {
		return SpecFiles(b.specs(cfg)), nil
	}
	rels, err := Rel(b.root(), files)
	if err != nil {
		return nil, ArgError{err}
	}
	return rels, nil
}

// Trigger asks the daemon to run the hook, and starts one first when none
// runs: the same on both sides, since a run needs a daemon to follow it.
func (b base) Trigger(ctx context.Context, hook string, files []string, args map[string]any) (string, error) {
	rel, err := Rel(b.root(), files)
	if err != nil {
		return "", ArgError{err}
	}
	cfg, probs := loadFull(b.opts)
	if b.opts.ForAgent && !cfg.TrustedBefore {
		return "", fmt.Errorf("hookd runs nothing for an agent in %s: its hook files were never trusted (a person reviews them and runs hookd trust)", b.root())
	}
	if err := cannotRun(cfg, b.root(), hook); err != nil {
		return "", err
	}
	req := ipc.TriggerRequest{Files: rel, Args: args, Depth: b.opts.Depth, Cause: b.opts.Cause}
	c := b.opts.Client
	reply, err := c.Trigger(ctx, hook, req)
	if errors.Is(err, ipc.ErrNotRunning) && b.opts.Start != nil {
		b.notice("hookd was not running for %s; starting it\n", b.root())
		if err := b.opts.Start(ctx); err != nil {
			return "", fmt.Errorf("hookd was not running and could not start: %w", err)
		}
		reply, err = c.Trigger(ctx, hook, req)
	}
	var ie *ipc.Error
	if errors.As(err, &ie) && ie.Code == 404 && len(probs) > 0 {
		// The daemon knows no such hook, and the files have problems: the
		// hook may be the one that did not load.
		return "", fmt.Errorf("%w; the configuration on disk has %d problem(s), the first: %s ('hookd check' lists them)", err, len(probs), probs[0].Error())
	}
	return reply.Run, err
}

// cannotRun says why the hook named cannot run, as the files on disk
// declare it: its agent's CLI is not on PATH, or its workdir is not a
// directory. A name the files do not know is the daemon's to answer: it
// may run the last good configuration, and knows Kiro hooks by title.
func cannotRun(cfg *hooks.Config, root, name string) error {
	h := cfg.Hook(name)
	if h == nil {
		for _, x := range cfg.Hooks {
			if x.Title == name {
				h = x
			}
		}
	}
	switch {
	case h == nil:
		return nil
	case h.Action() == "agent":
		if err := runner.Installed(cfg.AgentOf(h.Agent)); err != nil {
			return fmt.Errorf("hook %q cannot run: %w", h.Name, err)
		}
	}
	if h.Workdir != "" {
		if fi, err := os.Stat(filepath.Join(root, h.Workdir)); err != nil || !fi.IsDir() {
			return fmt.Errorf("hook %q cannot run: its workdir %s is not a directory here (%s:%d)", h.Name, h.Workdir, h.Pos.File, h.Pos.Line)
		}
	}
	return nil
}

// ArgError is an error in what the caller named (a path outside the
// repository, a file that is not a spec document): a usage error on a
// command line.
type ArgError struct{ Err error }

func (e ArgError) Error() string { return e.Err.Error() }
func (e ArgError) Unwrap() error { return e.Err }

func loadFull(opts Options) (*hooks.Config, hooks.Problems) { return hooks.Load(opts.Config) }

func policy(opts Options) trace.Policy { return hooks.TracePolicy(opts.Config) }

// marshal is JSON as the daemon sends it (HTML not escaped: "a > b" stays
// readable), so a caller prints either side's the same way.
func marshal(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n"), err
}

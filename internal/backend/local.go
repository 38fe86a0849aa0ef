package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/engine"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/safefile"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Local answers in process when no daemon runs: the configuration from
// disk, the trace index built here, the journal the last daemon left
// (read, never created), and the verdict from the same engine the daemon
// runs. What only a running daemon knows fails with ipc.ErrNotRunning.
type Local struct{ base }

// Running is false: no daemon answered when this backend was chosen.
func (l *Local) Running() bool { return false }

func (l *Local) Status(context.Context) (ipc.Status, error) { return ipc.Status{}, ipc.ErrNotRunning }

func (l *Local) Hooks(context.Context) ([]ipc.Hook, []ipc.Held, error) {
	cfg, probs := loadFull(l.opts)
	return daemon.HookList(cfg, probs, l.root(), nil), daemon.HeldList(cfg), nil
}

func (l *Local) journalPath() string { return filepath.Join(l.opts.Repo.StateDir, "journal.db") }

// history opens the journal the last daemon left, saying so, since what
// it holds may be old.
func (l *Local) history() (*journal.Reader, error) {
	path := l.journalPath()
	r, err := journal.OpenReader(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("hookd is not running, and has not run here: no history yet (start it with 'hookd start')")
	}
	if err != nil {
		return nil, err
	}
	l.notice("hookd is not running: from its journal, %s\n", path)
	return r, nil
}

func (l *Local) Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error) {
	r, err := l.history()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Runs(ctx, hook, limit)
}

func (l *Local) Run(ctx context.Context, id string) (ipc.Run, error) {
	r, err := l.history()
	if err != nil {
		return ipc.Run{}, err
	}
	defer r.Close()
	row, ok, err := r.Get(ctx, id)
	if err == nil && !ok {
		err = fmt.Errorf("no run %q in the history", id)
	}
	return row.Run, err
}

func (l *Local) Impact(ctx context.Context, refs []spec.Refs) ([]event.Citation, error) {
	cites, err := daemon.BuildImpact(ctx, l.root(), l.config(), refs)
	if err != nil {
		return nil, err
	}
	return append([]event.Citation{}, cites...), nil
}

func (l *Local) Trace(ctx context.Context, name, req string) (*trace.Report, error) {
	return daemon.BuildTrace(ctx, l.root(), l.config(), policy(l.opts), name, req)
}

func (l *Local) TraceJSON(ctx context.Context, name, req string) (json.RawMessage, error) {
	rep, err := l.Trace(ctx, name, req)
	if err != nil {
		return nil, err
	}
	return marshal(rep)
}

func (l *Local) SpecDiff(ctx context.Context, files []string, rev string, seen bool) ([]ipc.SpecDiff, error) {
	if !seen {
		return l.diffSince(ctx, files, rev)
	}
	rels, err := l.specFiles(l.config(), files)
	if err != nil || len(rels) == 0 {
		return []ipc.SpecDiff{}, err
	}
	return nil, ipc.ErrNotRunning
}

func (l *Local) SpecAccept(context.Context, string) error { return ipc.ErrNotRunning }

func (l *Local) Emit(context.Context, ipc.EmitRequest) (ipc.EmitReply, error) {
	return ipc.EmitReply{}, ipc.ErrNotRunning
}

// ForgetSession forgets in the journal on disk, which no daemon has open.
func (l *Local) ForgetSession(ctx context.Context, hook string) (string, error) {
	path := l.journalPath()
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return "", nil // hookd has not run here: there is no session
	}
	j, err := journal.Open(path, nil)
	if err != nil {
		return "", err
	}
	defer j.Close()
	return j.ForgetSession(ctx, hook)
}

// ResumeHook has nothing to resume: the breaker is a daemon's, and a
// daemon starts with no hook paused. A name no hook has is still an error.
func (l *Local) ResumeHook(_ context.Context, hook string) (string, error) {
	cfg, _ := loadFull(l.opts)
	for _, h := range cfg.Hooks {
		if h.Name == hook || (h.Title != "" && strings.EqualFold(h.Title, hook)) {
			return "", nil
		}
	}
	return "", ipc.NotFound(fmt.Sprintf("no hook named %q", hook))
}

// Decide runs the blocking hooks here, in the engine the daemon would
// have run them in.
func (l *Local) Decide(ctx context.Context, req ipc.EmitRequest) (ipc.Verdict, error) {
	kind := event.Kind(req.Kind)
	files, err := engine.Files(l.root(), req.Files, event.ChangeOf(kind))
	if err != nil {
		return ipc.Verdict{}, err
	}
	eng := engine.New(ctx, engine.Options{Root: l.root(), Config: l.opts.Config, Git: gitsrc.StateOf(l.root())})
	defer eng.Wait()
	return eng.Decide(ctx, event.Event{Kind: kind, Files: files, Args: req.Args, Depth: req.Depth, Cause: req.Cause, Agent: req.Agent}), nil
}

// Logs prints the end of the log the last daemon left: following needs a
// daemon that writes more.
func (l *Local) Logs(_ context.Context, follow bool, w io.Writer) error {
	if follow {
		return ipc.ErrNotRunning
	}
	path := filepath.Join(l.opts.Repo.StateDir, "hookd.log")
	data, err := safefile.ReadTail(path, 256<<10)
	if errors.Is(err, fs.ErrNotExist) {
		return ipc.ErrNotRunning
	}
	if err != nil {
		return err
	}
	l.notice("hookd is not running: the end of its log, %s\n", path)
	_, err = w.Write(LastLines(data, 200))
	return err
}

// LastLines is the end of data, n lines at most, whole lines only.
func LastLines(data []byte, n int) []byte {
	end := len(data)
	for i := len(data) - 1; i >= 0; i-- {
		if data[i] == '\n' && i != len(data)-1 {
			if n--; n == 0 {
				return data[i+1 : end]
			}
		}
	}
	return data
}

// diffSince compares each file with its version at rev (HEAD when empty),
// in process on both sides, and keeps those that changed.
func (b base) diffSince(ctx context.Context, files []string, rev string) ([]ipc.SpecDiff, error) {
	cfg := b.config()
	rels, err := b.specFiles(cfg, files)
	if err != nil {
		return nil, err
	}
	against := rev
	if against == "" {
		against = "HEAD"
	}
	// The revision is resolved once, and never read as an option by git: a
	// rev that names no commit is an error, not an empty tree.
	commit, err := gitcmd.Commit(ctx, b.root(), against)
	if err != nil && rev != "" {
		return nil, fmt.Errorf("--rev: %w", err)
	}
	var x *spec.Index // built on first need
	out := []ipc.SpecDiff{}
	for _, rel := range rels {
		d, ch, changed := spec.DiffSince(ctx, b.root(), rel, commit, cfg.Specs.Roots)
		if !changed {
			continue
		}
		if x == nil {
			if x, err = daemon.BuildIndex(ctx, b.root(), cfg); err != nil {
				return nil, err
			}
		}
		out = append(out, ipc.SpecDiff{Against: against, Spec: spec.Payload(x, d, ch)})
	}
	return out, nil
}

// NewLocal is the in-process backend without asking the daemon: for what
// the files answer alone (the specs, a document's parse), where a daemon
// would answer the same.
func NewLocal(opts Options) *Local { return &Local{base{opts}} }

// Root is the work tree's root.
func (b base) Root() string { return b.root() }

// HookNames lists the hooks the files on disk declare, each with its
// events after a tab (shell completion's "value\tdescription").
func (l *Local) HookNames() []string {
	var out []string
	for _, h := range l.config().Hooks {
		out = append(out, h.Name+"\t"+strings.Join(h.On, ","))
	}
	return out
}

// Defined lists, per spec, the ids it defines, from the files on disk.
func (l *Local) Defined(ctx context.Context) (map[string][]string, error) {
	x, err := daemon.BuildIndex(ctx, l.root(), l.config())
	if err != nil {
		return nil, err
	}
	return x.Defined(), nil
}

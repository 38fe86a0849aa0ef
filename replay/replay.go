// Package replay owns `hookd replay`: it walks a range of commits in a
// temporary worktree and runs, for each one, what its pre-commit and
// commit (or merge) hooks would have run there; then, at the range's head,
// the spec events each changed spec document makes against the range's
// base, through the same scheduler as the daemon's. It reports what ran,
// what a blocking hook rejected, and the suspect and dangling links the
// range made, as text or as the markdown comment for a pull request.
package replay

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/engine"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Result is what replay did and found over a range.
type Result struct {
	Range string `json:"range"`
	// Hooks says whose hooks ran: "none" (a report), "trusted" (the
	// work tree's, as the user trusted them) or "base" (the range's base
	// revision's, in CI).
	Hooks    string          `json:"hooks"`
	Base     string          `json:"base"`
	Head     string          `json:"head"`
	Commits  []Commit        `json:"commits"`
	Specs    []Spec          `json:"specs"`
	Suspect  []trace.Finding `json:"suspect"`
	Dangling []trace.Finding `json:"dangling"`
	Rejected int             `json:"rejected"`
	// Problems are the configuration files that could not be read, each
	// FILE:LINE:COL: what is wrong: their hooks did not run, the sound
	// ones did, as in the daemon.
	Problems []string `json:"problems"`
}

// Commit is one commit of the range and what its hooks did.
type Commit struct {
	Commit  string   `json:"commit"`
	Subject string   `json:"subject"`
	OK      bool     `json:"ok"`
	Failed  []string `json:"failed"`
	Ran     []string `json:"ran"`
	NotRun  []NotRun `json:"not_run"`
	// Failures say, of each blocking hook that refused the commit, how:
	// its exit and the first lines of its output.
	Failures []Failure `json:"failures"`
}

// Failure is one blocking hook's refusal of a commit.
type Failure struct {
	Hook string `json:"hook"`
	Exit int    `json:"exit"`
	// NotInstalled: the shell could not find or execute the command (exit
	// 127 or 126): the check never ran, which is not the check failing.
	NotInstalled bool `json:"not_installed"`
	// Output is the first lines of what it printed.
	Output string `json:"output"`
}

// FailureLines is how many lines of a failing hook's output a report
// quotes.
const FailureLines = 5

// Spec is one spec event of the range: a document's change from the
// range's base to its head.
type Spec struct {
	Kind   event.Kind  `json:"kind"`
	Spec   *event.Spec `json:"spec"`
	Ran    []string    `json:"ran"`
	Failed []string    `json:"failed"`
	NotRun []NotRun    `json:"not_run"`
}

// NotRun is a hook whose run never started (an agent CLI not installed, a
// skipped action), with why: not reported as run.
type NotRun struct {
	Hook string `json:"hook"`
	Why  string `json:"why"`
}

// RangeError is a range git cannot walk: the command line's fault.
type RangeError struct{ Err error }

func (e *RangeError) Error() string { return e.Err.Error() }
func (e *RangeError) Unwrap() error { return e.Err }

// Run replays the commits from..to of the repository at root in a
// temporary worktree, with the hooks of cfg. failed is told of each run of
// a blocking hook that failed on a commit, as it happens.
func Run(ctx context.Context, root string, cfg *hooks.Config, from, to string, which Hooks, failed func(Commit, queue.Record)) (*Result, error) {
	res := &Result{Range: from + ".." + to, Hooks: which.String(), Commits: []Commit{}, Specs: []Spec{}, Suspect: []trace.Finding{}, Dangling: []trace.Finding{}, Problems: []string{}}
	commits, err := git(root, "rev-list", "--reverse", from+".."+to)
	if err != nil {
		return nil, &RangeError{err}
	}
	base, err := git(root, "merge-base", from, to)
	if err != nil || len(base) == 0 {
		return nil, fmt.Errorf("%s and %s have no common ancestor: %v", from, to, err)
	}
	head, err := git(root, "rev-parse", "--verify", to+"^{commit}")
	if err != nil {
		return nil, &RangeError{err}
	}
	res.Base, res.Head = base[0], head[0]
	if len(commits) == 0 {
		return res, nil
	}
	dir, err := os.MkdirTemp("", "hookd-replay-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	tree := filepath.Join(dir, "wt")
	if _, err := git(root, "worktree", "add", "--quiet", "--detach", tree, res.Base); err != nil {
		return nil, err
	}
	defer git(root, "worktree", "remove", "--force", tree)

	// The base: its documents and its dangling citations, which the range
	// did not make.
	before, err := daemon.BuildIndex(ctx, tree, cfg)
	if err != nil {
		return nil, err
	}
	danglingBefore := map[string]bool{}
	for _, l := range before.Dangling("") {
		for _, id := range l.Cites {
			danglingBefore[l.Spec+"#"+id+"@"+l.File] = true
		}
	}

	runCfg := hooksOf(cfg, tree, which)
	r := &runs{cfg: runCfg, eng: engine.New(ctx, engine.Options{Root: tree, Loaded: runCfg, Git: gitsrc.StateOf(tree)}), blocking: map[string]bool{}}
	for _, h := range runCfg.Hooks {
		r.blocking[h.Name] = h.Blocking
	}
	for _, c := range commits {
		rc, err := r.commit(ctx, root, tree, c, failed)
		if err != nil {
			return nil, err
		}
		if !rc.OK {
			res.Rejected++
		}
		res.Commits = append(res.Commits, rc)
	}

	// The head: each spec document the range changed, against the base,
	// through the same events and engine as the daemon's.
	after, err := daemon.BuildIndex(ctx, tree, cfg)
	if err != nil {
		return nil, err
	}
	changed, err := git(tree, "diff", "--name-only", "--no-renames", res.Base, res.Head)
	if err != nil {
		return nil, err
	}
	moves, folded := archiveMoves(tree, changed, cfg.Specs.Roots)
	for _, m := range moves {
		ev := event.Event{Kind: event.SpecArchived, Time: time.Now(), Files: []event.File{event.NewFile(tree, m.Dir, event.Created, 0)}, Spec: &m}
		ran, bad, notRun := r.run(ctx, ev, nil)
		res.Specs = append(res.Specs, Spec{Kind: ev.Kind, Spec: ev.Spec, Ran: ran, Failed: bad, NotRun: notRun})
	}
	for _, rel := range changed {
		p, ok := spec.Classify(rel, cfg.Specs.Roots)
		if !ok || folded[rel] {
			continue
		}
		var old *spec.Doc
		if data, err := gitcmd.Show(ctx, tree, res.Base, rel); err == nil {
			old = spec.Parse(p, rel, data)
		}
		doc := after.Doc(rel)
		change := event.Created
		switch {
		case doc == nil:
			change = event.Deleted
		case old != nil:
			change = event.Saved
		}
		ev := event.Event{Time: time.Now(), Files: []event.File{event.NewFile(tree, rel, change, 0)}}
		for _, e := range spec.ChangeEvents(after, old, doc, ev) {
			ran, bad, notRun := r.run(ctx, e, nil)
			res.Specs = append(res.Specs, Spec{Kind: e.Kind, Spec: e.Spec, Ran: ran, Failed: bad, NotRun: notRun})
		}
	}

	res.Suspect, res.Dangling = madeByRange(ctx, tree, after, cfg, commits, danglingBefore)
	return res, nil
}

// archiveMoves finds the OpenSpec changes the range archived: a change's
// files deleted from changes/NAME/ and created under
// changes/archive/DATE-NAME/ (what `openspec archive` does). Each is one
// spec.archived event, and its files (folded) make no spec.changed: the
// requirements it brought are in its capabilities' specs, whose own
// change is reported. An archived change created as it is (not moved) is
// folded away too.
func archiveMoves(tree string, changed, roots []string) (moves []event.Spec, folded map[string]bool) {
	folded = map[string]bool{}
	deleted := map[string]bool{}
	for _, rel := range changed {
		if _, err := os.Lstat(filepath.Join(tree, rel)); err != nil {
			deleted[rel] = true
		}
	}
	byDir := map[string]*event.Spec{}
	for _, rel := range changed {
		p, ok := spec.Classify(rel, roots)
		if !ok || !p.Archived || deleted[rel] {
			continue
		}
		folded[rel] = true
		// openspec/changes/archive/2025-01-02-add-login/… was
		// openspec/changes/add-login/…
		root, rest, _ := strings.Cut(rel, "/changes/archive/")
		dated, inner, _ := strings.Cut(rest, "/")
		name := archivedName(dated)
		if was := root + "/changes/" + name + "/" + inner; deleted[was] {
			folded[was] = true
		}
		if byDir[p.Dir] == nil {
			byDir[p.Dir] = &event.Spec{Name: name, Format: string(spec.OpenSpec), Kind: "change", Dir: p.Dir, File: p.Dir,
				Added: []string{}, Removed: []string{}, Modified: []string{}, Renamed: []event.Rename{}, Changed: []string{},
				Tasks: []event.Task{}, Impacted: []event.Citation{}, Unscoped: []event.Citation{}}
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(byDir)) {
		moves = append(moves, *byDir[dir])
	}
	return moves, folded
}

// archivedName is a change's name from its archive folder's,
// "2025-01-02-add-login" → "add-login".
func archivedName(dated string) string {
	if len(dated) > 11 && dated[4] == '-' && dated[7] == '-' && dated[10] == '-' {
		return dated[11:]
	}
	return dated
}

// madeByRange are the suspect and stale links a commit of the range made,
// and the dangling citations the base did not have.
func madeByRange(ctx context.Context, tree string, after *spec.Index, cfg *hooks.Config, commits []string, danglingBefore map[string]bool) (suspect, dangling []trace.Finding) {
	suspect, dangling = []trace.Finding{}, []trace.Finding{}
	inRange := map[string]bool{}
	for _, c := range commits {
		inRange[c] = true
	}
	rep := trace.Build(ctx, after, trace.Options{Root: tree, Policy: cfg.Trace.Policy(), History: trace.NewHistory(tree)})
	for _, f := range rep.Findings {
		switch {
		case (f.Kind == trace.Suspect || f.Kind == trace.Stale) && inRange[f.Changed]:
			suspect = append(suspect, f)
		case f.Kind == trace.Dangling && !danglingBefore[f.Spec+"#"+f.Requirement+"@"+f.File]:
			dangling = append(dangling, f)
		}
	}
	return suspect, dangling
}

// Hooks says which hooks a replay runs.
type Hooks int

const (
	// NoHooks runs none: a report needs none, and a pull request's own
	// hooks must not run for it.
	NoHooks Hooks = iota
	// TrustedHooks runs the work tree's hooks as the user trusted them:
	// a file not trusted is held, as in the daemon.
	TrustedHooks
	// BaseHooks runs the hooks of the range's base revision, trusted as
	// CI trusts its own build: never those the range itself brings.
	BaseHooks
)

func (h Hooks) String() string {
	return [...]string{"none", "trusted", "base"}[h]
}

// hooksOf is the configuration whose hooks run: cfg with none, cfg, or the
// base revision's, read from the worktree checked out at the base.
func hooksOf(cfg *hooks.Config, tree string, which Hooks) *hooks.Config {
	switch which {
	case TrustedHooks:
		return cfg
	case BaseHooks:
		base, _ := hooks.Load(hooks.LoadOptions{Root: tree, TrustAll: true})
		base.Specs, base.Trace = cfg.Specs, cfg.Trace
		return base
	}
	none := *cfg
	none.Hooks, none.Unloaded = nil, nil
	return &none
}

// runs runs the hooks of replay's events, with the daemon's engine over
// the worktree and cfg's hooks.
type runs struct {
	cfg      *hooks.Config
	eng      *engine.Engine
	blocking map[string]bool // hook name → blocking
}

// commit checks out the commit c in tree and runs what its pre-commit and
// commit (or merge) hooks would have run.
func (r *runs) commit(ctx context.Context, root, tree, c string, failed func(Commit, queue.Record)) (Commit, error) {
	if _, err := git(tree, "checkout", "--quiet", "--detach", c); err != nil {
		return Commit{}, err
	}
	files, err := commitFiles(tree, c)
	if err != nil {
		return Commit{}, err
	}
	rc := Commit{Commit: c, OK: true, Failed: []string{}, Ran: []string{}, NotRun: []NotRun{}, Failures: []Failure{}}
	if subject, _ := git(root, "log", "-1", "--format=%s", c); len(subject) > 0 {
		rc.Subject = subject[0]
	}
	made := event.GitCommit
	if isMerge(root, c) {
		made = event.GitMerge
	}
	for _, kind := range []event.Kind{event.GitPreCommit, made} {
		ev := event.Event{Kind: kind, Time: time.Now(), Files: files}
		recs := r.eng.Scheduler().RunNow(ctx, ev, r.cfg.Hooks, func(*hooks.Hook) bool { return true })
		ran, _, notRun := r.sort(recs, nil)
		rc.Ran, rc.NotRun = append(rc.Ran, ran...), append(rc.NotRun, notRun...)
		// Whether the commit would have been made: the one verdict of
		// every path, on its blocking hooks.
		var blocking []queue.Record
		for _, rec := range recs {
			if r.blocking[rec.Hook] {
				blocking = append(blocking, rec)
			}
		}
		for i, row := range engine.Verdict(r.cfg, ev, blocking).Hooks {
			if !row.Denies {
				continue
			}
			rc.OK = false
			rc.Failed = append(rc.Failed, row.Hook)
			if i < len(blocking) {
				rc.Failures = append(rc.Failures, failureOf(blocking[i]))
				if failed != nil {
					failed(rc, blocking[i])
				}
			}
		}
	}
	return rc, nil
}

// run runs the hooks ev concerns and sorts them into ran, failed and not
// run (sort).
func (r *runs) run(ctx context.Context, ev event.Event, onFail func(queue.Record)) (ran, bad []string, notRun []NotRun) {
	return r.sort(r.eng.Scheduler().RunNow(ctx, ev, r.cfg.Hooks, func(*hooks.Hook) bool { return true }), onFail)
}

// sort sorts the records of hooks that ran into ran, failed and not run.
// A blocking hook that never started has failed.
func (r *runs) sort(recs []queue.Record, onFail func(queue.Record)) (ran, bad []string, notRun []NotRun) {
	ran, bad, notRun = []string{}, []string{}, []NotRun{}
	for _, rec := range recs {
		if rec.Phase != queue.Finished {
			continue
		}
		if why := neverStarted(rec.Result); why != "" {
			notRun = append(notRun, NotRun{Hook: rec.Hook, Why: why})
			if r.blocking[rec.Hook] {
				bad = append(bad, rec.Hook)
			}
			continue
		}
		ran = append(ran, rec.Hook)
		if rec.Result.Status != runner.StatusOK {
			bad = append(bad, rec.Hook)
			if onFail != nil {
				onFail(rec)
			}
		}
	}
	return ran, bad, notRun
}

// failureOf says how a blocking hook's run refused a commit.
func failureOf(rec queue.Record) Failure {
	r := rec.Result
	f := Failure{Hook: rec.Hook, Exit: r.Exit, NotInstalled: r.Exit == 126 || r.Exit == 127}
	out := strings.TrimSpace(r.Output)
	if out == "" && r.Err != nil {
		out = r.Err.Error()
	}
	lines := strings.Split(out, "\n")
	if len(lines) > FailureLines {
		lines = append(lines[:FailureLines], fmt.Sprintf("… (%d more lines)", len(lines)-FailureLines))
	}
	f.Output = strings.Join(lines, "\n")
	return f
}

// isMerge says whether the commit c has more than one parent: a merge
// commit is git.merge, as the daemon names it. (The daemon names its
// git.merge by the reflog's operation, which a range of commits does not
// have: a fast-forward merge there is the commits it brings.)
func isMerge(root, c string) bool {
	parents, _ := git(root, "rev-list", "--parents", "-n", "1", c)
	return len(parents) > 0 && len(strings.Fields(parents[0])) > 2
}

// neverStarted says why a finished run never started, or "".
func neverStarted(r runner.Result) string {
	switch {
	case r.Status == runner.StatusSkipped:
		return cmp.Or(errString(r.Err), "skipped")
	case r.Status == runner.StatusFailed && r.Exit == -1 && r.Err != nil:
		return r.Err.Error()
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// git runs git in dir and returns its output lines.
func git(dir string, args ...string) ([]string, error) {
	return gitcmd.Lines(context.Background(), dir, args...)
}

// commitFiles lists the files a commit changed against its first parent,
// renames as a deletion and a creation.
func commitFiles(dir, commit string) ([]event.File, error) {
	args := []string{"diff-tree", "--no-commit-id", "--root", "-r", "--name-status", "--no-renames", commit}
	if isMerge(dir, commit) {
		// A merge's plain diff-tree is empty. Its own changes, those no
		// parent has (an "evil merge", a conflict's resolution), are what
		// it brings that no commit of the range was judged on.
		args = []string{"diff-tree", "--cc", "--no-commit-id", "-r", "--name-status", "--no-renames", commit}
	}
	lines, err := git(dir, args...)
	if err != nil {
		return nil, err
	}
	var files []event.File
	for _, l := range lines {
		status, path, ok := strings.Cut(l, "\t")
		if !ok {
			continue
		}
		change := event.Saved
		switch {
		case strings.Trim(status, "A") == "": // "A", or "AA" from a merge
			change = event.Created
		case strings.Trim(status, "D") == "":
			change = event.Deleted
		}
		files = append(files, event.NewFile(dir, path, change, 0))
	}
	return files, nil
}

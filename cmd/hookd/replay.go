package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// replayed is what replay did and found over a range.
type replayed struct {
	Range    string          `json:"range"`
	Base     string          `json:"base"`
	Head     string          `json:"head"`
	Commits  []replayCommit  `json:"commits"`
	Specs    []replaySpec    `json:"specs"`
	Suspect  []trace.Finding `json:"suspect"`
	Dangling []trace.Finding `json:"dangling"`
	Rejected int             `json:"rejected"`
}

type replayCommit struct {
	Commit  string       `json:"commit"`
	Subject string       `json:"subject"`
	OK      bool         `json:"ok"`
	Failed  []string     `json:"failed"`
	Ran     []string     `json:"ran"`
	NotRun  []notRunHook `json:"not_run"`
}

// replaySpec is one spec event of the range: a document's change from the
// range's base to its head.
type replaySpec struct {
	Kind   event.Kind   `json:"kind"`
	Spec   *event.Spec  `json:"spec"`
	Ran    []string     `json:"ran"`
	Failed []string     `json:"failed"`
	NotRun []notRunHook `json:"not_run"`
}

// notRunHook is a hook whose run never started (an agent CLI not
// installed, a skipped action), with why: not reported as run.
type notRunHook struct {
	Hook string `json:"hook"`
	Why  string `json:"why"`
}

func newReplayCmd(g *globals) *cobra.Command {
	var rng, report string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "replay --range A..B",
		Short: "Run the hooks over a range of commits as the daemon would have, and report what it changed in the specs",
		Long: `replay checks out each commit of the range, oldest first, in a temporary
worktree, and runs what its pre-commit and commit hooks would have run there,
with the commit's files as the batch. Then, at the range's head, each spec
document the range changed makes the events the daemon would have made:
spec.changed with its requirement diff against the range's base (merge-base
of A and B) and what cites the changed requirements, and spec.task for tasks
whose status changed; the hooks on them run, through the same engine as the
daemon's. A hook that could not start (an agent CLI that is not installed) is
listed as not run, never as run.

It exits 1 when a blocking hook rejects a commit, naming the commit.

--report md prints, instead, a comment for the pull request: the
requirements added, changed, renamed and removed, what cites each, and the
suspect and dangling links the range made (see docs/specs.md).

replay runs the repository's own hooks, as CI does with its own build: it does
not ask for 'hookd trust'. The hooks are read from the current checkout.`,
		Example: `  hookd replay --range origin/main..HEAD
  hookd replay --range origin/main..HEAD --report md > comment.md
  hookd replay --range HEAD~5..HEAD --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, to, ok := strings.Cut(rng, "..")
			if !ok || from == "" || to == "" || strings.HasPrefix(to, ".") {
				return usageError{fmt.Errorf("--range takes A..B, not %q", rng)}
			}
			if report != "" && report != "md" {
				return usageError{fmt.Errorf("--report takes md, not %q", report)}
			}
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			opts.TrustAll = true // CI runs the repository's hooks as it runs its build
			cfg, probs := hooks.Load(opts)
			if len(probs) > 0 {
				for _, p := range probs {
					printProblem(g.stderr, p)
				}
				return ExitError{exitFailure}
			}
			quiet := asJSON || report != ""
			res, err := replay(cmd.Context(), repo.Root, cfg, rng, from, to, func(c replayCommit, r queue.Record) {
				if !quiet {
					fmt.Fprintf(g.stderr, "%s %s: %s failed (exit %d)\n%s\n", c.Commit[:7], c.Subject, r.Hook, r.Result.Exit, strings.TrimSpace(r.Result.Output))
				}
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				if err := printJSON(out, res); err != nil {
					return err
				}
			case report == "md":
				replayMarkdown(out, res)
			default:
				printReplay(out, res)
			}
			if res.Rejected > 0 {
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rng, "range", "", "the commits to replay, as A..B (required)")
	cmd.Flags().StringVar(&report, "report", "", "print a report for a pull request instead: md")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

// replay does the work of `hookd replay` in a temporary worktree.
func replay(ctx context.Context, root string, cfg *hooks.Config, rng, from, to string, failed func(replayCommit, queue.Record)) (*replayed, error) {
	res := &replayed{Range: rng, Commits: []replayCommit{}, Specs: []replaySpec{}, Suspect: []trace.Finding{}, Dangling: []trace.Finding{}}
	commits, err := gitLines(root, "rev-list", "--reverse", from+".."+to)
	if err != nil {
		return nil, usageError{err}
	}
	base, err := gitLines(root, "merge-base", from, to)
	if err != nil || len(base) == 0 {
		return nil, fmt.Errorf("%s and %s have no common ancestor: %v", from, to, err)
	}
	head, err := gitLines(root, "rev-parse", "--verify", to+"^{commit}")
	if err != nil {
		return nil, usageError{err}
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
	if _, err := gitLines(root, "worktree", "add", "--quiet", "--detach", tree, res.Base); err != nil {
		return nil, err
	}
	defer gitLines(root, "worktree", "remove", "--force", tree)

	// The base: its documents and its dangling citations, which the range
	// did not make.
	before, err := localIndex(ctx, tree, cfg)
	if err != nil {
		return nil, err
	}
	danglingBefore := map[string]bool{}
	for _, l := range before.Dangling("") {
		for _, id := range l.Cites {
			danglingBefore[l.Spec+"#"+id+"@"+l.File] = true
		}
	}

	actions := &runner.Actions{Config: func() *hooks.Config { return cfg }}
	sched := queue.New(ctx, queue.Options{Root: tree, MaxRuns: 1, Run: actions.Run, Git: gitsrc.StateOf(tree)})
	sched.SetHooks(cfg.Hooks)
	blocking := map[string]bool{}
	for _, h := range cfg.Hooks {
		blocking[h.Name] = h.Blocking
	}
	// run runs the hooks ev concerns and sorts them into ran, failed and
	// not run.
	run := func(ev event.Event, onFail func(queue.Record)) (ran, bad []string, notRun []notRunHook) {
		ran, bad, notRun = []string{}, []string{}, []notRunHook{}
		for _, r := range sched.RunNow(ctx, ev, nil, func(*hooks.Hook) bool { return true }) {
			if r.Phase != queue.Finished {
				continue
			}
			if why := neverStarted(r.Result); why != "" {
				notRun = append(notRun, notRunHook{Hook: r.Hook, Why: why})
				if blocking[r.Hook] {
					bad = append(bad, r.Hook)
				}
				continue
			}
			ran = append(ran, r.Hook)
			if r.Result.Status != runner.StatusOK {
				bad = append(bad, r.Hook)
				if onFail != nil {
					onFail(r)
				}
			}
		}
		return ran, bad, notRun
	}

	for _, c := range commits {
		if _, err := gitLines(tree, "checkout", "--quiet", "--detach", c); err != nil {
			return nil, err
		}
		files, err := commitFiles(tree, c)
		if err != nil {
			return nil, err
		}
		rc := replayCommit{Commit: c, OK: true, Failed: []string{}, Ran: []string{}, NotRun: []notRunHook{}}
		if subject, _ := gitLines(root, "log", "-1", "--format=%s", c); len(subject) > 0 {
			rc.Subject = subject[0]
		}
		// A merge is git.merge, as the daemon names it.
		made := event.GitCommit
		if parents, _ := gitLines(root, "rev-list", "--parents", "-n", "1", c); len(parents) > 0 && len(strings.Fields(parents[0])) > 2 {
			made = event.GitMerge
		}
		for _, kind := range []event.Kind{event.GitPreCommit, made} {
			ran, bad, notRun := run(event.Event{Kind: kind, Time: time.Now(), Files: files}, func(r queue.Record) {
				if blocking[r.Hook] {
					failed(rc, r)
				}
			})
			rc.Ran, rc.NotRun = append(rc.Ran, ran...), append(rc.NotRun, notRun...)
			for _, h := range bad {
				if blocking[h] {
					rc.OK = false
					rc.Failed = append(rc.Failed, h)
				}
			}
		}
		if !rc.OK {
			res.Rejected++
		}
		res.Commits = append(res.Commits, rc)
	}

	// The head: each spec document the range changed, against the base,
	// through the same events and engine as the daemon's.
	after, err := localIndex(ctx, tree, cfg)
	if err != nil {
		return nil, err
	}
	changed, err := gitLines(tree, "diff", "--name-only", "--no-renames", res.Base, res.Head)
	if err != nil {
		return nil, err
	}
	for _, rel := range changed {
		p, ok := spec.Classify(rel, cfg.Specs.Roots)
		if !ok {
			continue
		}
		var old *spec.Doc
		if data, err := gitShow(ctx, tree, res.Base, rel); err == nil {
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
			ran, bad, notRun := run(e, nil)
			res.Specs = append(res.Specs, replaySpec{Kind: e.Kind, Spec: e.Spec, Ran: ran, Failed: bad, NotRun: notRun})
		}
	}

	// What the range made suspect, stale or dangling.
	inRange := map[string]bool{}
	for _, c := range commits {
		inRange[c] = true
	}
	rep := trace.Build(ctx, after, trace.Options{Root: tree, Policy: cfg.Trace.Policy(), History: trace.NewHistory(tree)})
	for _, f := range rep.Findings {
		switch {
		case (f.Kind == trace.Suspect || f.Kind == trace.Stale) && inRange[f.Changed]:
			res.Suspect = append(res.Suspect, f)
		case f.Kind == trace.Dangling && !danglingBefore[f.Spec+"#"+f.Requirement+"@"+f.File]:
			res.Dangling = append(res.Dangling, f)
		}
	}
	return res, nil
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

func printReplay(out io.Writer, res *replayed) {
	for _, c := range res.Commits {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(out, "%s %s %s (%s)\n", mark, c.Commit[:7], c.Subject, plural(len(c.Ran), "hook", "hooks"))
		for _, n := range c.NotRun {
			fmt.Fprintf(out, "     not run: %s: %s\n", n.Hook, n.Why)
		}
	}
	for _, s := range res.Specs {
		what := fmt.Sprintf("%d added, %d modified, %d removed, %d renamed", len(s.Spec.Added), len(s.Spec.Modified), len(s.Spec.Removed), len(s.Spec.Renamed))
		if s.Kind == event.SpecTask {
			what = plural(len(s.Spec.Tasks), "task", "tasks") + " changed status"
		}
		fmt.Fprintf(out, "%-12s %s: %s (%s)\n", s.Kind, s.Spec.File, what, plural(len(s.Ran), "hook", "hooks"))
		for _, n := range s.NotRun {
			fmt.Fprintf(out, "     not run: %s: %s\n", n.Hook, n.Why)
		}
	}
	for _, f := range append(slices.Clone(res.Suspect), res.Dangling...) {
		fmt.Fprintf(out, "%s:%d: %s: %s\n", f.File, f.Line, f.Kind, f.Message)
	}
	fmt.Fprintf(out, "%s, %d rejected by a blocking hook\n", plural(len(res.Commits), "commit", "commits"), res.Rejected)
}

// replayMarkdown is the pull-request comment: what the range did to the
// specs, and what a reviewer should look at because of it.
func replayMarkdown(w io.Writer, res *replayed) {
	short := func(h string) string { return h[:min(7, len(h))] }
	fmt.Fprintf(w, "## hookd: requirements in `%s`\n\n", res.Range)
	fmt.Fprintf(w, "%s from `%s` to `%s`", plural(len(res.Commits), "commit", "commits"), short(res.Base), short(res.Head))
	if res.Rejected > 0 {
		fmt.Fprintf(w, "; **%d rejected by a blocking hook**", res.Rejected)
	}
	fmt.Fprint(w, ".\n\n")
	type row struct {
		spec, id, change, file string
		cites                  []event.Citation
	}
	var rows []row
	for _, s := range res.Specs {
		if s.Kind != event.SpecChanged {
			continue
		}
		p := s.Spec
		byID := map[string][]event.Citation{}
		for _, c := range p.Impacted {
			byID[c.Requirement] = append(byID[c.Requirement], c)
		}
		citing := func(id string) []event.Citation {
			var out []event.Citation
			for cid, cs := range byID {
				if spec.Covers(id, cid) {
					out = append(out, cs...)
				}
			}
			return out
		}
		for _, id := range p.Added {
			rows = append(rows, row{p.Name, id, "added", p.File, citing(id)})
		}
		for _, id := range p.Modified {
			rows = append(rows, row{p.Name, id, "changed", p.File, citing(id)})
		}
		for _, r := range p.Renamed {
			rows = append(rows, row{p.Name, r.To, "renamed from " + r.From, p.File, citing(r.To)})
		}
		for _, id := range p.Removed {
			rows = append(rows, row{p.Name, id, "removed", p.File, citing(id)})
		}
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "No requirement was added, changed, renamed or removed.")
	} else {
		fmt.Fprintln(w, "| spec | requirement | change | cited by |\n|---|---|---|---|")
		for _, r := range rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.spec, r.id, r.change, citedBy(r.cites))
		}
		fmt.Fprint(w, "\n<details><summary>What cites them</summary>\n\n")
		for _, r := range rows {
			if len(r.cites) == 0 {
				continue
			}
			fmt.Fprintf(w, "- **%s#%s** (%s)\n", r.spec, r.id, r.change)
			for _, c := range r.cites {
				note := ""
				if c.Stale {
					note = " (done: possibly stale)"
				}
				fmt.Fprintf(w, "  - %s `%s:%d`%s\n", c.Kind, c.File, c.Line, note)
			}
		}
		fmt.Fprintln(w, "\n</details>")
	}
	var tasks []string
	for _, s := range res.Specs {
		if s.Kind == event.SpecTask {
			for _, t := range s.Spec.Tasks {
				tasks = append(tasks, fmt.Sprintf("- %s task %s: %s → %s", s.Spec.Name, t.ID, t.From, t.To))
			}
		}
	}
	if len(tasks) > 0 {
		fmt.Fprintf(w, "\n### Tasks\n\n%s\n", strings.Join(tasks, "\n"))
	}
	section := func(title string, fs []trace.Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n### %s (%d)\n\n", title, len(fs))
		for _, f := range fs {
			fmt.Fprintf(w, "- `%s:%d` %s\n", f.File, f.Line, f.Message)
		}
	}
	section("New suspect links: check them, then `hookd trace review`", res.Suspect)
	section("New dangling citations", res.Dangling)
	if len(res.Suspect)+len(res.Dangling) == 0 {
		fmt.Fprintln(w, "\nNo new suspect or dangling links.")
	}
	var hookLines []string
	for _, c := range res.Commits {
		if !c.OK {
			hookLines = append(hookLines, fmt.Sprintf("- ❌ `%s` %s: %s failed", short(c.Commit), c.Subject, strings.Join(c.Failed, ", ")))
		}
		for _, n := range c.NotRun {
			hookLines = append(hookLines, fmt.Sprintf("- ⚠️ `%s`: %s did not run: %s", short(c.Commit), n.Hook, n.Why))
		}
	}
	for _, s := range res.Specs {
		for _, h := range s.Ran {
			mark := pick(slices.Contains(s.Failed, h), "❌", "✅")
			hookLines = append(hookLines, fmt.Sprintf("- %s %s on %s ran", mark, h, s.Spec.File))
		}
		for _, n := range s.NotRun {
			hookLines = append(hookLines, fmt.Sprintf("- ⚠️ %s on %s did not run: %s", n.Hook, s.Spec.File, n.Why))
		}
	}
	if len(hookLines) > 0 {
		fmt.Fprintf(w, "\n### Hooks\n\n%s\n", strings.Join(hookLines, "\n"))
	}
}

func citedBy(cs []event.Citation) string {
	if len(cs) == 0 {
		return "nothing"
	}
	n := map[string]int{}
	for _, c := range cs {
		n[c.Kind]++
	}
	var parts []string
	for _, k := range []string{"task", "design", "code", "test", "change"} {
		if n[k] > 0 {
			parts = append(parts, plural(n[k], k, k+"s"))
		}
	}
	return strings.Join(parts, ", ")
}

// gitLines runs git in dir and returns its output lines.
func gitLines(dir string, args ...string) ([]string, error) {
	return gitcmd.Lines(context.Background(), dir, args...)
}

// commitFiles lists the files a commit changed against its first parent.
func commitFiles(dir, commit string) ([]event.File, error) {
	lines, err := gitLines(dir, "diff-tree", "--no-commit-id", "--root", "-r", "--name-status", "--no-renames", commit)
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
		switch status {
		case "A":
			change = event.Created
		case "D":
			change = event.Deleted
		}
		files = append(files, event.NewFile(dir, path, change, 0))
	}
	return files, nil
}

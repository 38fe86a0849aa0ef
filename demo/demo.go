// Package demo owns `hookd demo`: a tour of hookd in a throwaway copy of
// the Kiro example repository, with a daemon on it and a stand-in agent,
// narrating which hooks run for each change and why. It needs no AI agent
// and no network.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/examples"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/human"
)

// narrator narrates a daemon at work.
type narrator struct {
	out     io.Writer
	root    string
	d       *daemon.Daemon
	records chan queue.Record
	runs    int
}

// Run copies the example repository to a temporary folder, starts a
// daemon on it with a stand-in agent, makes the changes of the tour and
// narrates on out which hooks run and why. keep leaves the repository
// behind.
func Run(ctx context.Context, out io.Writer, keep bool) error {
	tmp, err := os.MkdirTemp("", "hookd-demo-")
	if err != nil {
		return err
	}
	if keep {
		defer fmt.Fprintf(out, "\nThe demo repository is kept at %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	repo, git, err := setup(tmp)
	if err != nil {
		return err
	}
	dm := &narrator{out: out, root: repo.Root, records: make(chan queue.Record, 64)}
	// The demo wrote this repository itself, so it trusts its hookd.toml in a
	// store of its own; yours is left alone.
	trust := hooks.TrustStore{Path: filepath.Join(tmp, "trust.json")}
	if err := trust.TrustAsTheyAre(repo.Root, hooks.RepoFile, hooks.LocalFile); err != nil {
		return err
	}
	dm.d = daemon.New(daemon.Options{
		Repo: repo,
		// The user's own config stays out of it.
		Config:  hooks.LoadOptions{Root: repo.Root, GitDir: repo.GitDir, Trust: trust},
		Observe: func(r queue.Record) { dm.records <- r },
	})
	cfg, probs := dm.d.Config()
	if len(probs) > 0 {
		return fmt.Errorf("the demo's hookd.toml is broken: %w", probs)
	}
	introduce(out, repo.Root, cfg)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- dm.d.Run(ctx) }()
	select {
	case <-dm.d.Ready():
	case err := <-done:
		return err
	}
	fmt.Fprintf(out, "\nThe daemon is watching. Now the demo edits files.\n")

	steps := dm.steps(repo.GitDir != "", git)
	for i, s := range steps {
		fmt.Fprintf(out, "\n%d. %s\n", i+1, s.title)
		if err := s.act(); err != nil {
			return err
		}
		if err := dm.expect(ctx, s.expect); err != nil {
			return err
		}
		if s.note != "" {
			fmt.Fprintf(out, "   → %s\n", s.note)
		}
	}

	fmt.Fprintf(out, "\nAsk why without running anything:  hookd explain file.saved --file src/greet.test.ts\n")
	x := hooks.Explain(cfg, repo.Root, event.Event{Kind: event.FileSaved, Files: []event.File{event.NewFile(repo.Root, "src/greet.test.ts", event.Saved, 0)}}, gitsrc.StateOf(repo.Root))
	for _, e := range x {
		if e.Hook == "tests-follow-code" {
			hooks.WriteExplanation(indent{out}, e, cfg.Hook(e.Hook), false)
		}
	}

	cancel()
	if err := <-done; err != nil {
		return err
	}
	fmt.Fprintf(out, "Done: %s. Next, in your own repository: `hookd check`, then `hookd trust` and `hookd start`.\n", human.Plural(dm.runs, "run", "runs"))
	return nil
}

// expect waits until exactly the named hooks have run once each for the
// last change, printing what they did.
func (dm *narrator) expect(ctx context.Context, names []string) error {
	if err := dm.d.Sync(ctx); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, h := range names {
		want[h] = true
	}
	deadline := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case r := <-dm.records:
			if r.Phase != queue.Finished {
				continue
			}
			dm.runs++
			if !want[r.Hook] {
				return fmt.Errorf("demo: hook %s ran unexpectedly", r.Hook)
			}
			delete(want, r.Hook)
			var files []string
			for _, f := range r.Event.Files {
				files = append(files, f.Change+" "+f.Path)
			}
			fmt.Fprintf(dm.out, "   ✓ %s ran (%s: %s), %s in %s\n", r.Hook, r.Event.Kind, strings.Join(files, ", "),
				r.Result.Status, roundDuration(r.Result.Duration))
			for _, line := range strings.Split(strings.TrimRight(r.Result.Output, "\n"), "\n") {
				if line != "" {
					fmt.Fprintf(dm.out, "     │ %s\n", line)
				}
			}
		case <-deadline:
			return errors.New("demo: a hook did not run within 10s")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Once every change is settled and every batch has run or been
	// dropped, nothing else can run for this step.
	if err := dm.d.Idle(ctx); err != nil {
		return err
	}
	for {
		select {
		case r := <-dm.records:
			if r.Phase == queue.Finished {
				return fmt.Errorf("demo: hook %s ran unexpectedly", r.Hook)
			}
			continue
		default:
		}
		break
	}
	if len(names) == 0 {
		fmt.Fprintln(dm.out, "   · no hook ran")
	}
	return nil
}

func (dm *narrator) path(rel string) string { return filepath.Join(dm.root, filepath.FromSlash(rel)) }

func (dm *narrator) writeFile(rel, body string) func() error {
	return func() error { return os.WriteFile(dm.path(rel), []byte(body), 0o644) }
}

// edit replaces old with new in a file, as an editor's save does.
func (dm *narrator) edit(rel, old, new string) func() error {
	return func() error {
		data, err := os.ReadFile(dm.path(rel))
		if err != nil {
			return err
		}
		if !strings.Contains(string(data), old) {
			return fmt.Errorf("demo: %s no longer holds %q", rel, old)
		}
		return os.WriteFile(dm.path(rel), []byte(strings.Replace(string(data), old, new, 1)), 0o644)
	}
}

func (dm *narrator) rewrite(rel string) func() error {
	return func() error {
		data, err := os.ReadFile(dm.path(rel))
		if err != nil {
			return err
		}
		return os.WriteFile(dm.path(rel), data, 0o644)
	}
}

// roundDuration keeps two significant digits, so fast runs do not read as 0s.
func roundDuration(d time.Duration) time.Duration {
	for unit := time.Hour; unit > time.Microsecond; unit /= 10 {
		if d >= 10*unit {
			return d.Round(unit)
		}
	}
	return d.Round(time.Microsecond)
}

// indent prefixes every line written through it.
type indent struct{ w io.Writer }

func (i indent) Write(p []byte) (int, error) {
	s := strings.ReplaceAll(strings.TrimRight(string(p), "\n"), "\n", "\n   ")
	if s == "" {
		_, err := i.w.Write([]byte("\n"))
		return len(p), err
	}
	_, err := fmt.Fprintf(i.w, "   %s\n", s)
	return len(p), err
}

// setup makes the throwaway repository in tmp: the example copied, the
// stand-in agent, and git when there is one. git runs git in it.
func setup(tmp string) (repo daemon.Repo, git func(args ...string) error, err error) {
	root := filepath.Join(tmp, "repo")
	if err := examples.CopyTo(examples.Demo(), root); err != nil {
		return daemon.Repo{}, nil, fmt.Errorf("create demo repository: %w", err)
	}
	// The stand-in agent prints what it was asked, whatever args it gets.
	standIn := "[agent.assistant]\npreset = \"command\"\ncommand = [\"sh\", \"-c\", \"sed 's/^/asked: /'\", \"demo-agent\"]\n"
	if err := os.WriteFile(filepath.Join(root, hooks.LocalFile), []byte(standIn), 0o644); err != nil {
		return daemon.Repo{}, nil, err
	}
	repo = daemon.Repo{Root: root, StateDir: filepath.Join(tmp, "state")}
	git = func(args ...string) error {
		_, err := gitcmd.Output(context.Background(), root, append([]string{"-c", "user.name=hookd demo", "-c", "user.email=demo@hookd.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		return err
	}
	if _, err := exec.LookPath("git"); err == nil {
		if git("init", "-q") == nil && git("add", "-A") == nil && git("commit", "-q", "-m", "Start") == nil {
			repo.GitDir = filepath.Join(root, ".git")
			repo.StateDir = filepath.Join(repo.GitDir, "hookd")
		}
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		repo.Root = real
	}
	return repo, git, nil
}

// introduce says what the repository's hookd.toml declares.
func introduce(out io.Writer, root string, cfg *hooks.Config) {
	fmt.Fprintf(out, "hookd demo: a throwaway repository at %s\n\n", root)
	fmt.Fprintf(out, "Its hookd.toml declares %s:\n", human.Plural(len(cfg.Hooks), "hook", "hooks"))
	for _, h := range cfg.Hooks {
		fmt.Fprintf(out, "  %-18s on %s", h.Name, strings.Join(h.On, ", "))
		if len(h.Paths) > 0 {
			fmt.Fprintf(out, "  paths %s", strings.Join(h.Paths, " "))
		}
		if !h.If.IsZero() {
			fmt.Fprintf(out, "  if %s", h.If.Source())
		}
		fmt.Fprintln(out)
	}

}

// step is one thing the demo does, the hooks that must run for it (none:
// nothing may), and what to notice.
type step struct {
	title  string
	act    func() error
	expect []string
	note   string
}

// steps are what the demo does, in order; the commit only with git.
func (dm *narrator) steps(withGit bool, git func(args ...string) error) []step {
	req := "WHEN the name is empty THEN the system SHALL greet the user as \"friend\""
	steps := []step{
		{"save the code, src/greet.ts", dm.writeFile("src/greet.ts", "// Requirements (greeting): 1.1, 1.2\nexport function greet(name: string): string {\n  return `Hi, ${name || \"friend\"}!`;\n}\n"),
			[]string{"tests-follow-code"}, "the agent got the steering that applies (tech, typescript: *.ts, AGENTS.md), not release.md (manual)"},
		{"write src/greet.ts again with identical bytes", dm.rewrite("src/greet.ts"),
			nil, "nothing ran: a save that leaves the bytes unchanged is not an event"},
		{"save the test, src/greet.test.ts", dm.rewrite("src/greet.test.ts"),
			nil, "nothing ran: paths leaves out *.test.ts"},
	}
	if withGit {
		steps = append(steps, step{"commit it: git commit -am 'Say hi'", func() error { return git("commit", "-qam", "Say hi") },
			[]string{"checks"}, "git.commit comes from HEAD's reflog: any commit, whoever makes it"})
	}
	steps = append(steps, []step{
		{"change acceptance criterion 1.2 in .kiro/specs/greeting/requirements.md", dm.edit(".kiro/specs/greeting/requirements.md", req, strings.Replace(req, `"friend"`, `"guest"`, 1)),
			[]string{"impact", "tasks-follow-requirements"}, "spec.changed says which requirement changed (1.2), and who cites it"},
		{"tick task 2 in tasks.md", dm.edit(".kiro/specs/greeting/tasks.md", "- [ ] 2.", "- [x] 2."),
			[]string{"progress"}, "a ticked box is spec.task (progress), never spec.changed"},
	}...)
	return steps
}

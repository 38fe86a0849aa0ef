package replay

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/trace"
)

// repo makes a git repository with the files given, committed as "base".
func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gitT(t, root, "init", "-q", "-b", "main")
	write(t, root, files)
	gitT(t, root, "add", "-A")
	gitT(t, root, "commit", "-q", "-m", "base")
	gitT(t, root, "tag", "base")
	return root
}

func gitT(t *testing.T, root string, args ...string) string {
	t.Helper()
	out, err := gitcmd.Output(context.Background(), root, append([]string{"-c", "user.name=Ada", "-c", "user.email=ada@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func load(t *testing.T, root string) *hooks.Config {
	t.Helper()
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root, GitDir: filepath.Join(root, ".git"), TrustAll: true})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return cfg
}

const config = `
[[hook]]
name = "no-bad"
on = "git.pre-commit"
blocking = true
run = 'for f in $HOOKD_FILES; do if grep -q BAD "$f" 2>/dev/null; then echo "BAD in $f"; exit 1; fi; done'

[[hook]]
name = "on-commit"
on = "git.commit"
run = 'true'

[[hook]]
name = "on-merge"
on = "git.merge"
run = 'true'
`

// Each commit of the range runs its pre-commit and commit hooks, in order;
// a blocking hook's failure rejects the commit and is told as it happens;
// a merge commit is git.merge.
func TestRunWalksTheRange(t *testing.T) {
	root := repo(t, map[string]string{"hookd.toml": config})
	gitT(t, root, "checkout", "-q", "-b", "topic")
	write(t, root, map[string]string{"good.txt": "fine\n"})
	gitT(t, root, "add", "-A")
	gitT(t, root, "commit", "-q", "-m", "good")
	write(t, root, map[string]string{"bad.txt": "BAD\n"})
	gitT(t, root, "add", "-A")
	gitT(t, root, "commit", "-q", "-m", "bad")
	gitT(t, root, "checkout", "-q", "main")
	gitT(t, root, "merge", "-q", "--no-ff", "-m", "merge topic", "topic")

	var told []string
	res, err := Run(context.Background(), root, load(t, root), "base", "HEAD", TrustedHooks, func(c Commit, r queue.Record) {
		told = append(told, c.Subject+": "+r.Hook+": "+strings.TrimSpace(r.Result.Output))
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Range != "base..HEAD" || res.Base != gitT(t, root, "rev-parse", "base") || res.Head != gitT(t, root, "rev-parse", "HEAD") {
		t.Errorf("range %q, base %s, head %s", res.Range, res.Base, res.Head)
	}
	var got []string
	for _, c := range res.Commits {
		got = append(got, c.Subject+" ok="+map[bool]string{true: "yes", false: "no"}[c.OK]+" ran="+strings.Join(c.Ran, ",")+" failed="+strings.Join(c.Failed, ","))
	}
	want := []string{
		"good ok=yes ran=no-bad,on-commit failed=",
		"bad ok=no ran=no-bad,on-commit failed=no-bad",
		"merge topic ok=yes ran=no-bad,on-merge failed=", // diff-tree lists no files for a merge commit
	}
	if !slices.Equal(got, want) {
		t.Errorf("commits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Rejected != 1 {
		t.Errorf("rejected %d, want 1", res.Rejected)
	}
	if want := []string{"bad: no-bad: BAD in bad.txt"}; !slices.Equal(told, want) {
		t.Errorf("told %q, want %q", told, want)
	}
	if wt, _ := gitcmd.Lines(context.Background(), root, "worktree", "list"); len(wt) != 1 {
		t.Errorf("the temporary worktree is left behind: %q", wt)
	}
}

// An empty range has nothing to run; a range git cannot read is the
// command line's fault.
func TestRunRanges(t *testing.T) {
	root := repo(t, map[string]string{"hookd.toml": config})
	res, err := Run(context.Background(), root, load(t, root), "HEAD", "HEAD", TrustedHooks, nil)
	if err != nil || len(res.Commits) != 0 || res.Commits == nil || res.Specs == nil {
		t.Errorf("empty range: %+v, %v", res, err)
	}
	_, err = Run(context.Background(), root, load(t, root), "base", "nowhere", TrustedHooks, nil)
	var bad *RangeError
	if !errors.As(err, &bad) {
		t.Errorf("an unknown revision: %v (%T), want a RangeError", err, err)
	}
}

// A spec document the range changed makes spec.changed against the base,
// and the hooks on it run.
func TestRunSpecEvents(t *testing.T) {
	req := "# Requirements\n\n### Requirement 1: Greet\n\n#### Acceptance Criteria\n\n1. WHEN a user arrives THEN the system SHALL greet them\n"
	root := repo(t, map[string]string{
		"hookd.toml":                        "[[hook]]\nname = \"impact\"\non = \"spec.changed\"\nrun = 'true'\n",
		".kiro/specs/greet/requirements.md": req,
	})
	write(t, root, map[string]string{".kiro/specs/greet/requirements.md": req + "2. WHEN a user leaves THEN the system SHALL say goodbye\n"})
	gitT(t, root, "commit", "-qam", "a criterion")
	res, err := Run(context.Background(), root, load(t, root), "base", "HEAD", TrustedHooks, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Specs) != 1 {
		t.Fatalf("spec events: %+v", res.Specs)
	}
	s := res.Specs[0]
	if s.Kind != event.SpecChanged || s.Spec.File != ".kiro/specs/greet/requirements.md" || !slices.Equal(s.Spec.Added, []string{"1.2"}) || !slices.Equal(s.Ran, []string{"impact"}) {
		t.Errorf("%s %s added %v ran %v", s.Kind, s.Spec.File, s.Spec.Added, s.Ran)
	}
}

// commitFiles says what a commit did to each file, against its first
// parent; the first commit creates its files.
func TestCommitFiles(t *testing.T) {
	root := repo(t, map[string]string{"a": "a\n", "b": "b\n"})
	write(t, root, map[string]string{"a": "A\n", "c": "c\n"})
	os.Remove(filepath.Join(root, "b"))
	gitT(t, root, "add", "-A")
	gitT(t, root, "commit", "-q", "-m", "change")
	describe := func(rev string) []string {
		files, err := commitFiles(root, gitT(t, root, "rev-parse", rev))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range files {
			out = append(out, f.Change+" "+f.Path)
		}
		return out
	}
	if got, want := describe("HEAD"), []string{"saved a", "deleted b", "created c"}; !slices.Equal(got, want) {
		t.Errorf("HEAD: %q, want %q", got, want)
	}
	if got, want := describe("base"), []string{"created a", "created b"}; !slices.Equal(got, want) {
		t.Errorf("the first commit: %q, want %q", got, want)
	}
}

// The text and markdown say what ran, what was rejected, what did not run
// and why, and what the range did to the requirements.
func TestRender(t *testing.T) {
	res := &Result{
		Range: "main..topic", Base: "aaaaaaaaaa", Head: "bbbbbbbbbb", Rejected: 1,
		Commits: []Commit{
			{Commit: "1111111111", Subject: "good", OK: true, Ran: []string{"a", "b"}},
			{Commit: "2222222222", Subject: "bad", Failed: []string{"a"}, Ran: []string{"a"}, NotRun: []NotRun{{Hook: "ask", Why: "claude is not on PATH"}}},
		},
		Specs: []Spec{
			{Kind: event.SpecChanged, Ran: []string{"impact"}, Failed: []string{"impact"}, Spec: &event.Spec{
				Name: "login", File: ".kiro/specs/login/requirements.md", Modified: []string{"1.2"}, Removed: []string{"2"},
				Impacted: []event.Citation{{Kind: "test", File: "a_test.go", Line: 3, Requirement: "1.2"}, {Kind: "task", File: "tasks.md", Line: 9, Requirement: "2.1", Stale: true}},
			}},
			{Kind: event.SpecTask, Spec: &event.Spec{Name: "login", File: ".kiro/specs/login/tasks.md", Tasks: []event.Task{{ID: "2", From: "todo", To: "done"}}}},
		},
		Dangling: []trace.Finding{{Kind: trace.Dangling, File: "x.go", Line: 4, Message: "cites login#9, which login does not define"}},
	}
	var text bytes.Buffer
	Text(&text, res)
	for _, want := range []string{
		"ok   1111111 good (2 hooks)\n",
		"FAIL 2222222 bad (1 hook)\n     not run: ask: claude is not on PATH\n",
		"spec.changed .kiro/specs/login/requirements.md: 0 added, 1 modified, 1 removed, 0 renamed (1 hook)\n",
		"spec.task    .kiro/specs/login/tasks.md: 1 task changed status (0 hooks)\n",
		"x.go:4: dangling: cites login#9",
		"2 commits, 1 rejected by a blocking hook\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	Markdown(&md, res)
	for _, want := range []string{
		"## hookd: requirements in `main..topic`\n\n2 commits from `aaaaaaa` to `bbbbbbb`; **1 rejected by a blocking hook**.\n",
		"| login | 1.2 | changed | 1 test |\n| login | 2 | removed | 1 task |\n",
		"- **login#1.2** (changed)\n  - test `a_test.go:3`\n",
		"- **login#2** (removed)\n  - task `tasks.md:9` (done: possibly stale)\n",
		"- login task 2: todo → done",
		"### New dangling citations (1)\n\n- `x.go:4` cites login#9",
		"- ❌ `2222222` bad: a failed\n- ⚠️ `2222222`: ask did not run: claude is not on PATH\n- ❌ impact on `.kiro/specs/login/requirements.md` ran",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the markdown lacks %q:\n%s", want, md.String())
		}
	}
}

// An "evil merge", one that adds a file no parent has, is judged on that
// file: a clean merge's files were judged on their own commits.
func TestAnEvilMergeIsJudgedOnItsOwnChanges(t *testing.T) {
	root := repo(t, map[string]string{"hookd.toml": config})
	gitT(t, root, "checkout", "-q", "-b", "topic")
	write(t, root, map[string]string{"good.txt": "fine\n"})
	gitT(t, root, "add", "-A")
	gitT(t, root, "commit", "-q", "-m", "good")
	gitT(t, root, "checkout", "-q", "main")
	gitT(t, root, "merge", "-q", "--no-ff", "--no-commit", "topic")
	write(t, root, map[string]string{"evil.txt": "BAD\n"})
	gitT(t, root, "add", "evil.txt")
	gitT(t, root, "commit", "-q", "-m", "merge topic")
	res, err := Run(context.Background(), root, load(t, root), "base", "HEAD", TrustedHooks, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := res.Commits[len(res.Commits)-1]
	if last.Subject != "merge topic" || last.OK || res.Rejected != 1 {
		t.Fatalf("the evil merge passed: %+v (rejected %d)", last, res.Rejected)
	}
}

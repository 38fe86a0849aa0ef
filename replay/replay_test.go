package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
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
		"## hookd: requirements in `main..topic`\n\n2 commits from `aaaaaaa` to `bbbbbbb`; **1 rejected by a blocking hook**.\n\n" +
			"- **Requirements**: 2 requirements in 1 spec (1 changed, 1 removed).\n- **Tasks**: 1 change.\n" +
			"- **To check**: 0 new suspect or stale, 1 new dangling.\n- **Hooks**: ❌ a failed (1).\n",
		"<details><summary>Requirements (2)</summary>\n\n| spec | requirement | change | cited by |\n|---|---|---|---|\n| login | 1.2 | changed | 1 test |\n| login | 2 | removed | 1 task |\n",
		"- **login#1.2** (changed)\n  - test `a_test.go:3`\n",
		"- **login#2** (removed)\n  - task `tasks.md:9`\n", // removed: not "possibly stale"
		"<details><summary>Tasks (1)</summary>\n\n- login task 2 ticked\n",
		"<details><summary>New dangling citations (1)</summary>\n\n- `x.go:4` cites login#9",
		"- ❌ a **failed** on 1 commit of 2 (2222222)\n- ⚠️ `2222222`: ask did not run: claude is not on PATH\n- ❌ impact on `.kiro/specs/login/requirements.md` ran",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the markdown lacks %q:\n%s", want, md.String())
		}
	}
}

// The report lists requirements only: a tasks file's ids are tasks, a
// design's properties are none; a done task is possibly stale only for a
// requirement that changed, not one just added.
func TestMarkdownRequirementsOnly(t *testing.T) {
	res := &Result{Range: "a..b", Base: "aaaaaaa", Head: "bbbbbbb", Specs: []Spec{
		{Kind: event.SpecChanged, Spec: &event.Spec{Name: "login", Kind: "requirements", Added: []string{"3", "3.1"},
			Impacted: []event.Citation{{Kind: "task", File: "tasks.md", Line: 4, Requirement: "3.1", Stale: true}}}},
		{Kind: event.SpecChanged, Spec: &event.Spec{Name: "login", Kind: "tasks", Added: []string{"1.1", "T001"}}},
		{Kind: event.SpecChanged, Spec: &event.Spec{Name: "login", Kind: "design", Modified: []string{"Property 4"}}},
	}}
	var md bytes.Buffer
	Markdown(&md, res)
	out := md.String()
	for _, bad := range []string{"| login | 1.1 |", "| login | T001 |", "Property 4", "possibly stale"} {
		if strings.Contains(out, bad) {
			t.Errorf("the report holds %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"| login | 3 | added |", "| login | 3.1 | added |", "- login tasks added: 1.1, T001"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

// A command that is not installed (exit 127) could not run: told apart
// from a check that failed, once per hook with the commits, and each with
// the first lines it printed.
func TestMarkdownNotInstalledIsNotFailed(t *testing.T) {
	res := &Result{Range: "a..b", Base: "aaaaaaa", Head: "bbbbbbb", Rejected: 3}
	for i := range 3 {
		c := Commit{Commit: strings.Repeat(strconv.Itoa(i+1), 10), Subject: "c", Failed: []string{"lint"},
			Failures: []Failure{{Hook: "lint", Exit: 127, NotInstalled: true, Output: "sh: 1: eslint: not found"}}}
		if i == 2 {
			c.Failed = append(c.Failed, "test")
			c.Failures = append(c.Failures, Failure{Hook: "test", Exit: 1, Output: "FAIL ./x\n--- FAIL: TestX"})
		}
		res.Commits = append(res.Commits, c)
	}
	var md bytes.Buffer
	Markdown(&md, res)
	out := md.String()
	for _, want := range []string{
		"**Hooks**: ⚠️ lint not installed (3), ❌ test failed (1).",
		"- ⚠️ lint **could not run** (exit 127: the command is not installed or not executable) on 3 commits of 3 (1111111, 2222222, 3333333)",
		"  sh: 1: eslint: not found",
		"- ❌ test **failed** on 1 commit of 3 (3333333)",
		"  FAIL ./x\n  --- FAIL: TestX",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "lint **failed**") {
		t.Errorf("a command not installed reads as failed:\n%s", out)
	}
}

// However many requirements a range touches, the report fits a comment:
// cut at a line, its folds closed, saying how much was cut.
func TestMarkdownFitsAComment(t *testing.T) {
	p := &event.Spec{Name: "big", Kind: "requirements"}
	for i := range 3000 {
		p.Added = append(p.Added, fmt.Sprintf("%d.%d", i/10+1, i%10+1))
		p.Impacted = append(p.Impacted, event.Citation{Kind: "test", File: fmt.Sprintf("tests/a_very_long_directory_name/test_%d.py", i), Line: i, Requirement: fmt.Sprintf("%d.%d", i/10+1, i%10+1)})
	}
	res := &Result{Range: "a..b", Base: "aaaaaaa", Head: "bbbbbbb", Specs: []Spec{{Kind: event.SpecChanged, Spec: p}}}
	var full, md bytes.Buffer
	MarkdownLimit(&full, res, 0)
	Markdown(&md, res)
	out := md.String()
	if full.Len() <= MaxMarkdown {
		t.Fatalf("the whole report is only %d characters: no test of the cut", full.Len())
	}
	if len(out) > MaxMarkdown {
		t.Errorf("the report is %d characters, over %d", len(out), MaxMarkdown)
	}
	if !strings.Contains(out, "characters cut here to fit a comment") || !strings.Contains(out, fmt.Sprintf("of %d characters", full.Len())) {
		t.Errorf("the cut is not said: %s", out[len(out)-400:])
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Errorf("a fold is left open")
	}
	if !strings.HasPrefix(out, "## hookd: requirements in `a..b`\n\n0 commits") || !strings.Contains(out, "- **Requirements**: 3000 requirements in 1 spec (3000 added).") {
		t.Errorf("the summary is not first:\n%s", out[:400])
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

// An OpenSpec archive move (changes/NAME/ to changes/archive/DATE-NAME/)
// is one spec.archived event and one line of the report, not its deltas'
// requirements removed and added again; the capability's own spec, which
// the archive updated, is the requirement change.
func TestArchiveMoveIsOneEvent(t *testing.T) {
	delta := "## ADDED Requirements\n\n### Requirement: Two Factor\nThe system SHALL ask for a code.\n\n#### Scenario: Code\n- WHEN asked\n- THEN code\n"
	main := "# auth\n\n## Requirements\n\n### Requirement: Login\nThe system SHALL log users in.\n\n#### Scenario: Ok\n- WHEN ok\n- THEN in\n"
	root := repo(t, map[string]string{
		"openspec/specs/auth/spec.md":                   main,
		"openspec/changes/add-2fa/specs/auth/spec.md":   delta,
		"openspec/changes/add-2fa/tasks.md":             "## 1. Code\n- [x] 1.1 Ask for it\n",
		"openspec/changes/add-2fa/proposal.md":          "# add-2fa\n",
		"openspec/changes/keep-open/specs/auth/spec.md": "## ADDED Requirements\n\n### Requirement: Lockout\nThe system SHALL lock.\n",
	})
	if err := os.MkdirAll(filepath.Join(root, "openspec/changes/archive"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitT(t, root, "mv", "openspec/changes/add-2fa", "openspec/changes/archive/2025-03-04-add-2fa")
	write(t, root, map[string]string{"openspec/specs/auth/spec.md": main + "\n### Requirement: Two Factor\nThe system SHALL ask for a code.\n\n#### Scenario: Code\n- WHEN asked\n- THEN code\n"})
	gitT(t, root, "add", "-A")
	gitT(t, root, "commit", "-q", "-m", "archive add-2fa")
	res, err := Run(context.Background(), root, load(t, root), "base", "HEAD", NoHooks, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range res.Specs {
		kinds = append(kinds, string(s.Kind)+" "+s.Spec.Name+" "+s.Spec.File)
	}
	want := []string{"spec.archived add-2fa openspec/changes/archive/2025-03-04-add-2fa", "spec.changed auth openspec/specs/auth/spec.md"}
	if !slices.Equal(kinds, want) {
		t.Errorf("events %q, want %q", kinds, want)
	}
	var md bytes.Buffer
	Markdown(&md, res)
	if out := md.String(); !strings.Contains(out, "- **Archived**: 1 OpenSpec change.") || !strings.Contains(out, "| auth | Two Factor | added |") ||
		strings.Contains(out, "removed") || strings.Count(out, "Two Factor") != 1 {
		t.Errorf("the report:\n%s", out)
	}
}

// Hook files that cannot be read are named in the report, whose sound
// hooks still report.
func TestMarkdownNamesBrokenHookFiles(t *testing.T) {
	res := &Result{Range: "a..b", Base: "aaaaaaa", Head: "bbbbbbb", Hooks: "base",
		Problems: []string{".kiro/hooks/bad.kiro.hook:1:3: not valid JSON"},
		Commits:  []Commit{{Commit: "1111111", OK: true, Ran: []string{"fmt"}}}}
	var md bytes.Buffer
	Markdown(&md, res)
	if out := md.String(); !strings.Contains(out, "- **Configuration**: 1 hook file could not be read; the sound hooks ran.") ||
		!strings.Contains(out, "- `.kiro/hooks/bad.kiro.hook:1:3: not valid JSON`") {
		t.Errorf("the report:\n%s", out)
	}
}

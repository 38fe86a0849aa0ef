package gitsrc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
)

// repoPair makes an upstream with two commits and a clone of it, as real
// git makes them; every scenario below runs in its own pair.
func repoPair(t *testing.T) (up, clone string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	up, clone = filepath.Join(dir, "up"), filepath.Join(dir, "clone")
	run(t, dir, "init -q -b main up")
	run(t, up, "sh: echo a > a && git add a && git commit -q -m one && echo b > b && git add b && git commit -q -m two")
	run(t, dir, "clone -q up clone")
	return up, clone
}

// run runs "git ARGS" or, after "sh: ", a shell line, with a fixed
// identity and no editor.
func run(t *testing.T, dir, line string) {
	t.Helper()
	line, mayFail := strings.CutSuffix(line, " || true")
	var cmd *exec.Cmd
	if sh, ok := strings.CutPrefix(line, "sh: "); ok {
		cmd = exec.Command("sh", "-c", sh)
	} else {
		cmd = exec.Command("git", strings.Fields(line)...)
	}
	cmd.Dir = dir
	cmd.Env = append(gitcmd.Env(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
		"GIT_EDITOR=true", "GIT_SEQUENCE_EDITOR=true", "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil && !mayFail {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
}

func head(t *testing.T, dir string) string {
	out, err := gitcmd.Output(context.Background(), dir, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// What real git writes to HEAD's reflog for each operation, and the
// events it must make: one per operation the user made, none for the
// steps inside one.
func TestClassifyWhatRealGitWrites(t *testing.T) {
	const (
		commit   = event.GitCommit
		merge    = event.GitMerge
		rewrite  = event.GitRewrite
		checkout = event.GitCheckout
	)
	cases := []struct {
		name     string
		setup    []string // in the clone, before the reflog is read
		lines    []string // the operation
		upstream []string
		want     []event.Kind
		// fromBefore: the (last) event goes from HEAD as it was before
		// the operation, not from a step inside it.
		fromBefore bool
	}{
		{name: "commit", lines: []string{"sh: echo c > c && git add c && git commit -q -m three"}, want: []event.Kind{commit}},
		{name: "commit --amend", lines: []string{"commit -q --amend -m amended"}, want: []event.Kind{rewrite}},
		{name: "switch -c", lines: []string{"switch -q -c feature"}, want: []event.Kind{checkout}},
		{name: "checkout of the branch one is on", lines: []string{"checkout -q main"}, want: nil},
		{name: "reset --hard", lines: []string{"reset -q --hard HEAD~1"}, want: []event.Kind{checkout}},
		{name: "stash", lines: []string{"sh: echo x > a && git stash -q && git stash pop -q"}, want: nil},
		{name: "merge, fast-forward", setup: []string{"sh: git switch -q -c f && echo d > d && git add d && git commit -q -m d && git switch -q main"},
			lines: []string{"merge -q f"}, want: []event.Kind{merge}},
		{name: "merge --no-ff", setup: []string{"sh: git switch -q -c f && echo d > d && git add d && git commit -q -m d && git switch -q main"},
			lines: []string{"merge -q --no-ff -m m f"}, want: []event.Kind{merge}},
		{name: "merge --squash", setup: []string{"sh: git switch -q -c f && echo d > d && git add d && git commit -q -m d && git switch -q main"},
			lines: []string{"merge -q --squash f", "commit -q -m squashed"}, want: []event.Kind{commit}},
		{name: "cherry-pick", setup: []string{"sh: git switch -q -c f && echo d > d && git add d && git commit -q -m d && git switch -q main"},
			lines: []string{"cherry-pick f"}, want: []event.Kind{commit}},
		{name: "revert", lines: []string{"revert --no-edit HEAD"}, want: []event.Kind{commit}},
		{name: "am", setup: []string{"sh: git format-patch -q -1 HEAD -o ../patch && git reset -q --hard HEAD~1"},
			lines: []string{"sh: git am -q ../patch/*.patch"}, want: []event.Kind{commit}},
		{name: "rebase", setup: []string{"sh: git switch -q -c f HEAD~1 && echo d > d && git add d && git commit -q -m d"},
			lines: []string{"rebase -q main"}, want: []event.Kind{rewrite}, fromBefore: true},
		{name: "rebase, conflict, continue", setup: []string{"sh: git switch -q -c f HEAD~1 && echo mine > b && git add b && git commit -q -m mine"},
			lines: []string{"rebase -q main || true", "sh: echo resolved > b && git add b", "rebase --continue"}, want: []event.Kind{rewrite}, fromBefore: true},
		{name: "rebase, conflict, skip", setup: []string{"sh: git switch -q -c f HEAD~1 && echo mine > b && git add b && git commit -q -m mine && echo e > e && git add e && git commit -q -m e"},
			lines: []string{"rebase -q main || true", "rebase --skip"}, want: []event.Kind{rewrite}, fromBefore: true},
		{name: "rebase -i with a fixup", setup: []string{"sh: echo f > f && git add f && git commit -q -m f && echo g >> f && git commit -q -am 'fixup! f'"},
			lines: []string{"rebase -q -i --autosquash HEAD~2"}, want: []event.Kind{rewrite}, fromBefore: true},
		{name: "rebase, abort, then a checkout", setup: []string{"sh: git switch -q -c f HEAD~1 && echo mine > b && git add b && git commit -q -m mine"},
			lines: []string{"rebase -q main || true", "rebase --abort", "switch -q main"}, want: []event.Kind{checkout, checkout}},
		{name: "rebase, abort, then a rebase", setup: []string{"sh: git switch -q -c f HEAD~1 && echo d > d && git add d && git commit -q -m d && echo mine > b && git add b && git commit -q -m mine"},
			lines: []string{"rebase -q main || true", "rebase --abort", "rebase -q -X theirs main"}, want: []event.Kind{checkout, rewrite}, fromBefore: true},
		{name: "pull --rebase", setup: []string{"sh: echo l > l && git add l && git commit -q -m local"}, upstream: []string{"sh: echo u > u && git add u && git commit -q -m up"},
			lines: []string{"pull -q --rebase origin main"}, want: []event.Kind{rewrite}, fromBefore: true},
		{name: "pull with pull.rebase", setup: []string{"sh: echo l > l && git add l && git commit -q -m local"}, upstream: []string{"sh: echo u > u && git add u && git commit -q -m up"},
			lines: []string{"-c pull.rebase=true pull -q"}, want: []event.Kind{rewrite}, fromBefore: true},
		{name: "pull --ff-only", upstream: []string{"sh: echo u > u && git add u && git commit -q -m up"},
			lines: []string{"pull -q --ff-only origin main"}, want: []event.Kind{merge}},
		{name: "pull, merging", setup: []string{"sh: echo l > l && git add l && git commit -q -m local"}, upstream: []string{"sh: echo u > u && git add u && git commit -q -m up"},
			lines: []string{"pull -q --no-rebase origin main"}, want: []event.Kind{merge}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up, clone := repoPair(t)
			for _, l := range c.upstream {
				run(t, up, l)
			}
			for _, l := range c.setup {
				run(t, clone, l)
			}
			reflog := filepath.Join(clone, ".git", "logs", "HEAD")
			before, _ := os.ReadFile(reflog)
			headBefore := head(t, clone)
			for _, l := range c.lines {
				run(t, clone, l)
			}
			after, _ := os.ReadFile(reflog)
			var got []event.Kind
			var last move
			var messages []string
			st := rebasing{}
			for _, line := range strings.SplitAfter(string(after[len(before):]), "\n") {
				e, ok := parseReflog(line)
				if !ok {
					continue
				}
				messages = append(messages, e.message)
				var m move
				if st, m, ok = classify(st, e); ok {
					got, last = append(got, m.kind), m
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("events %v, want %v; git wrote:\n%s", got, c.want, strings.Join(messages, "\n"))
			}
			if c.fromBefore && (last.from != headBefore || last.to != head(t, clone)) {
				t.Errorf("the %s goes %s..%s, want %s..%s (before and after the operation)", last.kind, last.from[:7], last.to[:7], headBefore[:7], head(t, clone)[:7])
			}
			if st.from != "" {
				t.Errorf("a rebase is still thought under way after %v", messages)
			}
		})
	}
}

// Lines git writes that are no HEAD move of the user's are no event.
func TestClassifyIgnoresTheRest(t *testing.T) {
	for _, msg := range []string{"clone: from /x", "branch: Created from HEAD", "rebase -i (pick): x", "Branch: renamed refs/heads/a to refs/heads/b"} {
		if _, m, ok := classify(rebasing{}, reflogEntry{old: "a", new: "b", message: msg}); ok {
			t.Errorf("%q made %v", msg, m.kind)
		}
	}
}

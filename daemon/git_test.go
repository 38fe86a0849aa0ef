package daemon_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/queue"
)

func gitCmd(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// startGitDaemon starts a daemon on a git repository whose first commit
// holds hookd.toml; setup runs before it.
func startGitDaemon(t testing.TB, config string, setup func(root string), opts ...func(*daemon.Options)) *env {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	return startDaemonIn(t, config, func(root string) {
		gitCmd(t, root, "init", "-q", "-b", "main")
		if setup != nil {
			setup(root)
		}
		gitCmd(t, root, "add", "-A")
		gitCmd(t, root, "commit", "-q", "-m", "initial")
	}, opts...)
}

// The stdin JSON of a git hook's run, as a command reads it.
type gitStdin struct {
	Event  struct{ Kind string } `json:"event"`
	Git    struct{ Branch, Head, From, To string }
	Commit struct {
		Hash, Subject, Author string
		Files                 []string
	} `json:"commit"`
	Commits []struct{ Hash string } `json:"commits"`
	Files   []struct{ Path, Change string }
}

func (e *env) stdinOf(name string) gitStdin {
	e.t.Helper()
	var s gitStdin
	if err := json.Unmarshal([]byte(e.readOut(name)), &s); err != nil {
		e.t.Fatalf("%s: %v: %q", name, err, e.readOut(name))
	}
	return s
}

func TestGitCommitIsSeenWithoutShims(t *testing.T) {
	e := startGitDaemon(t, `
[[hook]]
name = "on-commit"
on = "git.commit"
if = 'git.branch == "main" && commit.subject startsWith "Add"'
run = 'cat > "$OUT/commit.json"'
`, nil)
	// Hooks elsewhere: nothing of ours could run inside git.
	gitCmd(t, e.root, "config", "core.hooksPath", t.TempDir())
	e.write("src/app.go", "package src")
	e.write("README.md", "# readme")
	gitCmd(t, e.root, "add", "-A")
	gitCmd(t, e.root, "commit", "-q", "-m", "Add the app\n\nWith a body.")
	head := gitCmd(t, e.root, "rev-parse", "HEAD")
	r := e.next(queue.Finished)
	if r.Hook != "on-commit" {
		t.Fatalf("ran %s", r.Hook)
	}
	s := e.stdinOf("commit.json")
	if s.Event.Kind != "git.commit" || s.Commit.Hash != head || s.Commit.Subject != "Add the app" || s.Commit.Author != "Ada" {
		t.Errorf("commit: %+v", s)
	}
	if strings.Join(s.Commit.Files, ",") != "README.md,src/app.go" || len(s.Commits) != 1 || s.Git.Head != head {
		t.Errorf("files %v, commits %v, head %s", s.Commit.Files, s.Commits, s.Git.Head)
	}
}

func TestAmendIsARewrite(t *testing.T) {
	e := startGitDaemon(t, `
[[hook]]
name = "rewrites"
on = "git.rewrite"
run = 'cat > "$OUT/rewrite.json"'
`, nil)
	gitCmd(t, e.root, "commit", "-q", "--amend", "-m", "initial, reworded")
	e.next(queue.Finished)
	if s := e.stdinOf("rewrite.json"); s.Event.Kind != "git.rewrite" || s.Commit.Subject != "initial, reworded" {
		t.Errorf("%+v", s)
	}
}

// A checkout of a branch that differs by 2,000 files is one git.checkout;
// the file hooks do not fire file by file, but fold_vcs = false still
// gets the raw files.
func TestCheckoutIsOneEvent(t *testing.T) {
	e := startGitDaemon(t, `
[[hook]]
name = "checkout"
on = "git.checkout"
run = 'printf "%s\n" "$HOOKD_FILES" | wc -l > "$OUT/checkout"'

[[hook]]
name = "per-file"
on = "file.*"
debounce = "0s"
max_runs_per_minute = 100000 # the test's own 2,000 writes run it that often
run = 'echo ran >> "$OUT/per-file"'

[[hook]]
name = "raw"
on = "file.*"
fold_vcs = false
run = 'printf "%s\n" "$HOOKD_FILES" >> "$OUT/raw"'
`, nil)
	gitCmd(t, e.root, "checkout", "-q", "-b", "big")
	e.next(queue.Finished) // the branch switch itself
	for i := range 2000 {
		e.write(fmt.Sprintf("gen/d%02d/f%04d.txt", i%40, i), fmt.Sprint(i))
	}
	gitCmd(t, e.root, "add", "-A")
	gitCmd(t, e.root, "commit", "-q", "-m", "2000 files")
	e.drain() // those were the test's own writes: per-file ran, rightly
	os.Remove(filepath.Join(e.out, "checkout"))
	os.Remove(filepath.Join(e.out, "per-file"))
	os.Remove(filepath.Join(e.out, "raw"))

	gitCmd(t, e.root, "checkout", "-q", "main") // deletes 2,000 files
	e.drain()
	if got := strings.TrimSpace(e.readOut("checkout")); got != "2000" {
		t.Errorf("git.checkout carried %q files, want 2000", got)
	}
	if got := e.readOut("per-file"); got != "" {
		t.Errorf("file hooks fired during the checkout: %d runs", strings.Count(got, "ran"))
	}
	if raw := strings.Count(e.readOut("raw"), "\n"); raw != 2000 {
		t.Errorf("fold_vcs = false saw %d files, want 2000", raw)
		seen := map[string]bool{}
		for _, line := range strings.Split(e.readOut("raw"), "\n") {
			seen[line] = true
		}
		for i := range 2000 {
			if p := fmt.Sprintf("gen/d%02d/f%04d.txt", i%40, i); !seen[p] {
				t.Log("missing:", p)
			}
		}
	}
	// An edit after the checkout is the user's again.
	e.write("notes.txt", "mine")
	e.drain()
	if got := e.readOut("per-file"); got != "ran\n" {
		t.Errorf("after the checkout, an edit ran the file hook %q", got)
	}
}

// git.dirty is worked out for a rule that reads it.
func TestDirtyForRulesThatReadIt(t *testing.T) {
	e := startGitDaemon(t, `
[[hook]]
name = "dirty-only"
on = "file.saved"
if = 'git.dirty && git.branch == "main"'
run = 'touch "$OUT/ran"'
`, func(root string) {
		os.WriteFile(filepath.Join(root, "tracked.txt"), []byte("v1"), 0o644)
	})
	e.write("tracked.txt", "v2")
	if r := e.next(queue.Finished); r.Hook != "dirty-only" {
		t.Fatalf("ran %s", r.Hook)
	}
}

// A rebase writes a reflog line per step; it is one git.rewrite, and its
// own checkouts are not git.checkout events.
func TestRebaseIsOneRewrite(t *testing.T) {
	e := startGitDaemon(t, `
[[hook]]
name = "rewrites"
on = ["git.rewrite", "git.checkout"]
debounce = "0s"
mode = "parallel"   # every event its own run: nothing can hide in a batch
run = 'echo "$HOOKD_EVENT" >> "$OUT/events"'
`, nil)
	gitCmd(t, e.root, "checkout", "-q", "-b", "feature")
	for i := range 3 {
		e.write(fmt.Sprintf("f%d.txt", i), "x")
		gitCmd(t, e.root, "add", "-A")
		gitCmd(t, e.root, "commit", "-q", "-m", fmt.Sprint("feature ", i))
	}
	gitCmd(t, e.root, "checkout", "-q", "main")
	e.write("main.txt", "m")
	gitCmd(t, e.root, "add", "-A")
	gitCmd(t, e.root, "commit", "-q", "-m", "on main")
	gitCmd(t, e.root, "checkout", "-q", "feature")
	e.drain()
	os.Remove(filepath.Join(e.out, "events"))

	gitCmd(t, e.root, "rebase", "-q", "main")
	e.drain()
	if got := e.readOut("events"); got != "git.rewrite\n" {
		t.Errorf("a rebase gave %q, want one git.rewrite", got)
	}
}

// BenchmarkCommitToHook measures from `git commit` returning to the start
// of a git.commit hook's command.
func BenchmarkCommitToHook(b *testing.B) {
	e := startGitDaemon(b, `
[[hook]]
name = "c"
on = "git.commit"
debounce = "0s"
mode = "parallel"
run = "true"
`, nil)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		e.write("f.txt", fmt.Sprint(i))
		gitCmd(b, e.root, "add", "f.txt")
		gitCmd(b, e.root, "commit", "-q", "-m", "c")
		t0 := time.Now()
		e.next(queue.Started)
		lat = append(lat, time.Since(t0))
		e.drain()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// A hook that commits on git.commit (an auto-changelog, a "chore: bump")
// stops at max_depth: the reflog does not say who committed, but a commit
// made while the hook's run goes on is a link of its chain.
func TestACommittingHookStopsAtMaxDepth(t *testing.T) {
	e := startGitDaemon(t, `
[[hook]]
name = "bump"
on = "git.commit"
debounce = "0s"
run = 'git -c user.name=h -c user.email=h@example.com commit -q --allow-empty -m bump'
`, nil)
	e.drain()
	gitCmd(t, e.root, "commit", "-q", "--allow-empty", "-m", "mine")
	runs := e.runsOf()["bump"]
	if len(runs) != 4 {
		t.Fatalf("the hook ran %d times, want 4 (depths 0 to max_depth 3)", len(runs))
	}
	out, _ := exec.Command("git", "-C", e.root, "rev-list", "--count", "HEAD").Output()
	if n := strings.TrimSpace(string(out)); n != "6" { // initial, mine, and 4 bumps
		t.Errorf("%s commits, want 6", n)
	}
}

package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/rules"
)

func job(t *testing.T, h *hooks.Hook, files ...string) runner.Job {
	root := t.TempDir()
	ev := event.Event{Kind: event.FileSaved, ID: 3}
	for _, f := range files {
		ev.Files = append(ev.Files, event.NewFile(root, f, event.Saved, 1))
	}
	return runner.Job{ID: "r1", Hook: h, Env: rules.NewEnv(root, ev, rules.HookInfo{Name: h.Name}), Root: root, Depth: 1}
}

func TestCommandGetsEnvironmentAndStdin(t *testing.T) {
	h := &hooks.Hook{Name: "h", Run: hooks.Command{Shell: `printf '%s|%s|%s|%s|%s\n' "$HOOKD_HOOK" "$HOOKD_EVENT" "$HOOKD_RUN_ID" "$HOOKD_DEPTH" "$PWD"; printf '%s' "$HOOKD_FILES" > files.txt; cat > stdin.json`}}
	j := job(t, h, "a b.go", "dir/$(rm -rf x).go")
	res := runner.Run(context.Background(), j)
	if res.Status != runner.StatusOK || res.Exit != 0 || res.Duration <= 0 {
		t.Fatalf("%+v", res)
	}
	if want := "h|file.saved|r1|1|" + j.Root + "\n"; res.Output != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
	files, _ := os.ReadFile(filepath.Join(j.Root, "files.txt"))
	if string(files) != "a b.go\ndir/$(rm -rf x).go" {
		t.Errorf("HOOKD_FILES = %q", files)
	}
	var env struct {
		Event struct{ Kind string }
		Files []struct{ Path, Change string }
	}
	data, _ := os.ReadFile(filepath.Join(j.Root, "stdin.json"))
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err, string(data))
	}
	if env.Event.Kind != "file.saved" || len(env.Files) != 2 || env.Files[1].Path != "dir/$(rm -rf x).go" {
		t.Errorf("stdin: %s", data)
	}
}

// TestWorkdir: a hook's command runs in its workdir; the files it is
// given stay repository-relative.
func TestWorkdir(t *testing.T) {
	h := &hooks.Hook{Name: "h", Workdir: "frontend", Run: hooks.Command{Argv: []string{"sh", "-c", `printf '%s|%s' "$PWD" "$HOOKD_FILES"`}}}
	j := job(t, h, "frontend/src/a.ts")
	if err := os.Mkdir(filepath.Join(j.Root, "frontend"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := runner.Run(context.Background(), j)
	if want := filepath.Join(j.Root, "frontend") + "|frontend/src/a.ts"; res.Output != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
}

func TestArgvAndExitCodes(t *testing.T) {
	res := runner.Run(context.Background(), job(t, &hooks.Hook{Name: "h", Run: hooks.Command{Argv: []string{"sh", "-c", "echo $0; exit 3", "arg zero"}}}))
	if res.Status != runner.StatusFailed || res.Exit != 3 || res.Output != "arg zero\n" {
		t.Errorf("%+v", res)
	}
	res = runner.Run(context.Background(), job(t, &hooks.Hook{Name: "h", Run: hooks.Command{Argv: []string{"/no/such/binary"}}}))
	if res.Status != runner.StatusFailed || res.Err == nil {
		t.Errorf("missing binary: %+v", res)
	}
}

// grandchild starts a shell that forks a sleeping grandchild which
// ignores SIGTERM, prints its pid, and waits.
const grandchild = `sh -c 'trap "" TERM; sleep 300 & echo "grandchild $!"; wait' & wait`

func TestTimeoutKillsWholeGroup(t *testing.T) {
	h := &hooks.Hook{Name: "slow", Timeout: 300 * time.Millisecond, Run: hooks.Command{Shell: grandchild}}
	j := job(t, h)
	j.Grace = 200 * time.Millisecond
	var started <-chan int
	j.Line, started = watchGrandchild(t)
	res := runner.Run(context.Background(), j)
	if res.Status != runner.StatusTimeout {
		t.Fatalf("status %s, want timeout (%v)", res.Status, res.Err)
	}
	if !exits(t, <-started) {
		t.Fatal("the grandchild survived the timeout")
	}
}

func TestCancelInterruptsWholeGroup(t *testing.T) {
	h := &hooks.Hook{Name: "restartable", Run: hooks.Command{Shell: grandchild}}
	j := job(t, h)
	j.Grace = 200 * time.Millisecond
	var started <-chan int
	j.Line, started = watchGrandchild(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan runner.Result)
	go func() { done <- runner.Run(ctx, j) }()
	pidfd := <-started
	cancel(errors.New("restarted by a newer batch"))
	res := <-done
	if res.Status != runner.StatusInterrupted || res.Err == nil || res.Err.Error() != "restarted by a newer batch" {
		t.Fatalf("%+v", res)
	}
	if !exits(t, pidfd) {
		t.Fatal("the grandchild survived the cancel")
	}
}

// Whatever a command leaves running in its group ends with the run.
func TestLeftoversEndWithTheRun(t *testing.T) {
	h := &hooks.Hook{Name: "leaky", Run: hooks.Command{Shell: `sleep 300 & echo "grandchild $!"`}}
	j := job(t, h)
	var started <-chan int
	j.Line, started = watchGrandchild(t)
	if res := runner.Run(context.Background(), j); res.Status != runner.StatusOK {
		t.Fatalf("%+v", res)
	}
	if !exits(t, <-started) {
		t.Fatal("a background process outlived its run")
	}
}

func TestFloodIsCapped(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	h := &hooks.Hook{Name: "flood", Run: hooks.Command{Shell: `i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done`}}
	j := job(t, h)
	j.Line = func(stream, line string) { mu.Lock(); lines = append(lines, line); mu.Unlock() }
	res := runner.Run(context.Background(), j)
	if res.Status != runner.StatusOK {
		t.Fatal(res)
	}
	if len(res.Output) > runner.OutputCap+100 {
		t.Errorf("output %d bytes, cap %d", len(res.Output), runner.OutputCap)
	}
	if !strings.HasPrefix(res.Output, "line 0\n") || !strings.HasSuffix(res.Output, "line 19999\n") || !strings.Contains(res.Output, "bytes of output dropped") {
		t.Errorf("output should keep head and tail: %q … %q", res.Output[:40], res.Output[len(res.Output)-40:])
	}
	if len(lines) != runner.LogLineCap {
		t.Errorf("%d lines logged, want %d", len(lines), runner.LogLineCap)
	}
}

// A hook started from inside a git hook does not inherit git's pointers to
// its temporary index or another repository.
func TestChildrenDoNotInheritGitVariables(t *testing.T) {
	t.Setenv("GIT_INDEX_FILE", "/tmp/next-index.lock")
	t.Setenv("GIT_DIR", "/elsewhere/.git")
	t.Setenv("GIT_AUTHOR_NAME", "Ada") // identity is fine to pass on
	h := &hooks.Hook{Name: "h", Run: hooks.Command{Shell: `echo "[$GIT_INDEX_FILE][$GIT_DIR][$GIT_AUTHOR_NAME]"`}}
	res := runner.Run(context.Background(), job(t, h))
	if res.Output != "[][][Ada]\n" {
		t.Errorf("child saw %q", res.Output)
	}
}

// A batch too big for one environment variable still runs: HOOKD_FILES
// holds what fits, HOOKD_FILES_TRUNCATED the full count, stdin every file.
func TestHugeBatchStillRuns(t *testing.T) {
	var files []string
	for i := range 20000 {
		files = append(files, fmt.Sprintf("some/rather/long/directory/name/file-%05d.txt", i))
	}
	h := &hooks.Hook{Name: "h", Run: hooks.Command{Shell: `printf '%s\n' "$HOOKD_FILES" | wc -l; echo "$HOOKD_FILES_TRUNCATED"; grep -o '"path"' | wc -l`}}
	res := runner.Run(context.Background(), job(t, h, files...))
	if res.Status != runner.StatusOK {
		t.Fatalf("%+v", res)
	}
	out := strings.Fields(res.Output)
	if len(out) != 3 || out[1] != "20000" || out[2] != "20001" {
		t.Fatalf("output %q: want the files that fit, 20000, and every file on stdin (files, plus file)", res.Output)
	}
	if n, _ := strconv.Atoi(out[0]); n < 2000 || n >= 20000 {
		t.Errorf("HOOKD_FILES held %d files", n)
	}
}

// A file name with a newline cannot add lines to HOOKD_FILES (a line ".."
// that a loop would act on): such names are left out of it and counted,
// and HOOKD_FILES0 lists every path NUL-terminated, readable more than
// once, and leaves nothing behind when the run ends.
func TestFileNamesCannotForgeABatch(t *testing.T) {
	h := &hooks.Hook{Name: "h", Run: hooks.Command{Shell: `printf '%s' "$HOOKD_FILES" > files.txt; printf '%s' "$HOOKD_FILES_TRUNCATED" > count.txt; cat "$HOOKD_FILES0" > files0; cat "$HOOKD_FILES0" > files0.again; printf '%s' "$HOOKD_FILES0" > files0.path`}}
	j := job(t, h, "a.go", "x\n..\n/etc", "tab\there.go", "b\rc", "z.go")
	if res := runner.Run(context.Background(), j); res.Status != runner.StatusOK {
		t.Fatalf("%+v", res)
	}
	read := func(name string) string {
		data, _ := os.ReadFile(filepath.Join(j.Root, name))
		return string(data)
	}
	if got := read("files.txt"); got != "a.go\nz.go" {
		t.Errorf("HOOKD_FILES = %q", got)
	}
	if got := read("count.txt"); got != "5" {
		t.Errorf("HOOKD_FILES_TRUNCATED = %q", got)
	}
	if got := read("files0"); got != "a.go\x00x\n..\n/etc\x00tab\there.go\x00b\rc\x00z.go\x00" || read("files0.again") != got {
		t.Errorf("HOOKD_FILES0 holds %q, then %q", got, read("files0.again"))
	}
	if p := read("files0.path"); !strings.HasPrefix(p, "/dev/fd/") {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the HOOKD_FILES0 file outlived the run: %v", err)
		}
	}
}

// A workdir that is not there is named as the cause, not the program.
func TestMissingWorkdirIsNamed(t *testing.T) {
	root := t.TempDir()
	h := &hooks.Hook{Name: "h", Run: hooks.Command{Argv: []string{"true"}}, Workdir: "gone"}
	res := runner.Run(t.Context(), runner.Job{ID: "r", Hook: h, Root: root, Env: rules.NewEnv(root, event.Event{}, rules.HookInfo{})})
	if res.Status != runner.StatusFailed || res.Err == nil || !strings.Contains(res.Err.Error(), "workdir") || !strings.Contains(res.Err.Error(), "gone") {
		t.Fatalf("res = %+v (%v)", res, res.Err)
	}
}

// A command on agent.prompt reads the prompt as $USER_PROMPT, as Kiro's
// promptSubmit commands do; other events have none.
func TestUserPrompt(t *testing.T) {
	h := &hooks.Hook{Name: "h", Run: hooks.Command{Shell: `printf '[%s]' "${USER_PROMPT-unset}"`}}
	root := t.TempDir()
	ev := event.Event{Kind: event.AgentPrompt, Agent: &event.AgentCall{Name: "claude", Prompt: "fix 'the' $(bug)"}}
	j := runner.Job{ID: "r1", Hook: h, Env: rules.NewEnv(root, ev, rules.HookInfo{Name: h.Name}), Root: root, Depth: 1}
	if res := runner.Run(context.Background(), j); res.Output != "[fix 'the' $(bug)]" {
		t.Errorf("agent.prompt: %q", res.Output)
	}
	if res := runner.Run(context.Background(), job(t, h, "a.go")); res.Output != "[unset]" {
		t.Errorf("file.saved: %q", res.Output)
	}
}

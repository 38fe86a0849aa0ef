package daemon_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
)

const loginReqs = `# Requirements Document

## Requirements

### Requirement 1: Sign in

**User Story:** As a user, I want to sign in.

#### Acceptance Criteria

1. WHEN a user submits valid credentials THEN the system SHALL create a session
2. WHEN a session is older than 24 hours THEN the system SHALL expire it

### Requirement 2: Sign out

#### Acceptance Criteria

1. WHEN a user signs out THEN the system SHALL invalidate the session
`

const loginTasks = `# Implementation Plan

- [ ] 1. Session store
  - _Requirements: 1.1, 1.2_
- [ ] 2. Sign-out endpoint
  - _Requirements: 2.1_
`

const specHooks = `
[[hook]]
name = "spec-json"
on = "spec.changed"
debounce = "0s"
run = "cat > $OUT/changed.json"

[[hook]]
name = "report"
on = "spec.changed"
debounce = "0s"
builtin = "impact"

[[hook]]
name = "progress"
on = "spec.task"
debounce = "0s"
run = "cat > $OUT/task.json"
`

// finished collects the finished runs until the daemon is idle, by hook.
func (e *env) finished() map[string]queue.Record {
	e.t.Helper()
	e.idle()
	out := map[string]queue.Record{}
	for {
		select {
		case r := <-e.records:
			if r.Phase == queue.Finished {
				if _, dup := out[r.Hook]; dup {
					e.t.Errorf("hook %s ran twice", r.Hook)
				}
				out[r.Hook] = r
			}
		default:
			return out
		}
	}
}

func TestSpecChangeEndToEnd(t *testing.T) {
	e := startGitDaemon(t, specHooks, func(root string) {
		for rel, text := range map[string]string{
			".kiro/specs/login/requirements.md": loginReqs,
			".kiro/specs/login/tasks.md":        loginTasks,
			".kiro/specs/billing/tasks.md":      "- [ ] 1. Invoices\n  - _Requirements: 1.2_\n",
			"src/session.ts":                    "// Requirements (login): 1.2\nexport const ttl = 24\n",
		} {
			p := filepath.Join(root, rel)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(text), 0o644)
		}
	})
	e.drain()

	// One criterion's text: exactly that id, with what cites it.
	e.write(".kiro/specs/login/requirements.md", strings.Replace(loginReqs, "24 hours", "8 hours", 1))
	runs := e.finished()
	s := runs["spec-json"].Event.Spec
	if s == nil || !slices.Equal(s.Modified, []string{"1.2"}) || len(s.Added)+len(s.Removed)+len(s.Renamed) != 0 || s.Name != "login" || s.Kind != "requirements" {
		t.Fatalf("spec payload = %+v", s)
	}
	var files []string
	for _, c := range s.Impacted {
		files = append(files, c.File)
	}
	if !slices.Equal(files, []string{".kiro/specs/login/tasks.md", "src/session.ts"}) {
		t.Errorf("impacted = %+v, want the login task and src/session.ts, not billing's task", s.Impacted)
	}
	var stdin struct {
		Event struct{ Kind string }
		Spec  event.Spec
	}
	if err := json.Unmarshal([]byte(e.readOut("changed.json")), &stdin); err != nil || stdin.Event.Kind != "spec.changed" || !slices.Equal(stdin.Spec.Modified, []string{"1.2"}) {
		t.Errorf("the command read %q (%v)", e.readOut("changed.json"), err)
	}
	report := runs["report"].Result.Output
	for _, want := range []string{"modified 1.2", "src/session.ts:1", ".kiro/specs/login/tasks.md:3"} {
		if !strings.Contains(report, want) {
			t.Errorf("impact report lacks %q:\n%s", want, report)
		}
	}
	if _, ok := runs["progress"]; ok {
		t.Error("a requirement edit is not task progress")
	}

	// Ticking a box is progress, never a spec change.
	e.write(".kiro/specs/login/tasks.md", strings.Replace(loginTasks, "- [ ] 2.", "- [x] 2.", 1))
	runs = e.finished()
	if _, ok := runs["spec-json"]; ok || len(runs) != 1 {
		t.Errorf("a ticked task ran %v, want only progress", keys(runs))
	}
	tasks := runs["progress"].Event.Spec.Tasks
	if len(tasks) != 1 || tasks[0].ID != "2" || tasks[0].From != "todo" || tasks[0].To != "done" || !slices.Equal(tasks[0].Requirements, []string{"2.1"}) {
		t.Errorf("spec.task payload = %+v", tasks)
	}

	// Line endings and trailing spaces are no change at all.
	e.write(".kiro/specs/login/requirements.md", strings.ReplaceAll(strings.Replace(loginReqs, "24 hours", "8 hours", 1), "\n", " \r\n"))
	if runs := e.finished(); len(runs) != 0 {
		t.Errorf("CRLF ran %v", keys(runs))
	}

	// The daemon remembers what it saw: nothing is pending for the file.
	d, err := e.d.API().SpecDiff(context.Background(), ".kiro/specs/login/requirements.md")
	if err != nil || d.Against != "last seen" || len(d.Spec.Changed) != 0 {
		t.Errorf("spec diff = %+v, %v", d, err)
	}
}

func keys(m map[string]queue.Record) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// A tree without specs is not read for citations until a spec document
// appears; then the index catches up, and the first spec event's impact
// already has the code that was there before.
func TestTraceIndexWaitsForTheFirstSpec(t *testing.T) {
	e := startGitDaemon(t, specHooks, func(root string) {
		os.MkdirAll(filepath.Join(root, "src"), 0o755)
		os.WriteFile(filepath.Join(root, "src/session.ts"), []byte("// Requirements (login): 1.2\n"), 0o644)
	})
	e.drain()
	if cites, err := e.d.API().Impact(context.Background(), "login", []string{"1.2"}); err == nil || !strings.Contains(err.Error(), `no spec named "login"`) {
		t.Fatalf("impact before any spec: %v %v, want an error naming login", cites, err)
	}
	e.write(".kiro/specs/login/requirements.md", loginReqs)
	runs := e.finished()
	s := runs["spec-json"].Event.Spec
	if s == nil || !slices.Equal(s.Added, []string{"1", "2"}) || len(s.Impacted) != 1 || s.Impacted[0].File != "src/session.ts" {
		t.Fatalf("first spec event: %+v", s)
	}
}

// A spec document whose shape is not understood is a warning that names
// the file and why, and nothing is guessed from it.
func TestUnreadableSpecIsAWarning(t *testing.T) {
	var logs syncBuffer
	e := startGitDaemon(t, specHooks, nil, func(o *daemon.Options) {
		o.Log = slog.New(slog.NewTextHandler(&logs, nil))
	})
	e.drain()
	e.write(".kiro/specs/cost/requirements.md", "# Costs\n\n### 1.1 Tracking\n- usage is tracked\n")
	runs := e.finished()
	if s := runs["spec-json"].Event.Spec; s == nil || len(s.Changed) != 0 {
		t.Errorf("an unreadable document changed ids: %+v", s)
	}
	if got := logs.String(); !strings.Contains(got, "spec document not understood") || !strings.Contains(got, ".kiro/specs/cost/requirements.md:1") {
		t.Errorf("log:\n%s", got)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// load loads toml as a repository's hookd.toml, trusted as given.
func load(t *testing.T, toml string) *hooks.Config {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, hooks.RepoFile), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := hooks.Load(hooks.LoadOptions{Root: root, TrustAll: true})
	return cfg
}

const gates = `
[[hook]]
name = "gate"
on = "git.pre-commit"
blocking = true
run = "true"

[[hook]]
name = "lenient"
on = "git.pre-commit"
blocking = true
on_error = "allow"
run = "true"
`

func finished(hook string, status runner.Status, exit int) queue.Record {
	return queue.Record{Phase: queue.Finished, Hook: hook, Result: runner.Result{Status: status, Exit: exit}}
}

func TestVerdict(t *testing.T) {
	cfg := load(t, gates)
	ev := event.Event{Kind: event.GitPreCommit}
	for _, c := range []struct {
		name   string
		recs   []queue.Record
		ok     bool
		denies []string
	}{
		{"both allow", []queue.Record{finished("gate", runner.StatusOK, 0), finished("lenient", runner.StatusOK, 0)}, true, nil},
		{"an answer of no denies", []queue.Record{finished("gate", runner.StatusFailed, 1)}, false, []string{"gate"}},
		{"on_error does not soften an answer", []queue.Record{finished("lenient", runner.StatusFailed, 3)}, false, []string{"lenient"}},
		{"a timeout cannot answer: denies", []queue.Record{finished("gate", runner.StatusTimeout, -1)}, false, []string{"gate"}},
		{"a timeout with on_error allow", []queue.Record{finished("lenient", runner.StatusTimeout, -1)}, true, nil},
		{"a command that did not start", []queue.Record{finished("gate", runner.StatusFailed, -1)}, false, []string{"gate"}},
		{"a command not found in its shell", []queue.Record{finished("gate", runner.StatusFailed, 127)}, false, []string{"gate"}},
		{"not found, with on_error allow", []queue.Record{finished("lenient", runner.StatusFailed, 127)}, true, nil},
		{"a skipped action cannot answer", []queue.Record{finished("gate", runner.StatusSkipped, -1)}, false, []string{"gate"}},
		{"a false rule takes no part", []queue.Record{{Phase: queue.Skipped, Hook: "gate", Reason: "its if rule is false"}}, true, nil},
		{"a failed rule cannot answer", []queue.Record{{Phase: queue.Skipped, Hook: "gate", RuleErr: errors.New("index out of range")}}, false, []string{"gate"}},
		{"a failed rule with on_error allow", []queue.Record{{Phase: queue.Skipped, Hook: "lenient", RuleErr: errors.New("x")}}, true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Verdict(cfg, ev, c.recs)
			var denies []string
			for _, r := range v.Hooks {
				if r.Denies {
					denies = append(denies, r.Hook)
				}
			}
			if v.OK != c.ok || strings.Join(denies, ",") != strings.Join(c.denies, ",") {
				t.Fatalf("OK = %v, denied by %v; want %v, %v (%+v)", v.OK, denies, c.ok, c.denies, v.Hooks)
			}
			if !v.OK {
				if reason, _ := Explain(v); reason == "" {
					t.Fatal("a denial explains nothing")
				}
			}
		})
	}
}

func TestUnloadedGuardsRefuse(t *testing.T) {
	for _, c := range []struct {
		name, toml string
		kind       event.Kind
		refused    bool
	}{
		{"a syntax error in a file with blocking hooks", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\nblocking = true\n", event.GitPreCommit, true},
		{"…refuses tool calls too", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\nblocking = true\n", event.AgentToolBefore, true},
		{"a syntax error in a file without", "[[hook]]\nname = \"x\"\non = \"file.saved\nrun = \"true\"\n", event.GitPreCommit, false},
		{"a broken blocking hook, its own event", "[[hook]]\nname = \"x\"\non = \"agent.tool.before\"\nblocking = true\nif = 'nosuch == 1'\nrun = \"true\"\n", event.AgentToolBefore, true},
		{"a broken blocking hook, another event", "[[hook]]\nname = \"x\"\non = \"agent.tool.before\"\nblocking = true\nif = 'nosuch == 1'\nrun = \"true\"\n", event.GitPreCommit, false},
		{"a broken hook that is not blocking", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\"\nif = 'nosuch == 1'\nrun = \"true\"\n", event.GitPreCommit, false},
		{"a broken blocking hook with on_error allow", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\"\nblocking = true\non_error = \"allow\"\nif = 'nosuch == 1'\nrun = \"true\"\n", event.GitPreCommit, false},
		{"an unreadable on: anything", "[[hook]]\nname = \"x\"\non = \"no.such\"\nblocking = true\nrun = \"true\"\n", event.AgentStop, true},
		{"not an event a hook can block", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\nblocking = true\n", event.FileSaved, false},
		{"a typo of blocking", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\"\nblockng = true\nrun = \"exit 1\"\n", event.GitPreCommit, true},
		{"a typo of [[hook]]", "[[hooks]]\nname = \"x\"\non = \"git.pre-commit\"\nblocking = true\nrun = \"exit 1\"\n", event.GitPreCommit, true},
		{"[hook] for [[hook]]", "[hook]\nname = \"x\"\non = \"git.pre-commit\"\nblocking = true\nrun = \"exit 1\"\n", event.GitPreCommit, true},
		{"a duplicate name that is a guard", "[[hook]]\nname = \"x\"\non = \"file.saved\"\nrun = \"true\"\n[[hook]]\nname = \"x\"\non = \"git.pre-commit\"\nblocking = true\nrun = \"exit 1\"\n", event.GitPreCommit, true},
		{"a guard without a name", "[[hook]]\non = \"git.pre-commit\"\nblocking = true\nrun = \"exit 1\"\n", event.GitPreCommit, true},
		{"a guard with a bad name", "[[hook]]\nname = \"my_guard\"\non = \"git.pre-commit\"\nblocking = true\nrun = \"exit 1\"\n", event.GitPreCommit, true},
		{"another word for blocking", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\"\nis_blocking = true\nrun = \"exit 1\"\n", event.GitPreCommit, true},
		{"dotted keys too deep", "[[hook]]\nname = \"x\"\non = \"git.pre-commit\"\nblocking = true\nrun = \"exit 1\"\n" + strings.Repeat("x.", 5000) + "y = 1\n", event.GitPreCommit, true},
		{"an unknown table without blocking", "[[hooks]]\nname = \"x\"\non = \"file.saved\"\nrun = \"true\"\n", event.GitPreCommit, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := load(t, c.toml)
			v := Verdict(cfg, event.Event{Kind: c.kind}, nil)
			if v.OK == c.refused {
				t.Fatalf("OK = %v, want %v (%+v; unloaded %+v)", v.OK, !c.refused, v.Hooks, cfg.Unloaded)
			}
			if MayBlock(cfg, c.kind) != (c.refused || len(cfg.Unloaded) > 0 && cfg.Unloaded[0].Guards(c.kind)) {
				t.Fatalf("MayBlock disagrees with the verdict")
			}
		})
	}
}

func TestPausedGuards(t *testing.T) {
	root := t.TempDir()
	guard := "[[hook]]\nname = \"g\"\non = \"agent.tool.before\"\nblocking = true\nrun = \"exit 1\"\n"
	if err := os.WriteFile(filepath.Join(root, hooks.RepoFile), []byte(guard), 0o644); err != nil {
		t.Fatal(err)
	}
	store := hooks.TrustStore{Path: filepath.Join(t.TempDir(), "trust.json")}
	opts := hooks.LoadOptions{Root: root, Trust: store}
	ev := event.Event{Kind: event.AgentToolBefore}

	cfg, _ := hooks.Load(opts)
	if v := Verdict(cfg, ev, nil); !v.OK {
		t.Fatalf("a work tree never trusted has no guards, but: %+v", v.Hooks)
	}
	if err := store.Trust(root, map[string]string{hooks.RepoFile: hooks.Sum([]byte(guard))}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, hooks.RepoFile), []byte(guard+"# changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ = hooks.Load(opts)
	v := Verdict(cfg, ev, nil)
	if v.OK || len(v.Hooks) != 1 || !strings.Contains(v.Hooks[0].Error, "hookd trust") {
		t.Fatalf("a guard paused by a change since trust must refuse and say to trust: %+v", v)
	}
}

// A verdict judges by the configuration on disk, even one the watch has
// not reported (a git-ignored hookd.local.toml): the engine compares what
// it loaded with the files before deciding.
func TestDecideJudgesByTheFilesOnDisk(t *testing.T) {
	root := t.TempDir()
	local := filepath.Join(root, hooks.LocalFile)
	opts := hooks.LoadOptions{Root: root, TrustAll: true}
	e := New(t.Context(), Options{Root: root, Config: opts})
	ev := event.Event{Kind: event.AgentToolBefore}
	if v := e.Decide(t.Context(), ev); !v.OK {
		t.Fatalf("no hooks, yet refused: %+v", v)
	}
	guard := "[[hook]]\nname = \"g\"\non = \"agent.tool.before\"\nblocking = true\nrun = \"exit 1\"\n"
	if err := os.WriteFile(local, []byte(guard), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := e.Decide(t.Context(), ev); v.OK {
		t.Fatalf("a guard written since the last load must answer: %+v", v)
	}
}

// A work tree trusted by a hookd that did not record its guards: once a
// file trusted then changes, nobody can say which guard the change lifted
// (enabled = false, say), so blocking events are refused until trusted
// again.
func TestGuardsNotRecordedFailClosed(t *testing.T) {
	root := t.TempDir()
	guard := "[[hook]]\nname = \"g\"\non = \"agent.tool.before\"\nblocking = true\nrun = \"exit 1\"\n"
	store := filepath.Join(t.TempDir(), "trust.json")
	old := fmt.Sprintf(`{"trees": {%q: {"files": {"hookd.toml": %q}, "trusted": "2026-01-01T00:00:00Z"}}}`, root, hooks.Sum([]byte(guard)))
	if err := os.WriteFile(store, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, hooks.RepoFile), []byte(guard+"enabled = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := hooks.Load(hooks.LoadOptions{Root: root, Trust: hooks.TrustStore{Path: store}})
	if v := Verdict(cfg, event.Event{Kind: event.AgentToolBefore}, nil); v.OK {
		t.Fatalf("a change that may lift an unrecorded guard passed: %+v", v)
	}
}

package hooks_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadValid(t *testing.T) {
	root := t.TempDir()
	write(t, root, "hookd.toml", `version = 1

[defaults]
agent = "claude"
debounce = "200ms"

[[hook]]
name = "tests-follow-code"
on = ["file.saved", "file.created"]
paths = ["**/*.go", "!**/*_test.go"]
if = 'len(files) <= 20 && git.branch != "main"'
max_wait = "5s"
mode = "restart"
prompt = '''
{{range .files}}{{.path}} changed.{{end}}
'''

[[hook]]
name = "vet"
on = "git.pre-commit"
run = ["go", "vet", "./..."]
blocking = true

[[hook]]
name = "impact"
on = "spec.changed"
builtin = "impact"

[agent.claude]
timeout = "15m"
max_runs_per_hour = 20
`)
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root, TrustAll: true})
	if len(probs) > 0 {
		t.Fatalf("unexpected problems:\n%v", probs)
	}
	if len(cfg.Hooks) != 3 {
		t.Fatalf("got %d hooks", len(cfg.Hooks))
	}
	h := cfg.Hooks[0]
	if h.Debounce != 200*time.Millisecond || h.MaxWait != 5*time.Second || h.Mode != hooks.ModeRestart || h.Agent != "claude" {
		t.Errorf("hook fields: %+v", h)
	}
	if !h.Wants(event.FileSaved) || h.Wants(event.FileDeleted) {
		t.Error("on filter wrong")
	}
	if !h.MatchPath("a/b.go") || h.MatchPath("a/b_test.go") {
		t.Error("paths filter wrong")
	}
	if h.Origin != hooks.OriginRepo || h.Pos.Line != 7 {
		t.Errorf("origin/pos = %v %v", h.Origin, h.Pos)
	}
	if got := cfg.Hooks[1].Run.Argv; len(got) != 3 || !cfg.Hooks[1].Blocking {
		t.Errorf("vet hook: %+v", cfg.Hooks[1])
	}
	if cfg.Agents["claude"].Preset != "claude" || cfg.Agents["claude"].MaxRunsPerHour != 20 {
		t.Errorf("agent: %+v", cfg.Agents["claude"])
	}
}

// Each class of bad config is reported at its FILE:LINE:COL, and every
// problem in a file is reported, not only the first.
func TestLoadProblemsHavePositions(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string // "LINE:COL: substring"
	}{
		{"syntax", "[[hook]\nname = 1\n", []string{"1:7: syntax"}},
		{"unknown top key", "verison = 1\n", []string{`1:1: unknown key "verison" at the top level (did you mean "version"?)`}},
		{"unknown hook key", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\ndebunce = \"1s\"\n",
			[]string{`5:1: unknown key "debunce" in [[hook]] "a" (did you mean "debounce"?)`}},
		{"bad duration", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\ndebounce = \"3 seconds\"\n",
			[]string{`5:12: hook.debounce: bad duration "3 seconds"`}},
		{"duration not a string", "[defaults]\ntimeout = 5\n", []string{"2:11: defaults.timeout must be a duration string"}},
		{"bad glob", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\npaths = [\"src/[a\"]\n",
			[]string{"5:9: paths: bad glob pattern"}},
		{"no action", "[[hook]]\nname = \"a\"\non = \"file.saved\"\n", []string{`1:1: hook "a" has no action`}},
		{"two actions", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nbuiltin = \"impact\"\n",
			[]string{`1:1: hook "a" has 2 actions`}},
		{"duplicate names", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\n\n[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\n",
			[]string{`7:8: duplicate hook name "a" (first declared at line 2)`}},
		{"rule does not type-check", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nif = 'len(files) > \"3\"'\n",
			[]string{"5:18: if: invalid operation"}},
		{"rule unknown field, multi-line", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nif = '''\nlen(files) > 0 &&\n  file.pth == \"x\"'''\n",
			[]string{"7:8: if: type event.File has no field pth"}},
		{"rule not bool", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nif = \"file.size\"\n",
			[]string{"5:7: if: expected bool"}},
		{"unknown event", "[[hook]]\nname = \"a\"\non = [\"file.saved\", \"file.changed\"]\nrun = \"true\"\n",
			[]string{`3:6: unknown event kind "file.changed"`}},
		{"unknown agent", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nagent = \"gpt\"\nprompt = \"hi\"\n",
			[]string{`4:9: unknown agent "gpt"`}},
		{"prompt without agent", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nprompt = \"hi\"\n",
			[]string{`4:1: hook "a" has a prompt but no agent`}},
		{"bad template", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nagent = \"claude\"\nprompt = '''\nfine\n{{range .files}\n'''\n",
			[]string{"7:1: prompt:"}},
		{"blocking on async event", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nblocking = true\n",
			[]string{"5:12: blocking is only for git.pre-commit, git.pre-push, agent.prompt"}},
		{"bad mode and name", "[[hook]]\nname = \"Bad_Name\"\non = \"file.saved\"\nrun = \"true\"\n\n[[hook]]\nname = \"b\"\non = \"file.saved\"\nrun = \"true\"\nmode = \"sometimes\"\n",
			[]string{`2:8: hook name "Bad_Name"`, `10:8: unknown mode "sometimes"`}},
		{"no on", "[[hook]]\nname = \"a\"\nrun = \"true\"\n", []string{"1:1: hook \"a\" has no `on`"}},
		{"workdir outside", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nworkdir = \"../x\"\n",
			[]string{`5:11: workdir "../x" is outside the repository`}},
		{"workdir absolute", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nworkdir = \"/tmp\"\n",
			[]string{`5:11: workdir "/tmp" is absolute`}},
		{"bad preset", "[agent.x]\npreset = \"gpt5\"\n", []string{`2:10: unknown preset "gpt5"`}},
		{"bad session", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nagent = \"claude\"\nprompt = \"hi\"\nsession = \"keep\"\n",
			[]string{`6:11: session must be "new" or "resume"`}},
		{"resume a CLI that cannot", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nagent = \"kiro\"\nprompt = \"hi\"\nsession = \"resume\"\n",
			[]string{`6:11: session = "resume" needs an agent whose CLI can resume a session (claude, codex or gemini); agent "kiro" is preset "kiro"`}},
		{"session on a command", "[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nsession = \"resume\"\n",
			[]string{`5:1: session is only for prompt hooks`}},
		{"budgets", "[agent.claude]\nmax_cost_per_day = -1\nmax_tokens_per_day = 0\nmax_turns = \"3\"\n",
			[]string{`2:20: agent.claude.max_cost_per_day must be more than 0`, `3:22: agent.claude.max_tokens_per_day must be at least 1`, `4:13: agent.claude.max_turns must be an integer`}},
		{"breaker", "[defaults]\nmax_runs_per_minute = 0\n\n[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nmax_runs_per_minute = -2\n",
			[]string{`2:23: defaults.max_runs_per_minute must be at least 1`, `8:23: hook.max_runs_per_minute must be at least 1`}},
		{"trace pattern", "[trace]\npatterns = ['REQ-[0-9]+', '(unclosed']\n",
			[]string{`2:12: trace pattern "REQ-[0-9]+": put a group around the cited ids`, `2:12: trace pattern "(unclosed"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			file := write(t, root, "hookd.toml", c.body)
			_, probs := hooks.Load(hooks.LoadOptions{Root: root})
			if len(probs) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(probs), len(c.want), probs)
			}
			for i, want := range c.want {
				got := probs[i].Error()
				if !strings.HasPrefix(got, file+":") || !strings.Contains(got, want) {
					t.Errorf("problem %d:\n got  %s\n want %s:%s…", i, got, file, want)
				}
			}
		})
	}
}

// A broken hook does not take the sound ones down with it.
func TestLoadKeepsSoundHooks(t *testing.T) {
	root := t.TempDir()
	write(t, root, "hookd.toml", `[[hook]]
name = "good"
on = "file.saved"
run = "true"

[[hook]]
name = "bad"
on = "file.saved"
run = "true"
if = 'nope'
`)
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root})
	if len(probs) != 1 || len(cfg.Hooks) != 1 || cfg.Hooks[0].Name != "good" {
		t.Fatalf("hooks %v, problems %v", cfg.Hooks, probs)
	}
}

// A file that does not parse, or cannot be read (a symlink to a device),
// is named in Unreadable: a listing of the hooks is then not the whole
// of them. A hook with a problem in a file that parses is not.
func TestLoadUnreadable(t *testing.T) {
	root := t.TempDir()
	write(t, root, "hookd.toml", "[[hook]]\nname = \"a\"\nrun = \"echo\n")
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root})
	if len(probs) != 1 || len(cfg.Unreadable) != 1 || cfg.Unreadable[0] != filepath.Join(root, "hookd.toml") {
		t.Fatalf("a syntax error: unreadable %v, problems %v", cfg.Unreadable, probs)
	}
	if err := os.Remove(filepath.Join(root, "hookd.toml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(root, "hookd.toml")); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := hooks.Load(hooks.LoadOptions{Root: root}); len(cfg.Unreadable) != 1 {
		t.Fatalf("a symlink to /dev/zero: unreadable %v", cfg.Unreadable)
	}
	write(t, root, "hookd.local.toml", "[[hook]]\nname = \"b\"\non = \"file.saved\"\nrun = \"true\"\nif = 'nope'\n")
	if err := os.Remove(filepath.Join(root, "hookd.toml")); err != nil {
		t.Fatal(err)
	}
	if cfg, probs := hooks.Load(hooks.LoadOptions{Root: root}); len(probs) != 1 || len(cfg.Unreadable) != 0 {
		t.Fatalf("a hook with a problem in a file that parses: unreadable %v, problems %v", cfg.Unreadable, probs)
	}
}

func TestLoadPrecedence(t *testing.T) {
	root := t.TempDir()
	user := write(t, t.TempDir(), "config.toml", `[defaults]
debounce = "1s"
agent = "codex"

[[hook]]
name = "notify"
on = "git.commit"
run = "echo committed"
`)
	write(t, root, "hookd.toml", `[defaults]
debounce = "2s"

[[hook]]
name = "lint"
on = "file.saved"
run = "make lint"
mode = "skip"
`)
	write(t, root, "hookd.local.toml", `[[hook]]
name = "lint"
enabled = false
`)
	// (Trust is tested on its own: here every file applies.)
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root, UserConfig: user, TrustAll: true})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if cfg.Defaults.Debounce != 2*time.Second || cfg.Defaults.Agent != "codex" {
		t.Errorf("defaults: %+v", cfg.Defaults)
	}
	byName := map[string]*hooks.Hook{}
	for _, h := range cfg.Hooks {
		byName[h.Name] = h
	}
	lint := byName["lint"]
	if lint == nil || lint.Enabled || lint.Mode != hooks.ModeSkip || lint.Run.Shell != "make lint" || lint.Origin != hooks.OriginLocal {
		t.Errorf("lint after local override: %+v", lint)
	}
	if n := byName["notify"]; n == nil || n.Origin != hooks.OriginUser || n.Debounce != 2*time.Second {
		t.Errorf("user hook: %+v", n)
	}

	// An explicit config is read alone.
	explicit := write(t, t.TempDir(), "x.toml", "[[hook]]\nname = \"only\"\non = \"hook.manual\"\nrun = \"true\"\n")
	cfg, probs = hooks.Load(hooks.LoadOptions{Root: root, UserConfig: user, Explicit: explicit})
	if len(probs) > 0 || len(cfg.Hooks) != 1 || cfg.Hooks[0].Origin != hooks.OriginExplicit {
		t.Fatalf("explicit: %v %v", cfg.Hooks, probs)
	}
}

func TestLoadMissingFilesAreFine(t *testing.T) {
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: t.TempDir()})
	if len(probs) != 0 || len(cfg.Hooks) != 0 || cfg.Defaults.Debounce != hooks.DefaultDebounce {
		t.Fatalf("%v %v", cfg, probs)
	}
	_, probs = hooks.Load(hooks.LoadOptions{Explicit: filepath.Join(t.TempDir(), "missing.toml")})
	if len(probs) != 1 {
		t.Fatalf("missing explicit config must be a problem: %v", probs)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\nif = 'len(files) > 0'\n"))
	f.Add([]byte("[defaults]\ndebounce = \"1s\"\n[agent.x]\npreset = \"openai\"\nurl = \"u\"\nmodel = \"m\"\n"))
	f.Add([]byte("a.b.'c' = \"\"\"\nx\n\"\"\"\n[[x.y]]\nz = [1,\n2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("Parse hangs on %q", data)) })
		defer watchdog.Stop()
		cfg, probs := hooks.Parse("fuzz.toml", data)
		if cfg == nil {
			t.Fatal("nil config")
		}
		for _, p := range probs {
			if p.Pos.File != "fuzz.toml" {
				t.Fatalf("problem without file: %v", p)
			}
			_ = fmt.Sprint(p)
		}
	})
}

// A deeply nested file is a syntax problem at its position, found before
// the TOML parser spends memory on it; strings and comments full of
// brackets are not nesting.
func TestNestingIsBounded(t *testing.T) {
	deep := "x = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"
	_, probs := hooks.Parse("hookd.toml", []byte(deep))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "nested more than") || probs[0].Pos.Line != 1 {
		t.Fatalf("problems = %v", probs)
	}
	fine := "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"echo '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' \\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"\n"
	if _, probs := hooks.Parse("hookd.toml", []byte(fine)); len(probs) != 0 {
		t.Fatalf("brackets in strings and comments: %v", probs)
	}
}

// max_runs_per_minute: 60 unless [defaults] or the hook says otherwise.
func TestMaxRunsPerMinute(t *testing.T) {
	root := t.TempDir()
	write(t, root, "hookd.toml", `[defaults]
max_runs_per_minute = 7

[[hook]]
name = "a"
on = "file.saved"
run = "true"

[[hook]]
name = "b"
on = "file.saved"
run = "true"
max_runs_per_minute = 100
`)
	cfg, probs := hooks.Load(hooks.LoadOptions{Root: root, TrustAll: true})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if a, b := cfg.Hooks[0].MaxRunsPerMinute, cfg.Hooks[1].MaxRunsPerMinute; a != 7 || b != 100 {
		t.Fatalf("max_runs_per_minute = %d, %d; want [defaults]' 7 and the hook's own 100", a, b)
	}
	cfg, _ = hooks.Parse("hookd.toml", []byte("[[hook]]\nname = \"a\"\non = \"file.saved\"\nrun = \"true\"\n"))
	if n := cfg.Hooks[0].MaxRunsPerMinute; n != 60 {
		t.Fatalf("max_runs_per_minute without a setting = %d, want 60", n)
	}
}

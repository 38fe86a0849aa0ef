package rules_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/rules"
)

func batch(root string, paths ...string) event.Event {
	ev := event.Event{Kind: event.FileSaved, ID: 7}
	for _, p := range paths {
		ev.Files = append(ev.Files, event.NewFile(root, p, event.Saved, 10))
	}
	return ev
}

func TestRuleEval(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ev := batch(root, "cmd/main.go", "README.md")
	ev.Git = &event.Git{Branch: "feature"}
	cases := []struct {
		rule string
		want bool
	}{
		{`len(files) <= 20 && git.branch != "main"`, true},
		{`file.path == "cmd/main.go"`, true},
		{`file.ext == ".go" && file.change == "saved"`, true},
		{`anyGlob("*.md")`, true},
		{`anyGlob("docs/**")`, false},
		{`glob("cmd/*.go", file.path)`, true},
		{`exists("go.mod") && !exists("nope") && !exists("../etc/passwd")`, true},
		{`all(files, .size == 10)`, true},
		{`event.kind == "file.saved" && event.id == 7 && event.depth == 0`, true},
		{`commit.subject == "" && len(spec.modified) == 0`, true},
		{`env("HOOKD_RULES_TEST") == "yes"`, true},
		{`hook.name == "h" && hook.runs == 0`, true},
	}
	t.Setenv("HOOKD_RULES_TEST", "yes")
	for _, c := range cases {
		r, err := rules.Compile(c.rule)
		if err != nil {
			t.Fatalf("compile %q: %v", c.rule, err)
		}
		got, err := r.Eval(rules.NewEnv(root, ev, rules.HookInfo{Name: "h"}))
		if err != nil {
			t.Fatalf("eval %q: %v", c.rule, err)
		}
		if got != c.want {
			t.Errorf("%q = %v, want %v", c.rule, got, c.want)
		}
	}
}

func TestRuleCompileErrorsHavePositions(t *testing.T) {
	cases := []struct {
		rule      string
		line, col int
	}{
		{`file.pth == "x"`, 1, 6},          // unknown field
		{`len(files) + "a"`, 1, 12},        // type mismatch
		{"files[0].path ==\n  nope", 2, 3}, // unknown variable on line 2
		{`file.size`, 1, 1},                // not a bool
		{`1 + * 2`, 1, 5},                  // syntax
	}
	for _, c := range cases {
		_, err := rules.Compile(c.rule)
		var ce *rules.CompileError
		if !errors.As(err, &ce) {
			t.Fatalf("%q: want CompileError, got %v", c.rule, err)
		}
		if ce.Line != c.line || ce.Column != c.col {
			t.Errorf("%q: at %d:%d (%s), want %d:%d", c.rule, ce.Line, ce.Column, ce.Message, c.line, c.col)
		}
	}
}

func TestGlobs(t *testing.T) {
	g, err := rules.CompileGlobs([]string{"**/*.go", "!**/*_test.go", "!vendor/**"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"main.go": true, "a/b/c.go": true, "a/b/c_test.go": false, "vendor/x/y.go": false, "a.ts": false,
	} {
		if got := g.Match(path); got != want {
			t.Errorf("Match(%q) = %v, want %v", path, got, want)
		}
	}
	base, _ := rules.CompileGlobs([]string{"*.ts"})
	if !base.Match("src/deep/x.ts") || base.Match("src/x.tsx") {
		t.Error("a pattern with no slash must match the base name at any depth")
	}
	if _, err := rules.CompileGlobs([]string{"a/[b"}); err == nil {
		t.Error("bad pattern accepted")
	}
}

func BenchmarkRuleEval(b *testing.B) {
	root := b.TempDir()
	ev := batch(root, "cmd/main.go", "internal/x.go")
	ev.Git = &event.Git{Branch: "feature"}
	r, err := rules.Compile(`len(files) <= 20 && git.branch != "main" && file.ext == ".go"`)
	if err != nil {
		b.Fatal(err)
	}
	env := rules.NewEnv(root, ev, rules.HookInfo{Name: "h"})
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := r.Eval(env); !ok {
			b.Fatal("rule should hold")
		}
	}
}

// The JSON a command reads has [] where there is nothing, never null.
func TestEnvJSONHasNoNullLists(t *testing.T) {
	data, err := json.Marshal(rules.NewEnv(t.TempDir(), event.Event{Kind: event.HookManual}, rules.HookInfo{Name: "h"}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "null") {
		t.Errorf("null in the environment's JSON: %s", data)
	}
}

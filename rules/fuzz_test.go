package rules

import (
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// FuzzCompile compiles arbitrary rules: an error or a rule, never a panic,
// and a rule that compiles evaluates to a bool or an error.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`len(files) > 3 && all(files, .change == "created")`,
		`spec.kind in ["requirements"] && any(spec.changed, # startsWith "FR-")`,
		`glob("src/**/*.go", file.path) || anyGlob("*.md")`,
		`commit.subject matches "^(feat|fix)" && git.branch != "main"`,
		`env("HOME") != "" && exists("go.mod")`,
		`1/0 == 1`, `files[99].path == ""`,
	} {
		f.Add(s)
	}
	root := f.TempDir()
	env := NewEnv(root, event.Event{Kind: event.FileSaved, Files: []event.File{event.NewFile(root, "src/a.go", event.Saved, 3)},
		Spec: &event.Spec{Changed: []string{"FR-001"}}}, HookInfo{Name: "h"})
	f.Fuzz(func(t *testing.T, src string) {
		r, err := Compile(src)
		if err != nil {
			return
		}
		_, _ = r.Eval(env)
	})
}

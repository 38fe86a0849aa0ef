package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hookd": func() { os.Exit(Main(os.Args[1:])) },
	})
}

// The scripts in testdata/script drive the real binary against real files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile": waitFile,
		},
	})
}

// waitfile FILE waits, on inotify rather than sleeps, until FILE exists,
// failing after 30s.
func waitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	p := ts.MkAbs(args[0])
	w, err := fsnotify.NewWatcher()
	ts.Check(err)
	defer w.Close()
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(w.Add(filepath.Dir(p)))
	if _, err := os.Stat(p); err == nil {
		return
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-w.Events:
			if ev.Name == p {
				return
			}
		case err := <-w.Errors:
			ts.Fatalf("watch: %v", err)
		case <-deadline:
			ts.Fatalf("%s did not appear within 30s", args[0])
		}
	}
}

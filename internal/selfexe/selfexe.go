// Package selfexe owns how another program (a git hook shim, an agent's
// session hook) names this hookd binary to run it later: its absolute
// path, or "hookd" found on PATH when this binary cannot be named for
// good (a `go run` build goes away with its run).
package selfexe

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// Name is the name to run this hookd by: "hookd" when this binary is a
// `go run` build (its binary goes with it, so rely on PATH) or cannot be
// found, else this binary's absolute path.
func Name() string {
	self, err := os.Executable()
	if err != nil || strings.Contains(self, "go-build") {
		return "hookd"
	}
	return self
}

// OnPath is Name, but "hookd" also when the hookd on PATH is this very
// binary: the short name for a command a person reads.
func OnPath() string {
	self := Name()
	if self == "hookd" {
		return self
	}
	if onPath, err := exec.LookPath("hookd"); err == nil {
		a, _ := filepath.EvalSymlinks(onPath)
		b, _ := filepath.EvalSymlinks(self)
		if a == b {
			return "hookd"
		}
	}
	return self
}

// Version returns the module version and VCS revision the binary was
// built from.
func Version() (ver, commit string) {
	ver, commit = "devel", "unknown"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		ver = v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			commit = s.Value
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			commit += "+dirty"
		}
	}
	return
}

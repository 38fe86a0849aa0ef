package agentcli

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// An agent among a process's ancestors is found by its program, or by
// the script a node process runs, through shells in between; a tree
// without one finds none.
func TestAncestor(t *testing.T) {
	proc := t.TempDir()
	mk := func(pid, ppid int, argv ...string) {
		dir := filepath.Join(proc, strconv.Itoa(pid))
		os.MkdirAll(dir, 0o755)
		cmd := ""
		for _, a := range argv {
			cmd += a + "\x00"
		}
		os.WriteFile(filepath.Join(dir, "cmdline"), []byte(cmd), 0o644)
		os.WriteFile(filepath.Join(dir, "stat"), []byte(strconv.Itoa(pid)+" (we ird) S "+strconv.Itoa(ppid)+" 1 1"), 0o644)
	}
	mk(10, 1, "/usr/bin/node", "/home/u/.npm/lib/node_modules/@openai/codex/bin/codex.js", "exec")
	mk(11, 10, "/bin/bash", "-c", "cd x && sh")
	mk(12, 11, "sh")
	mk(20, 1, "/usr/bin/zsh")
	mk(21, 20, "/usr/local/bin/claude", "-p")
	mk(25, 1, "/bin/sh", "/home/u/bin/claude")
	mk(26, 25, "sh", "-c", "hookd trust --yes")
	mk(30, 1, "/usr/bin/tmux")
	mk(31, 30, "/bin/bash")
	for pid, want := range map[int]string{12: "codex", 21: "claude", 26: "claude", 31: "", 99: ""} {
		if got := ancestorFrom(proc, pid); got != want {
			t.Errorf("ancestor of %d = %q, want %q", pid, got, want)
		}
	}
}

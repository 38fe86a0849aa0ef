package agentcli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// agentPrograms are the names an agent CLI's process goes by (its binary,
// or the npm package a node process runs), those hookd bridges and the
// others a person may run it in.
var agentPrograms = []string{
	"claude", "@anthropic-ai/claude-code", "codex", "@openai/codex", "gemini", "@google/gemini-cli",
	"qwen", "@qwen-code", "cursor-agent", "copilot", "@github/copilot", "kiro-cli", "q", "aider", "opencode", "goose", "amp",
}

// Ancestor names the agent CLI among the processes this one descends
// from, and "" when there is none or it cannot tell (not Linux). An
// agent's environment can be scrubbed (env -u CLAUDECODE), its ancestry
// cannot.
func Ancestor() string {
	return ancestorFrom("/proc", os.Getppid())
}

func ancestorFrom(proc string, pid int) string {
	for range 64 { // deep enough for any shell nesting; no cycle runs forever
		if pid <= 1 {
			return ""
		}
		dir := filepath.Join(proc, strconv.Itoa(pid))
		if name := agentIn(dir); name != "" {
			return name
		}
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			return ""
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		rest := string(stat)
		if i := strings.LastIndexByte(rest, ')'); i >= 0 {
			rest = rest[i+1:]
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			return ""
		}
		next, err := strconv.Atoi(f[1])
		if err != nil || next == pid {
			return ""
		}
		pid = next
	}
	return ""
}

// agentIn says which agent CLI the process in dir runs: its program's
// name, or, for an interpreter (node), the script's path.
func agentIn(dir string) string {
	cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil || len(cmdline) == 0 {
		return ""
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	check := args[:1]
	switch filepath.Base(args[0]) {
	case "node", "bun", "deno", "sh", "bash", "dash", "zsh", "python", "python3":
		// An interpreter: the script it runs is the program.
		if len(args) > 1 {
			check = args[:2]
		}
	}
	for _, a := range check {
		for _, p := range agentPrograms {
			if filepath.Base(a) == p || strings.Contains(a, "/"+p+"/") || strings.Contains(a, "/node_modules/"+p) {
				return p
			}
		}
	}
	return ""
}

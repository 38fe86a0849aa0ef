package agentcli

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// kiro-cli takes the prompt as the one argument after "--", so a prompt
// too long for an argument fails clearly.
func TestKiroInvoke(t *testing.T) {
	c := Lookup("kiro")
	x, err := c.Invoke(Agent{Args: []string{"--trust-all-tools"}}, "--help", "ignored")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"kiro-cli", "chat", "--no-interactive", "--trust-all-tools", "--", "--help"}; !slices.Equal(x.Argv, want) || x.Stdin != nil || x.Format != "" {
		t.Errorf("argv %q, stdin %q, format %q", x.Argv, x.Stdin, x.Format)
	}
	if _, err := c.Invoke(Agent{}, strings.Repeat("x", MaxArgPrompt+1), ""); err == nil || !strings.Contains(err.Error(), "too long for one kiro-cli argument") {
		t.Errorf("a long prompt: %v", err)
	}
}

// aider reads the prompt from a file, which the cleanup removes.
func TestAiderInvoke(t *testing.T) {
	x, err := Lookup("aider").Invoke(Agent{Command: []string{"/opt/aider"}, Args: []string{"--yes"}}, "-m x", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Argv) != 4 || x.Argv[0] != "/opt/aider" || x.Argv[2] != "--message-file" {
		t.Fatalf("argv %q", x.Argv)
	}
	if data, err := os.ReadFile(x.Argv[3]); err != nil || string(data) != "-m x" {
		t.Errorf("prompt file: %q %v", data, err)
	}
	x.Cleanup()
	if _, err := os.Stat(x.Argv[3]); !os.IsNotExist(err) {
		t.Errorf("the prompt file outlived its cleanup: %v", err)
	}
}

// A command preset passes the prompt where prompt_via says, and never as
// a bare argument that looks like an option.
func TestCommandInvoke(t *testing.T) {
	c := Lookup("command")
	if _, err := c.Invoke(Agent{Name: "mine"}, "p", ""); err == nil {
		t.Error("no command: no error")
	}
	x, _ := c.Invoke(Agent{Command: []string{"my-agent"}, Args: []string{"-q"}}, "p", "")
	if !slices.Equal(x.Argv, []string{"my-agent", "-q"}) || string(x.Stdin) != "p" {
		t.Errorf("stdin: argv %q, stdin %q", x.Argv, x.Stdin)
	}
	x, _ = c.Invoke(Agent{Command: []string{"my-agent", "--message={prompt}"}, PromptVia: "arg"}, "-p", "")
	if !slices.Equal(x.Argv, []string{"my-agent", "--message=-p"}) || x.Stdin != nil {
		t.Errorf("arg: argv %q", x.Argv)
	}
	if _, err := c.Invoke(Agent{Command: []string{"my-agent"}, PromptVia: "arg"}, "--yolo", ""); err == nil || !strings.Contains(err.Error(), "would be read as an option") {
		t.Errorf("a bare option-like prompt: %v", err)
	}
	if x, err := c.Invoke(Agent{Command: []string{"my-agent", "--"}, PromptVia: "arg"}, "--yolo", ""); err != nil || !slices.Equal(x.Argv, []string{"my-agent", "--", "--yolo"}) {
		t.Errorf("after --: %q %v", x.Argv, err)
	}
	x, _ = c.Invoke(Agent{Command: []string{"my-agent", "--file={prompt_file}"}, PromptVia: "file"}, "p", "")
	f, ok := strings.CutPrefix(x.Argv[1], "--file=")
	if data, _ := os.ReadFile(f); !ok || string(data) != "p" {
		t.Errorf("file: argv %q", x.Argv)
	}
	x.Cleanup()
}

func TestOpenAIRunsNoProcess(t *testing.T) {
	c := Lookup("openai")
	if _, err := c.Invoke(Agent{Name: "local"}, "p", ""); err == nil || !c.Caps().Chat || c.Program() != "" {
		t.Errorf("openai: %v %+v", err, c.Caps())
	}
}

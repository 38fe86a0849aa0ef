package agentcli

import (
	"fmt"
	"strings"
)

// The presets whose output hookd reads as text and whose sessions it does
// not join: aider, and the two that are not a CLI of their own, command
// and openai.

// aider reads the prompt from a file (--message-file).
type aider struct{}

func (aider) Name() string                { return "aider" }
func (aider) Program() string             { return "aider" }
func (aider) Caps() Caps                  { return Caps{} }
func (aider) Sessions() Sessions          { return nil }
func (c aider) Warnings(a Agent) []string { return capWarnings(c, a) }
func (aider) parser() parser              { return nil }

func (c aider) Invoke(a Agent, prompt, _ string) (*Invocation, error) {
	f, done, err := promptFile(prompt)
	if err != nil {
		return nil, err
	}
	argv := append(append([]string{program(c, a)}, a.Args...), "--message-file", f)
	return &Invocation{Argv: argv, Cleanup: done}, nil
}

// command runs the agent's own command = [...], the prompt where
// prompt_via says: on stdin (the default), in a file ({prompt_file}), or
// as an argument ({prompt}) where no CLI can take it for an option.
type command struct{}

func (command) Name() string                { return "command" }
func (command) Program() string             { return "" }
func (command) Caps() Caps                  { return Caps{} }
func (command) Sessions() Sessions          { return nil }
func (c command) Warnings(a Agent) []string { return capWarnings(c, a) }
func (command) parser() parser              { return nil }

func (command) Invoke(a Agent, prompt, _ string) (*Invocation, error) {
	if len(a.Command) == 0 {
		return nil, fmt.Errorf("agent %q: preset command needs command = [...]", a.Name)
	}
	x := &Invocation{Cleanup: noCleanup}
	argv := append(append([]string{}, a.Command...), a.Args...)
	switch a.PromptVia {
	case "", "stdin":
		x.Stdin = []byte(prompt)
	case "arg":
		if len(prompt) > MaxArgPrompt {
			return nil, fmt.Errorf("the prompt is %d KB, too long for an argument: use prompt_via = \"stdin\" or \"file\"", len(prompt)>>10)
		}
		if strings.HasPrefix(prompt, "-") && !argSafe(argv) {
			return nil, fmt.Errorf("agent %q: the prompt starts with %q and would be read as an option: put {prompt} after \"--\" or in \"--flag={prompt}\", or use prompt_via = \"stdin\" or \"file\"", a.Name, firstWord(prompt))
		}
		argv = substitute(argv, "{prompt}", prompt)
	case "file":
		f, done, err := promptFile(prompt)
		if err != nil {
			return nil, err
		}
		argv, x.Cleanup = substitute(argv, "{prompt_file}", f), done
	}
	x.Argv = argv
	return x, nil
}

// openai is an OpenAI-compatible chat-completions endpoint (url, model,
// api_key_env), which hookd asks itself: it runs no process.
type openai struct{}

func (openai) Name() string                { return "openai" }
func (openai) Program() string             { return "" }
func (openai) Caps() Caps                  { return Caps{Chat: true} }
func (openai) Sessions() Sessions          { return nil }
func (c openai) Warnings(a Agent) []string { return capWarnings(c, a) }
func (openai) parser() parser              { return nil }

func (c openai) Invoke(a Agent, _, _ string) (*Invocation, error) {
	return nil, fmt.Errorf("agent %q: preset %q does not run a process", a.Name, c.Name())
}

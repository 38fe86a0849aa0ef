package agentcli

import (
	"os"
	"strings"
)

// MaxArgPrompt is the largest prompt passed as one argument; Linux
// refuses a single argument over 128 KiB. Larger prompts go on stdin or in
// a file where the agent CLI allows it, and fail clearly where not.
const MaxArgPrompt = 120 << 10

// noCleanup is the Cleanup of a run that left nothing behind.
func noCleanup() {}

// hasFlag reports whether args set flag, as "flag" or "flag=value".
func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

// flagValue is the value args give flag, or "".
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// argSafe reports whether {prompt} sits where a CLI cannot take it for an
// option: after a "--" argument, or inside an argument that starts with
// something else ("--message={prompt}").
func argSafe(argv []string) bool {
	dashes := false
	for _, a := range argv {
		switch {
		case a == "--":
			dashes = true
		case strings.Contains(a, "{prompt}"):
			return dashes || !strings.HasPrefix(a, "{prompt}")
		}
	}
	return dashes // appended at the end
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	if len(w) > 40 {
		w = w[:40] + "…"
	}
	return w
}

// substitute replaces the placeholder inside arguments, or appends the
// value when no argument holds it. The value is one argument, never
// spliced into a shell string.
func substitute(argv []string, placeholder, value string) []string {
	found := false
	out := make([]string, len(argv))
	for i, a := range argv {
		if strings.Contains(a, placeholder) {
			found = true
			a = strings.ReplaceAll(a, placeholder, value)
		}
		out[i] = a
	}
	if !found {
		out = append(out, value)
	}
	return out
}

// promptFile writes the prompt to a temporary file, and returns it with
// what removes it.
func promptFile(prompt string) (string, func(), error) {
	f, err := os.CreateTemp("", "hookd-prompt-*.md")
	if err != nil {
		return "", noCleanup, err
	}
	if _, err := f.WriteString(prompt); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", noCleanup, err
	}
	f.Close()
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}

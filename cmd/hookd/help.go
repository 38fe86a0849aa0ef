package main

import (
	_ "embed"
	"strings"

	"github.com/spf13/cobra"
)

// helpText is every verb's long description and examples, kept beside the
// code that wires the verbs so that this package stays wiring.
//
//go:embed help.txt
var helpText string

// helps parses help.txt: "=== COMMAND PATH", the description, then
// "--- example" and the examples.
func helps() map[string][2]string {
	out := map[string][2]string{}
	for _, sec := range strings.Split(helpText, "\n=== ")[1:] {
		path, body, _ := strings.Cut(sec, "\n")
		long, example, _ := strings.Cut(body, "--- example\n")
		out[path] = [2]string{strings.TrimRight(long, "\n"), strings.TrimRight(example, "\n")}
	}
	return out
}

// applyHelp gives every verb its description and examples.
func applyHelp(root *cobra.Command) {
	h := helps()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if t, ok := h[c.CommandPath()]; ok {
			c.Long, c.Example = t[0], t[1]
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

package main

import (
	"io"
	"testing"

	"github.com/spf13/cobra"
)

// help.txt and the verbs are in step: every section names a verb, and
// every verb a person runs has its description and an example.
func TestHelpText(t *testing.T) {
	root := newRoot(&globals{stdout: io.Discard, stderr: io.Discard})
	seen := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		seen[c.CommandPath()] = true
		if !c.Hidden && c.Runnable() && c.Example == "" {
			t.Errorf("%s has no example in help.txt", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for path := range helps() {
		if !seen[path] {
			t.Errorf("help.txt has a section for %q, which is no verb", path)
		}
	}
	if root.Long == "" {
		t.Error("the root has no description")
	}
}

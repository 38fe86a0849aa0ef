package main

import (
	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/internal/term"
)

// listings are the verbs whose text output is a listing for people: it is
// fitted to the terminal's width (term.Fit), unless --wide, --json or
// another --format asks for it whole.
// check and trace check are not among them: their lines begin
// FILE:LINE for editors and CI to read, and a line cut in two is not one.
var listings = []string{"hookd hooks", "hookd status", "hookd history", "hookd trace", "hookd doctor",
	"hookd spec list", "hookd impact", "hookd agents status", "hookd explain"}

// fitListings wraps the listings' RunE so that what they print fits.
func (g *globals) fitListings(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, l := range listings {
			if c.CommandPath() == l && c.RunE != nil {
				run := c.RunE
				c.RunE = func(cmd *cobra.Command, args []string) error {
					if whole(cmd) {
						return run(cmd, args)
					}
					width := 0
					if g.wide {
						width = term.Unlimited
					}
					f := term.Fit(g.stdout, width)
					cmd.SetOut(f)
					err := run(cmd, args)
					if ferr := f.Flush(); err == nil {
						err = ferr
					}
					return err
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// whole says the command prints for machines (--json, --format json, md
// or html), which is never cut.
func whole(cmd *cobra.Command) bool {
	if f := cmd.Flags().Lookup("json"); f != nil && f.Value.String() == "true" {
		return true
	}
	f := cmd.Flags().Lookup("format")
	return f != nil && f.Value.String() != "text"
}

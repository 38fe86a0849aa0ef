package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/hooks"
)

func newCheckCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and report every problem",
		Long: `check loads hookd.toml, hookd.local.toml and the user config the way the daemon
does, compiles every rule, and prints every problem as FILE:LINE:COL with the
offending line. It exits 1 when there is any problem, 0 when all is well.`,
		Example: `  hookd check
  hookd check --config ci/hookd.toml
  hookd check --json | jq '.problems[]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, opts, err := g.locate()
			if err != nil {
				return err
			}
			cfg, probs := hooks.Load(opts)
			warnings := hooks.Lint(cfg, repo.Root, ignore.Walk(repo.Root, repo.GitDir, cfg.Watch.Ignore).Files)
			out := cmd.OutOrStdout()
			if asJSON {
				type problem struct {
					File    string `json:"file"`
					Line    int    `json:"line"`
					Col     int    `json:"col"`
					Message string `json:"message"`
				}
				res := struct {
					OK       bool      `json:"ok"`
					Hooks    int       `json:"hooks"`
					Files    []string  `json:"files"`
					Problems []problem `json:"problems"`
					Warnings []problem `json:"warnings"`
				}{OK: len(probs) == 0, Hooks: len(cfg.Hooks), Files: []string{}, Problems: []problem{}, Warnings: []problem{}}
				for _, p := range warnings {
					res.Warnings = append(res.Warnings, problem{p.Pos.File, p.Pos.Line, p.Pos.Col, p.Message})
				}
				for _, f := range cfg.Files {
					res.Files = append(res.Files, f.Path)
				}
				for _, p := range probs {
					res.Problems = append(res.Problems, problem{p.Pos.File, p.Pos.Line, p.Pos.Col, p.Message})
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				for _, p := range probs {
					printProblem(out, p)
				}
				for _, w := range warnings {
					fmt.Fprintf(out, "warning: %s\n", w.Error())
				}
				if len(probs) == 0 {
					var names []string
					for _, f := range cfg.Files {
						names = append(names, f.Path)
					}
					if len(names) == 0 {
						fmt.Fprintln(out, "ok: no config files found (hookd.toml, hookd.local.toml, the user config); no hooks")
					} else {
						fmt.Fprintf(out, "ok: %s from %s\n", plural(len(cfg.Hooks), "hook", "hooks"), strings.Join(names, ", "))
					}
				} else {
					fmt.Fprintf(out, "%s; %s would still run\n", plural(len(probs), "problem", "problems"), plural(len(cfg.Hooks), "sound hook", "sound hooks"))
				}
			}
			if len(probs) > 0 {
				return ExitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// printProblem prints a problem as a compiler would: the position and
// message, the line of the file, and a caret under the column.
func printProblem(w io.Writer, p hooks.Problem) {
	fmt.Fprintln(w, p.Error())
	if p.Pos.Line == 0 {
		return
	}
	data, err := os.ReadFile(p.Pos.File)
	if err != nil {
		return
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if p.Pos.Line > len(lines) {
		return
	}
	line := strings.ReplaceAll(lines[p.Pos.Line-1], "\t", " ")
	fmt.Fprintf(w, "    %s\n    %s^\n", line, strings.Repeat(" ", max(p.Pos.Col-1, 0)))
}

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/internal/render"
	"github.com/hookd-dev/hookd/safefile"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

func newTraceCmd(g *globals) *cobra.Command {
	var format, linkBase string
	var asJSON bool
	cmd := &cobra.Command{
		Use:      "trace [SPEC | SPEC#REQ]",
		PostRunE: g.listed,
		Short:    "Show what covers each requirement, and what is uncovered, dangling, stale or suspect",
		Args:     cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				format = "json"
			}
			if !slices.Contains([]string{"text", "json", "md", "html"}, format) {
				return usageError{fmt.Errorf("--format is text, json, md or html, not %q", format)}
			}
			name, req := "", ""
			if len(args) == 1 {
				name, req, _ = strings.Cut(args[0], "#")
			}
			out := cmd.OutOrStdout()
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			if format == "json" {
				// The daemon's reply is printed as it came: a big report is
				// not decoded only to be encoded again.
				raw, err := b.TraceJSON(cmd.Context(), name, req)
				if err != nil {
					return err
				}
				problems, err := render.TraceJSON(out, raw)
				g.traceProblems(&trace.Report{Problems: problems})
				return err
			}
			rep, err := b.Trace(cmd.Context(), name, req)
			if err != nil {
				return err
			}
			g.traceProblems(rep)
			switch format {
			case "md":
				return trace.Markdown(out, rep)
			case "html":
				title := "Traceability"
				if name != "" {
					title += ": " + args[0]
				}
				return trace.HTML(out, rep, trace.HTMLOptions{Title: title, LinkBase: linkBase})
			}
			return trace.Text(out, rep, render.IsTerminal(out) && os.Getenv("NO_COLOR") == "", render.Width(out))
		},
	}
	cmd.ValidArgsFunction = g.completeSpecs(false)
	cmd.Flags().StringVar(&format, "format", "text", "text, json, md or html")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the same as --format json")
	cmd.Flags().StringVar(&linkBase, "link-base", "", "html: prefix of file links, e.g. https://github.com/o/r/blob/SHA/")
	cmd.AddCommand(newTraceCheckCmd(g), newTraceReviewCmd(g), newTraceFixCmd(g))
	return cmd
}

func newTraceCheckCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check [SPEC]",
		Short: "Exit 1 when the [trace] policy is broken: for CI",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			rep, err := b.Trace(cmd.Context(), name, "")
			if err != nil {
				return err
			}
			g.traceProblems(rep)
			ok, err := render.TraceCheck(cmd.OutOrStdout(), g.stderr, rep, asJSON, os.Getenv("GITHUB_ACTIONS") == "true")
			if err == nil && !ok {
				return ExitError{exitFailure}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the failing findings as JSON")
	return cmd
}

func newTraceReviewCmd(g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "review [PLACE | SPEC#REQ]...",
		Short: "Record that you checked suspect and stale links, so they stop being flagged",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageError{errors.New("name what you checked (FILE, FILE:LINE or SPEC#REQ), or --all")}
			}
			root, _, err := g.specConfig()
			if err != nil {
				return err
			}
			var targets []trace.Target
			for _, a := range args {
				t := trace.ParseTarget(a)
				if !t.OfReq {
					rel, err := backend.RepoRelative(root, t.File)
					if err != nil {
						return usageError{err}
					}
					t.File = rel
				}
				targets = append(targets, t)
			}
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			rep, err := b.Trace(cmd.Context(), "", "")
			if err != nil {
				return err
			}
			g.traceProblems(rep)
			done, err := trace.Record(cmd.Context(), root, rep, targets, all)
			if err != nil {
				return err
			}
			for _, f := range done {
				fmt.Fprintf(cmd.OutOrStdout(), "reviewed %s:%d (%s, cites %s#%s)\n", f.File, f.Line, f.Kind, f.Spec, f.Requirement)
			}
			if len(done) == 0 {
				fmt.Fprintln(g.stderr, "nothing suspect or stale there: nothing to review")
				return ExitError{exitFailure}
			}
			fmt.Fprintf(g.stderr, "%s recorded in %s: commit it\n", plural(len(done), "review", "reviews"), trace.ReviewsFile)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "review every suspect and stale link")
	return cmd
}

func (g *globals) traceProblems(rep *trace.Report) {
	for _, p := range rep.Problems {
		fmt.Fprintf(g.stderr, "warning: %s\n", p)
	}
}

func newTraceFixCmd(g *globals) *cobra.Command {
	var write, asJSON bool
	cmd := &cobra.Command{
		Use:   "fix [--write]",
		Short: "Name the spec in ambiguous citations where the spec's own documents say which",
		Long: `fix rewrites ambiguous citations (they name no spec, and more than one spec
defines what they cite) into scoped ones, where what suggests the spec is
strong: the spec's documents name the file (its path, name or stem) or what it
imports, or the file's other citations are scoped to it. "Requirements: 3.1"
becomes "Requirements (login): 3.1"; "(FR-004)" becomes "(login#FR-004)".

It prints the change as a diff and writes nothing; --write writes it. What a
weaker hint suggests (shared words, a directory, the text) is not offered:
name those yourself, or let an agent hook do it. See docs/specs.md, "Scoped
and ambiguous".`,
		Example: `  hookd trace fix
  hookd trace fix --write`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, cfg, err := g.specConfig()
			if err != nil {
				return err
			}
			x, err := daemon.BuildIndex(cmd.Context(), root, cfg)
			if err != nil {
				return err
			}
			fixes := x.Fixes(func(file string) ([]byte, error) { return spec.ReadDoc(root, file) })
			out := cmd.OutOrStdout()
			if asJSON {
				return render.JSON(out, fixes)
			}
			if len(fixes) == 0 {
				fmt.Fprintln(out, "nothing to fix: no ambiguous citation has a spec its documents name")
				return nil
			}
			byFile := map[string][]spec.Fix{}
			var files []string
			for _, f := range fixes {
				if byFile[f.File] == nil {
					files = append(files, f.File)
				}
				byFile[f.File] = append(byFile[f.File], f)
			}
			for _, file := range files {
				fmt.Fprintf(out, "--- a/%s\n+++ b/%s\n", file, file)
				for _, f := range byFile[file] {
					fmt.Fprintf(out, "@@ -%d +%d @@ %s (by %s)\n-%s\n+%s\n", f.Line, f.Line, f.Spec, f.Why, f.Old, f.New)
				}
			}
			if !write {
				fmt.Fprintf(out, "%s in %d files: nothing written; --write writes them\n", human.Plural(len(fixes), "citation", "citations"), len(files))
				return nil
			}
			for _, file := range files {
				data, err := spec.ReadDoc(root, file)
				if err != nil {
					return fmt.Errorf("read %s: %w", file, err)
				}
				perm := os.FileMode(0o644)
				if st, err := os.Stat(filepath.Join(root, file)); err == nil {
					perm = st.Mode().Perm() // a script stays executable
				}
				if err := safefile.WriteInside(root, file, spec.Apply(data, byFile[file]), perm); err != nil {
					return fmt.Errorf("write %s: %w", file, err)
				}
			}
			fmt.Fprintf(out, "%s scoped in %d files\n", human.Plural(len(fixes), "citation", "citations"), len(files))
			return nil
		},
	}
	cmd.Flags().BoolVar(&write, "write", false, "write the changes (default: only show them)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the fixes as JSON")
	return cmd
}

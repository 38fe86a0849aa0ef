package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/hookd-dev/hookd/gitcmd"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/spec"
)

// specConfig is the repository root and its [specs] and [trace] settings.
func (g *globals) specConfig() (root string, cfg *hooks.Config, err error) {
	repo, opts, err := g.locate()
	if err != nil {
		return "", nil, err
	}
	cfg, _ = hooks.Load(opts)
	return repo.Root, cfg, nil
}

// specFiles lists the documents of every spec of the work tree, as
// findSpecs finds them.
func (g *globals) specFiles(root string, cfg *hooks.Config) ([]string, error) {
	specs, err := g.findSpecs(root, cfg)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, s := range specs {
		files = append(files, s.Files...)
	}
	return files, nil
}

// findSpecs lists the specs of the work tree as the daemon sees it (git's
// ignore rules applied), nested projects' included.
func (g *globals) findSpecs(root string, cfg *hooks.Config) ([]spec.Spec, error) {
	repo, err := daemon.Locate(root)
	if err != nil {
		return nil, err
	}
	return spec.Find(ignore.Walk(repo.Root, repo.GitDir, cfg.Watch.Ignore).Files, cfg.Specs.Roots), nil
}

func newSpecCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "List, show and diff the specs hookd reads (Kiro, Spec Kit, OpenSpec)",
		Long: `spec reads the spec documents under [specs] roots (.kiro/specs, specs and openspec
by default) the way the daemon does: requirements with their ids and lines,
tasks with their status and the requirements they cite.`,
		Example: `  hookd spec list
  hookd spec show .kiro/specs/login/requirements.md
  hookd spec diff .kiro/specs/login/requirements.md --rev HEAD~1`,
	}
	cmd.AddCommand(newSpecListCmd(g), newSpecShowCmd(g), newSpecDiffCmd(g), newSpecAcceptCmd(g))
	return cmd
}

func newSpecListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every spec: format, name, directory and files",
		Example: `  hookd spec list
  hookd spec list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, cfg, err := g.specConfig()
			if err != nil {
				return err
			}
			specs, err := g.findSpecs(root, cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, specs)
			}
			if len(specs) == 0 {
				fmt.Fprintf(out, "no specs under %s\n", strings.Join(cfg.Specs.Roots, ", "))
				return nil
			}
			return spec.WriteList(out, specs)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the specs as JSON")
	return cmd
}

// parseArg parses a spec document named on the command line.
func (g *globals) parseArg(arg string) (*spec.Doc, string, *hooks.Config, error) {
	root, cfg, err := g.specConfig()
	if err != nil {
		return nil, "", nil, err
	}
	rels, err := relFiles(root, []string{arg})
	if err != nil {
		return nil, "", nil, usageError{err}
	}
	d, ok, err := spec.ParseFile(root, rels[0], cfg.Specs.Roots)
	switch {
	case !ok:
		return nil, "", nil, usageError{fmt.Errorf("%s is not a spec document under %s", rels[0], strings.Join(cfg.Specs.Roots, ", "))}
	case err != nil:
		return nil, "", nil, err
	}
	return d, root, cfg, nil
}

func newSpecShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Show what hookd reads in a spec document: requirements and tasks, with lines",
		Long: `show parses one spec document: its requirements and their criteria (or
scenarios) with ids and lines, and its tasks with their status, whether they
are optional or parallel, and the requirements each cites. A document whose
shape is not understood says why, and no id is guessed.`,
		Example: `  hookd spec show .kiro/specs/login/requirements.md
  hookd spec show --json specs/004-search/tasks.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, _, _, err := g.parseArg(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, d)
			}
			spec.WriteDoc(out, d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the parse as JSON")
	return cmd
}

func newSpecDiffCmd(g *globals) *cobra.Command {
	var rev string
	var seen, asJSON bool
	cmd := &cobra.Command{
		Use:   "diff [FILE]",
		Short: "Show which requirements changed since HEAD, a git revision, or what the daemon last saw",
		Long: `diff shows the requirement-level change of a spec document: ids added, removed,
modified and renamed (Kiro renumbering is renames), and tasks whose status
changed, with the places that cite what changed. Spacing, line endings and
re-wrapping are no change.

The change is the one since HEAD: what you have changed and not committed.
--rev compares with another revision. --seen compares with what the running
daemon last saw or was told to accept (hookd spec accept): the change the next
spec.changed event will carry. Each document says what it was compared with.
Without FILE every spec document is compared.`,
		Example: `  hookd spec diff .kiro/specs/login/requirements.md
  hookd spec diff --rev main~3 --json
  hookd spec diff --seen`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, cfg, err := g.specConfig()
			if err != nil {
				return err
			}
			var files []string
			if len(args) == 1 {
				if files, err = relFiles(root, args); err != nil {
					return usageError{err}
				}
				if _, ok := spec.Classify(files[0], cfg.Specs.Roots); !ok {
					return usageError{fmt.Errorf("%s is not a spec document under %s", files[0], strings.Join(cfg.Specs.Roots, ", "))}
				}
			} else {
				if files, err = g.specFiles(root, cfg); err != nil {
					return err
				}
			}
			if seen && rev != "" {
				return usageError{errors.New("--seen and --rev compare with different things: give one")}
			}
			diffs, err := g.specDiffs(cmd.Context(), root, cfg, files, rev, seen)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, diffs)
			}
			if len(diffs) == 0 {
				switch {
				case seen:
					fmt.Fprintln(out, "no spec document changed since the daemon last saw it")
				case rev != "":
					fmt.Fprintf(out, "no spec document changed since %s\n", rev)
				default:
					fmt.Fprintln(out, "no spec document changed since HEAD")
				}
			}
			for _, d := range diffs {
				fmt.Fprintf(out, "%s (against %s)\n", d.Spec.File, d.Against)
				for _, l := range strings.Split(strings.TrimRight(spec.Report(d.Spec), "\n"), "\n") {
					fmt.Fprintln(out, "  "+l)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rev, "rev", "", "compare with the file at this git revision instead of HEAD")
	cmd.Flags().BoolVar(&seen, "seen", false, "compare with what the running daemon last saw (the next event's change)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the changes as JSON")
	return cmd
}

// specDiffs compares each file with what the daemon last saw (seen), or
// with its version at rev (HEAD when empty), and keeps those that changed.
func (g *globals) specDiffs(ctx context.Context, root string, cfg *hooks.Config, files []string, rev string, seen bool) ([]ipc.SpecDiff, error) {
	var c *ipc.Client
	if seen {
		cl, _, err := g.client()
		if err != nil {
			return nil, err
		}
		c = cl
	}
	var x *spec.Index // built on first need
	out := []ipc.SpecDiff{}
	against := rev
	if against == "" {
		against = "HEAD"
	}
	// The revision is resolved once, and never read as an option by git: a
	// rev that names no commit is an error, not an empty tree.
	commit, err := gitcmd.Commit(ctx, root, against)
	if err != nil && rev != "" && !seen {
		return nil, fmt.Errorf("--rev: %w", err)
	}
	for _, rel := range files {
		if c != nil {
			d, err := c.SpecDiff(ctx, rel)
			if err == nil {
				if len(d.Spec.Changed)+len(d.Spec.Tasks) > 0 {
					out = append(out, d)
				}
				continue
			}
			return nil, err
		}
		d, ch, changed := spec.DiffSince(ctx, root, rel, commit, cfg.Specs.Roots)
		if !changed {
			continue
		}
		if x == nil {
			var err error
			if x, err = daemon.BuildIndex(ctx, root, cfg); err != nil {
				return nil, err
			}
		}
		out = append(out, ipc.SpecDiff{Against: against, Spec: spec.Payload(x, d, ch)})
	}
	return out, nil
}

func newImpactCmd(g *globals) *cobra.Command {
	var specName string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "impact REQ...",
		Short: "List every place that cites requirements: tasks, design properties, code and tests",
		Long: `impact lists the places that cite the requirements: tasks (_Requirements: 1.2_),
design properties (Validates: Requirements 1.2), and code, tests and config
in any comment syntax (Requirements: 1.2, Validates: Requirements 1.2, (FR-009),
Feature: x, Property 4). Completed tasks that cite them are flagged as
possibly stale.

Kiro's numeric ids exist in every spec, so name the spec: --spec login 2.1,
or login#2.1. A citation that names no spec is listed with an empty spec.
A requirement covers its criteria: 2 finds the places citing 2.1.

It asks the running daemon, whose index is current; without one it builds
the index itself.`,
		Example: `  hookd impact login#2.1
  hookd impact --spec 004-search FR-002 FR-003 --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cites, err := g.impact(cmd.Context(), spec.GroupRefs(args, specName))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return printJSON(out, cites)
			}
			spec.WriteImpact(out, cites, len(args))
			return nil
		},
	}
	cmd.Flags().StringVar(&specName, "spec", "", "the spec the requirement ids belong to")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the places as JSON")
	return cmd
}

func (g *globals) impact(ctx context.Context, refs []spec.Refs) ([]event.Citation, error) {
	out := []event.Citation{}
	if c, _, err := g.client(); err == nil {
		running := true
		for _, r := range refs {
			cites, err := c.Impact(ctx, r.Spec, r.IDs)
			if errors.Is(err, ipc.ErrNotRunning) {
				running = false
				break
			}
			if err != nil {
				return nil, err
			}
			out = append(out, cites...)
		}
		if running {
			return out, nil
		}
	}
	root, cfg, err := g.specConfig()
	if err != nil {
		return nil, err
	}
	cites, err := daemon.BuildImpact(ctx, root, cfg, refs)
	if err != nil {
		return nil, err
	}
	return append(out, cites...), nil
}

func newSpecAcceptCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "accept [FILE...]",
		Short: "Take spec documents as they are now for the baseline of the next diff",
		Long: `accept tells the running daemon to take the documents as they are now for
the version it last saw: 'spec diff' then shows nothing for them, and their
next spec.changed is against this state. Use it after reviewing a drift
report, so the next one carries only what is new. Without FILE, every spec
document is accepted.`,
		Example: `  hookd spec accept .kiro/specs/login/requirements.md
  hookd spec accept`,
		RunE: func(cmd *cobra.Command, args []string) error {
			root, cfg, err := g.specConfig()
			if err != nil {
				return err
			}
			files, err := relFiles(root, args)
			if err != nil {
				return usageError{err}
			}
			if len(args) == 0 {
				if files, err = g.specFiles(root, cfg); err != nil {
					return err
				}
			}
			c, _, err := g.client()
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := c.SpecAccept(cmd.Context(), f); err != nil {
					return notRunning(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "accepted %s\n", f)
			}
			return nil
		},
	}
}

package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/internal/render"
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

// local is the in-process backend, for what the files answer alone (the
// specs and their documents): no daemon is asked.
func (g *globals) local() (*backend.Local, error) {
	opts, err := g.backendOptions()
	if err != nil {
		return nil, err
	}
	return backend.NewLocal(opts), nil
}

func newSpecCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "List, show and diff the specs hookd reads (Kiro, Spec Kit, OpenSpec)",
	}
	cmd.AddCommand(newSpecListCmd(g), newSpecShowCmd(g), newSpecDiffCmd(g), newSpecAcceptCmd(g))
	return cmd
}

func newSpecListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:      "list",
		PostRunE: g.listed,
		Short:    "List every spec: format, name, directory and files",
		Args:     cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, cfg, err := g.specConfig()
			if err != nil {
				return err
			}
			l, err := g.local()
			if err != nil {
				return err
			}
			specs, err := l.Specs(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return render.JSON(out, specs)
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

func newSpecShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Show what hookd reads in a spec document: requirements and tasks, with lines",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := g.local()
			if err != nil {
				return err
			}
			d, err := l.Spec(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return render.JSON(out, d)
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
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if seen && rev != "" {
				return usageError{errors.New("--seen and --rev compare with different things: give one")}
			}
			if len(args) == 1 {
				root, cfg, err := g.specConfig()
				if err != nil {
					return err
				}
				file, err := backend.RepoRelative(root, args[0])
				if err != nil {
					return usageError{err}
				}
				if _, ok := spec.Classify(file, cfg.Specs.Roots); !ok {
					return usageError{fmt.Errorf("%s is not a spec document under %s", file, strings.Join(cfg.Specs.Roots, ", "))}
				}
			}
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			diffs, err := b.SpecDiff(cmd.Context(), args, rev, seen)
			if err != nil {
				return err
			}
			if asJSON {
				return render.JSON(cmd.OutOrStdout(), diffs)
			}
			render.SpecDiffs(cmd.OutOrStdout(), diffs, rev, seen)
			return nil
		},
	}
	cmd.Flags().StringVar(&rev, "rev", "", "compare with the file at this git revision instead of HEAD")
	cmd.Flags().BoolVar(&seen, "seen", false, "compare with what the running daemon last saw (the next event's change)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the changes as JSON")
	return cmd
}

func newImpactCmd(g *globals) *cobra.Command {
	var specName string
	var asJSON bool
	cmd := &cobra.Command{
		Use:      "impact REQ...",
		PostRunE: g.listed,
		Short:    "List every place that cites requirements: tasks, design properties, code and tests",
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			if len(args) == 0 {
				specs, _ := b.Specs(cmd.Context())
				var names []string
				for _, s := range specs {
					names = append(names, s.Name)
				}
				if len(names) == 0 {
					return usageError{errors.New("there are no specs here to find the impact of ('hookd spec list')")}
				}
				return usageError{fmt.Errorf("name a spec or one of its requirements: hookd impact %s, or %s#1 (the specs here: %s; Tab completes them)", names[0], names[0], strings.Join(names, ", "))}
			}
			cites, err := b.Impact(cmd.Context(), spec.GroupRefs(args, specName))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return render.JSON(out, cites)
			}
			spec.WriteImpact(out, cites, len(args))
			return nil
		},
	}
	cmd.ValidArgsFunction = g.completeSpecs(true)
	cmd.Flags().StringVar(&specName, "spec", "", "the spec the requirement ids belong to")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the places as JSON")
	return cmd
}

func newSpecAcceptCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "accept [FILE...]",
		Short: "Take spec documents as they are now for the baseline of the next diff",
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := g.local()
			if err != nil {
				return err
			}
			files, err := backend.Rel(l.Root(), args)
			if err != nil {
				return usageError{err}
			}
			if len(args) == 0 {
				specs, _ := l.Specs(cmd.Context())
				files = backend.SpecFiles(specs)
			}
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := b.SpecAccept(cmd.Context(), f); err != nil {
					return notRunning(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "accepted %s\n", f)
			}
			return nil
		},
	}
}

package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/hooks"
)

// Shell completion (`hookd completion bash|zsh|fish`) of what the files
// on disk declare: hook names, spec names and SPEC#REQ ids. It never asks
// or starts a daemon: a shell waits on it at every Tab.

func (g *globals) completeHooks(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	_, opts, err := g.locate()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	cfg, _ := hooks.Load(opts)
	var names []string
	for _, h := range cfg.Hooks {
		names = append(names, h.Name+"\t"+strings.Join(h.On, ","))
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completeSpecs completes a spec's name, and once it holds a '#', the
// ids that spec defines (only one argument when one is wanted).
func (g *globals) completeSpecs(many bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if !many && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		repo, opts, err := g.locate()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		cfg, _ := hooks.Load(opts)
		x, err := daemon.BuildIndex(cmd.Context(), repo.Root, cfg)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		defined := x.Defined()
		var out []string
		if name, _, ok := strings.Cut(toComplete, "#"); ok {
			for _, id := range defined[name] {
				out = append(out, name+"#"+id)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		for name := range defined {
			out = append(out, name)
		}
		slices.Sort(out)
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

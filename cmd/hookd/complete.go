package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// Shell completion (`hookd completion bash|zsh|fish`) of what the files
// on disk declare: hook names, spec names and SPEC#REQ ids. It never asks
// or starts a daemon: a shell waits on it at every Tab.

func (g *globals) completeHooks(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	l, err := g.local()
	if len(args) > 0 || err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return l.HookNames(), cobra.ShellCompDirectiveNoFileComp
}

// completeSpecs completes a spec's name, and once it holds a '#', the
// ids that spec defines (only one argument unless many).
func (g *globals) completeSpecs(many bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		l, err := g.local()
		if !many && len(args) > 0 || err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defined, err := l.Defined(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
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

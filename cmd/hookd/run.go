package main

import (
	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon"
)

func newRunCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Watch the repository and run hooks, in the foreground",
		Long: `run is the daemon in the foreground: it watches the repository, settles file
changes into events, and runs the hooks they match, logging one line per thing
that matters. Ctrl-C stops it; running hooks get SIGTERM and a grace period.

A broken hookd.toml is reported with FILE:LINE:COL, and the sound hooks still run.`,
		Example: `  hookd run
  hookd run --log-format json > hookd.log
  hookd run --config bench.toml -v`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			repo, cfg, err := g.locate()
			if err != nil {
				return err
			}
			d := daemon.New(daemon.Options{Repo: repo, Config: cfg, Log: log})
			return d.Run(cmd.Context())
		},
	}
}

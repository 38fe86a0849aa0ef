package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/daemon/logfile"
	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/ipc"
)

func newRunCmd(g *globals) *cobra.Command {
	var readyFD int
	var logPath, cpuProfile string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Watch the repository and run hooks, in the foreground",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, cfg, err := g.locate()
			if err != nil {
				return err
			}
			v, _ := version()
			err = daemon.ServeForeground(cmd.Context(), daemon.Options{Repo: repo, Config: cfg, Version: v}, daemon.Foreground{
				LogFile: logPath, Stderr: cmd.ErrOrStderr(), LogFormat: g.logFormat, Verbose: g.verbose, CPUProfile: cpuProfile, ReadyFD: readyFD,
			})
			if errors.Is(err, logfile.ErrFormat) {
				return usageError{err}
			}
			return err
		},
	}
	cmd.Flags().IntVar(&readyFD, "ready-fd", 0, "write \"ok\" to this file descriptor once watching (used by hookd start)")
	cmd.Flags().StringVar(&logPath, "log-file", "", "write the log to this file, rotated at 10 MB with 3 old files kept, instead of stderr")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the daemon to this new file, for `go tool pprof`")
	_ = cmd.Flags().MarkHidden("ready-fd")
	return cmd
}

func newStartCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "start",
		Short: "Start the daemon in the background",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.start(cmd.Context(), false)
		},
	}
}

// start launches a background daemon and waits for it to be ready. quiet
// suppresses "already running".
func (g *globals) start(ctx context.Context, quiet bool) error {
	repo, _, err := g.locate()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	l := backend.Launch{Repo: repo, Self: self, Args: []string{"--log-format", g.logFormat}}
	if g.config != "" {
		l.Args = append(l.Args, "--config", g.config)
	}
	if g.verbose {
		l.Args = append(l.Args, "-v")
	}
	if !quiet {
		l.Out = g.stdout
	}
	return backend.Start(ctx, l)
}

func newStopCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "stop",
		Short: "Stop the daemon; running hooks get SIGTERM and a grace period",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.stop(cmd.Context(), false)
		},
	}
}

func (g *globals) stop(ctx context.Context, quiet bool) error {
	c, repo, err := g.client()
	if err != nil {
		return err
	}
	out := g.stdout
	if quiet {
		out = nil
	}
	return backend.Stop(ctx, c, repo.Root, out)
}

func newRestartCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "restart",
		Short: "Stop the daemon and start it again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.stop(cmd.Context(), true); err != nil {
				return err
			}
			return g.start(cmd.Context(), false)
		},
	}
}

// client returns a client for this repository's daemon. It warns once on
// stderr when the daemon's version differs from the CLI's.
func (g *globals) client() (*ipc.Client, daemon.Repo, error) {
	repo, _, err := g.locate()
	if err != nil {
		return nil, daemon.Repo{}, err
	}
	return g.clientOf(repo), repo, nil
}

func (g *globals) clientOf(repo daemon.Repo) *ipc.Client {
	v, _ := version()
	c := &ipc.Client{Socket: ipc.SocketPath(repo.Root), Version: v}
	c.OnVersionMismatch = func(client, daemon string) {
		fmt.Fprintf(g.stderr, "warning: hookd %s talks to a daemon of version %s; run 'hookd restart'\n", client, daemon)
	}
	return c
}

// backendOptions say how this command line reaches the daemon, and how
// it starts one.
func (g *globals) backendOptions() (backend.Options, error) {
	repo, opts, err := g.locate()
	if err != nil {
		return backend.Options{}, err
	}
	depth, cause := depthFromEnv()
	return backend.Options{Repo: repo, Config: opts, Client: g.clientOf(repo), Notice: g.stderr,
		Start: func(ctx context.Context) error { return g.start(ctx, true) }, Depth: depth, Cause: cause}, nil
}

// backend is what answers this command: the daemon when it runs, the same
// engine in process otherwise, chosen once.
func (g *globals) backend(ctx context.Context) (backend.Backend, error) {
	opts, err := g.backendOptions()
	if err != nil {
		return nil, err
	}
	return backend.Choose(ctx, opts)
}

// depthFromEnv carries a chain through nested calls: a hook that runs
// `hookd emit` passes its own run id and depth on.
func depthFromEnv() (int, string) {
	d, _ := strconv.Atoi(os.Getenv("HOOKD_DEPTH"))
	if os.Getenv("HOOKD_RUN_ID") == "" {
		return 0, ""
	}
	return d + 1, os.Getenv("HOOKD_RUN_ID")
}

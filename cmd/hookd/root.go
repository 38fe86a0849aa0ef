package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/internal/selfexe"
)

// Exit codes, documented in `hookd --help`.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and found a problem (bad config, failed hook)
	exitUsage   = 2 // the command line itself is wrong
)

// ExitError carries an exit code for an error that has already been
// reported to the user.
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// globals are the flags every verb takes.
type globals struct {
	repo      string
	config    string
	logFormat string
	verbose   bool
	wide      bool
	stdout    io.Writer
	stderr    io.Writer
}

// Main runs the CLI and returns the process exit code.
func Main(args []string) int {
	g := &globals{stdout: os.Stdout, stderr: os.Stderr}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	var ee ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.Code
	case isUsage(err):
		fmt.Fprintf(g.stderr, "hookd: %v\nRun 'hookd --help' for usage.\n", err)
		return exitUsage
	default:
		fmt.Fprintf(g.stderr, "hookd: %v\n", err)
		return exitFailure
	}
}

// usageError marks errors in the command line.
type usageError struct{ error }

func isUsage(err error) bool {
	var u usageError
	var a backend.ArgError
	return errors.As(err, &u) || errors.As(err, &a)
}

// usageArgs makes every command's argument check, and the root's check for
// an unknown verb, report usage errors (exit 2), so nothing is recognised
// by its message.
func usageArgs(c *cobra.Command) {
	if c.HasSubCommands() && !c.Runnable() {
		// A group of verbs: a word that is none of them is a usage error,
		// and the group alone shows its help.
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
			}
			return cmd.Help()
		}
	}
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "hookd",
		Short:         "Always-on hooks for spec-driven development",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version, as people type it: the same line as 'hookd version'.
	v, commit := version()
	root.Version = v
	root.SetVersionTemplate(fmt.Sprintf("hookd %s (commit %s)\n", v, commit))
	root.PersistentFlags().StringVar(&g.repo, "repo", ".", "the repository (any directory inside it)")
	root.PersistentFlags().StringVar(&g.config, "config", "", "read only this config file instead of hookd.toml, hookd.local.toml and the user config")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "text", "log format: text (for people) or json (for machines)")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log every event, not just runs")
	root.PersistentFlags().BoolVar(&g.wide, "wide", false, "print listings whole: no column clipped, no line wrapped to the terminal's width")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })

	root.AddCommand(newRunCmd(g), newStartCmd(g), newStopCmd(g), newRestartCmd(g), newStatusCmd(g), newHooksCmd(g), newSpecCmd(g), newImpactCmd(g), newTraceCmd(g), newMCPCmd(g), newKiroCmd(g),
		newTriggerCmd(g), newResumeCmd(g), newEmitCmd(g), newHistoryCmd(g), newLogsCmd(g), newTrustCmd(g), newServiceCmd(g), newGitCmd(g), newReplayCmd(g), newDoctorCmd(g), newInitCmd(g),
		newCheckCmd(g), newExplainCmd(g), newRulesCmd(g), newAgentCmd(g), newAgentHookCmd(g), newDemoCmd(g), newVersionCmd(g))
	usageArgs(root)
	applyHelp(root)
	g.fitListings(root)
	return root
}

// locate finds the repository and the config files of the command line.
func (g *globals) locate() (daemon.Repo, hooks.LoadOptions, error) {
	repo, err := daemon.Locate(g.repo)
	if err != nil {
		return daemon.Repo{}, hooks.LoadOptions{}, err
	}
	opts := hooks.LoadOptions{Root: repo.Root, GitDir: repo.GitDir, UserConfig: hooks.UserConfigFile()}
	if home, err := os.UserHomeDir(); err == nil {
		opts.KiroHome = home
	}
	if g.config != "" {
		abs, err := filepath.Abs(g.config)
		if err != nil {
			return daemon.Repo{}, hooks.LoadOptions{}, err
		}
		opts.Explicit = abs
	}
	return repo, opts, nil
}

// version is the module version and VCS revision the binary was built
// from.
func version() (ver, commit string) { return selfexe.Version() }

// plural is internal/human's, by the name this package has always used.
func plural(n int, one, many string) string { return human.Plural(n, one, many) }

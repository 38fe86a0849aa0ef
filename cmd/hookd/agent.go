package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/hooks/bridge"
	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/internal/selfexe"
)

func newAgentCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "agents",
		Aliases: []string{"agent"},
		Short:   "hookd inside agent sessions, and agent sessions of hooks",
	}
	var self string
	install := &cobra.Command{
		Use:   "install [claude|codex|gemini|all]",
		Short: "Put hookd into an agent's session hooks (merging with what is there)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run := cmp.Or(self, selfexe.Name()) // an absolute path: an agent started from an IDE or a GUI may not have hookd on its PATH, and a missing command lets the call through
			if _, err := exec.LookPath(run); run == "hookd" && err != nil {
				fmt.Fprintln(cmd.OutOrStdout(), "note: the agents' hooks run `hookd`, which is not on PATH: install it (go install github.com/hookd-dev/hookd/cmd/hookd@latest) or pass --command")
			}
			return eachAgent(g, cmd, args, func(root, agent, keep string) (string, bool, error) {
				return bridge.Install(root, agent, run, keep)
			}, "installed hookd into", "hookd was already installed in")
		},
	}
	install.Flags().StringVar(&self, "command", "", "how the agent runs hookd (default: this binary's absolute path; hookd from PATH only for a go run build)")
	uninstall := &cobra.Command{
		Use:   "uninstall [claude|codex|gemini|all]",
		Short: "Remove exactly what install added (restoring the file as it was)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return eachAgent(g, cmd, args, bridge.Uninstall, "removed hookd from", "hookd was not installed in")
		},
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Say which agents' sessions call hookd",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, _, err := g.locate()
			if err != nil {
				return err
			}
			for _, agent := range bridge.Agents() {
				file, evs, err := bridge.Installed(repo.Root, agent)
				switch {
				case err != nil:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %v\n", agent, err)
				case len(evs) == 0:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: not installed (hookd agents install %s)\n", agent, agent)
				default:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: installed in %s for %s\n", agent, file, strings.Join(evs, ", "))
				}
			}
			return nil
		},
	}
	cmd.AddCommand(install, uninstall, status, newForgetCmd(g))
	return cmd
}

// eachAgent runs do for the agents named on the command line.
func eachAgent(g *globals, cmd *cobra.Command, args []string, do func(root, agent, keep string) (string, bool, error), did, didNot string) error {
	repo, _, err := g.locate()
	if err != nil {
		return err
	}
	return bridge.Each(cmd.OutOrStdout(), repo.Root, repo.StateDir, strings.Join(args, ""), do, did, didNot)
}

func newForgetCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "forget HOOK",
		Short: "Make a hook's next agent run start a new session",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			hook := args[0]
			b, err := g.backend(cmd.Context())
			if err != nil {
				return err
			}
			session, err := b.ForgetSession(cmd.Context(), hook)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if session == "" {
				fmt.Fprintf(out, "%s had no session to forget; its next run starts a new one\n", hook)
			} else {
				fmt.Fprintf(out, "forgot session %s of %s; its next run starts a new one\n", session, hook)
			}
			return nil
		},
	}
}

func newAgentHookCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:    "agent-hook AGENT EVENT",
		Short:  "Answer an agent's session hook (what hookd agents install puts there)",
		Hidden: true,
		Args:   cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			agent, hookEvent := args[0], args[1]
			// Whatever keeps hookd from answering is the agents' blocking
			// answer (exit 2, the reason on stderr): their CLIs take any
			// other exit for "go ahead".
			refuse := func(err error) error {
				fmt.Fprintf(g.stderr, "hookd could not answer this call (%v): it is refused until that is fixed\n", err)
				return ExitError{Code: 2}
			}
			stdin, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), backend.MaxAgentInput+1))
			if err != nil {
				return refuse(err)
			}
			// The repository is the session's project, where the hook was
			// installed, not whichever repository (a vendored checkout, a
			// submodule) the session's shell stands in.
			if dir := bridge.ProjectDir(agent, os.Getenv); dir != "" && !cmd.Flags().Changed("repo") {
				g.repo = dir
			}
			opts, err := g.backendOptions()
			if err != nil {
				return refuse(err)
			}
			stdout, stderr, code, err := backend.AgentHook(cmd.Context(), opts, agent, hookEvent, stdin)
			if err != nil {
				return refuse(err)
			}
			fmt.Fprint(cmd.OutOrStdout(), stdout)
			fmt.Fprint(g.stderr, stderr)
			if code != 0 {
				return ExitError{Code: code}
			}
			return nil
		},
	}
}

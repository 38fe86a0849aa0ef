package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
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
	var user bool
	install := &cobra.Command{
		Use:   "install [AGENT|all]",
		Short: "Put hookd into an agent's session hooks (merging with what is there)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run := cmp.Or(self, selfexe.Name()) // an absolute path: an agent started from an IDE or a GUI may not have hookd on its PATH, and a missing command lets the call through
			if _, err := exec.LookPath(run); run == "hookd" && err != nil {
				fmt.Fprintln(cmd.OutOrStdout(), "note: the agents' hooks run `hookd`, which is not on PATH: install it (go install github.com/hookd-dev/hookd/cmd/hookd@latest) or pass --command")
			}
			if user {
				return eachUser(cmd, args, func(home, agent, keep string) (string, bool, error) {
					return bridge.InstallUser(home, agent, run, keep)
				}, "installed hookd (user-level) into", "hookd was already installed (user-level) in")
			}
			var installed []string
			root := ""
			err := eachAgent(g, cmd, args, func(r, agent, keep string) (string, bool, error) {
				installed, root = append(installed, agent), r
				return bridge.Install(r, agent, run, keep)
			}, "installed hookd into", "hookd was already installed in")
			for _, agent := range installed {
				warnUnreached(cmd.OutOrStdout(), root, agent)
			}
			return err
		},
	}
	install.Flags().StringVar(&self, "command", "", "how the agent runs hookd (default: this binary's absolute path; hookd from PATH only for a go run build)")
	install.Flags().BoolVar(&user, "user", false, "install into the agent's user-level settings: every repository, subdirectory and worktree")
	uninstall := &cobra.Command{
		Use:   "uninstall [AGENT|all]",
		Short: "Remove exactly what install added (restoring the file as it was)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if user {
				return eachUser(cmd, args, bridge.UninstallUser, "removed hookd (user-level) from", "hookd was not installed (user-level) in")
			}
			return eachAgent(g, cmd, args, bridge.Uninstall, "removed hookd from", "hookd was not installed in")
		},
	}
	uninstall.Flags().BoolVar(&user, "user", false, "remove what install --user added")
	var asJSON bool
	status := &cobra.Command{
		Use:   "status",
		Short: "Say which agents' sessions call hookd, and what a hook's answer does in each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, _, err := g.locate()
			if err != nil {
				return err
			}
			if asJSON {
				return agentsJSON(cmd.OutOrStdout(), repo.Root)
			}
			defer answersTable(cmd.OutOrStdout())
			for _, agent := range bridge.Agents() {
				file, evs, err := bridge.Installed(repo.Root, agent)
				switch {
				case err != nil:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %v\n", agent, err)
				case len(evs) == 0:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: not installed (hookd agents install %s)\n", agent, agent)
				default:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: installed in %s for %s\n", agent, file, strings.Join(evs, ", "))
					warnUnreached(cmd.OutOrStdout(), repo.Root, agent)
				}
				if home, err := os.UserHomeDir(); err == nil {
					if file, evs, _ := bridge.InstalledUser(home, agent); len(evs) > 0 {
						fmt.Fprintf(cmd.OutOrStdout(), "%s: installed (user-level) in ~/%s for %s\n", agent, file, strings.Join(evs, ", "))
					}
				}
			}
			return nil
		},
	}
	status.Flags().BoolVar(&asJSON, "json", false, "print JSON: each agent's install, the directories its sessions miss, and what it takes")
	cmd.AddCommand(install, uninstall, status, newForgetCmd(g))
	return cmd
}

// answerKinds are the events on which a hook's answer can say more than
// deny, in the order the matrix shows them.
func answerKinds() []event.Kind {
	return []event.Kind{event.AgentToolBefore, event.AgentStop, event.AgentPrompt, event.AgentToolAfter, event.AgentSessionStart}
}

// answersTable prints the capability matrix: what each agent does with a
// hook's deny, allow, ask, rewritten input, continue and context, and how
// hookd degrades what it cannot take (docs/agents.md).
func answersTable(out io.Writer) {
	fmt.Fprintln(out, "\nwhat a blocking hook's answer does (deny, allow, ask, input on a tool call; no: what hookd does):")
	row := "  %-8s %-8s %-8s %-17s %-9s %-9s %-9s %s\n"
	fmt.Fprintf(out, row, "agent", "deny", "prompt", "allow", "ask", "input", "continue", "context")
	told := "no: told" // said to the user, not enforced
	for _, agent := range bridge.Agents() {
		before, stop, prompt := bridge.Can(agent, event.AgentToolBefore), bridge.Can(agent, event.AgentStop), bridge.Can(agent, event.AgentPrompt)
		var ctx []string
		for _, k := range []event.Kind{event.AgentToolAfter, event.AgentPrompt, event.AgentSessionStart} {
			if bridge.Can(agent, k).Context {
				ctx = append(ctx, strings.TrimPrefix(strings.TrimPrefix(string(k), "agent."), "tool."))
			}
		}
		fmt.Fprintf(out, row, agent, pick(before.Deny, "yes", told), pick(prompt.Deny, "yes", told),
			pick(before.Allow, "yes", "no: perms decide"), pick(before.Ask, "yes", "no: deny"),
			pick(before.Input, "yes", "no: deny"), pick(stop.Continue, "yes", told), cmp.Or(strings.Join(ctx, ", "), "none"))
	}
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// agentsJSON prints agents status as JSON.
func agentsJSON(out io.Writer, root string) error {
	type agentStatus struct {
		Agent     string                        `json:"agent"`
		File      string                        `json:"file"`
		Events    []string                      `json:"events"`
		Error     string                        `json:"error,omitempty"`
		Unreached []string                      `json:"unreached"`
		Answers   map[event.Kind]bridge.Answers `json:"answers"`
		// UserFile and UserEvents are the user-level install (hookd agents
		// install --user), relative to the home; "" for an agent hookd
		// knows no user-level hooks of.
		UserFile   string   `json:"user_file"`
		UserEvents []string `json:"user_events"`
	}
	home, _ := os.UserHomeDir()
	list := []agentStatus{}
	for _, agent := range bridge.Agents() {
		file, evs, err := bridge.Installed(root, agent)
		st := agentStatus{Agent: agent, File: file, Events: evs, Unreached: bridge.Unreached(root, agent, home), Answers: map[event.Kind]bridge.Answers{}}
		if err != nil {
			st.Error = err.Error()
		}
		if st.Events == nil {
			st.Events = []string{}
		}
		if st.Unreached == nil {
			st.Unreached = []string{}
		}
		if home != "" {
			st.UserFile, st.UserEvents, _ = bridge.InstalledUser(home, agent)
		}
		if st.UserEvents == nil {
			st.UserEvents = []string{}
		}
		for _, k := range answerKinds() {
			st.Answers[k] = bridge.Can(agent, k)
		}
		list = append(list, st)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}

// warnUnreached says where agent's sessions miss an install in root: the
// directories its recorded sessions started in out of reach, or else what
// is known to be missed.
func warnUnreached(out io.Writer, root, agent string) {
	home, _ := os.UserHomeDir()
	if dirs := bridge.Unreached(root, agent, home); len(dirs) > 0 {
		fmt.Fprintf(out, "warning: %s sessions were started in %s, where hookd's hooks do not run: %s\n",
			agent, strings.Join(dirs, ", "), bridge.Reach(agent))
	} else if reach := bridge.Reach(agent); reach != "" {
		fmt.Fprintf(out, "note: %s\n", reach)
	}
}

// eachUser runs do for the agents named on the command line, on their
// user-level settings: no repository needed.
func eachUser(cmd *cobra.Command, args []string, do func(home, agent, keep string) (string, bool, error), did, didNot string) error {
	home, err := os.UserHomeDir()
	if err != nil {
		return err
	}
	return bridge.Each(cmd.OutOrStdout(), home, filepath.Dir(hooks.DefaultTrustStore().Path), strings.Join(args, ""), true, do, did, didNot)
}

// eachAgent runs do for the agents named on the command line.
func eachAgent(g *globals, cmd *cobra.Command, args []string, do func(root, agent, keep string) (string, bool, error), did, didNot string) error {
	repo, _, err := g.locate()
	if err != nil {
		return err
	}
	return bridge.Each(cmd.OutOrStdout(), repo.Root, repo.StateDir, strings.Join(args, ""), false, do, did, didNot)
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
	var user bool
	cmd := &cobra.Command{
		Use:    "agent-hook AGENT EVENT",
		Short:  "Answer an agent's session hook (what hookd agents install puts there)",
		Hidden: true,
		Args:   cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			agent, hookEvent := args[0], args[1]
			// Whatever keeps hookd from answering is the agent's blocking
			// answer, in its protocol (exit 2 and the reason on stderr for
			// most; JSON on stdout for Copilot CLI, which takes a failing
			// hook for "go ahead").
			refuse := func(err error) error {
				stdout, stderr, code := bridge.Refuse(agent, hookEvent, fmt.Sprintf("hookd could not answer this call (%v): it is refused until that is fixed", err))
				fmt.Fprint(cmd.OutOrStdout(), stdout)
				fmt.Fprint(g.stderr, stderr)
				if code != 0 {
					return ExitError{Code: code}
				}
				return nil
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
			if user {
				// A user-level install: a repository with its own install
				// for this agent answers through it, and where no hookd
				// configuration applies the call goes on, said in a line.
				if _, evs, err := bridge.Installed(opts.Repo.Root, agent); err == nil && slices.Contains(evs, hookEvent) {
					return nil
				}
				if why := backend.Unconfigured(opts); why != "" {
					fmt.Fprintf(g.stderr, "hookd: %s: the call goes on\n", why)
					return nil
				}
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
	cmd.Flags().BoolVar(&user, "user", false, "a user-level install's call: where no hookd configuration applies, it goes on")
	return cmd
}

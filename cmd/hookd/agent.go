package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/daemon/journal"
	"github.com/hookd-dev/hookd/ipc"
)

func newAgentCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Agent sessions of hooks",
		Long: `A hook with session = "resume" continues the agent session of its last
successful run, so consecutive runs share context (claude --resume, codex exec
resume, gemini --resume). hookd agent forget starts it over.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "forget HOOK",
		Short: "Make a hook's next agent run start a new session",
		Long: `forget drops the session a hook with session = "resume" would continue: its
next run starts a new agent session. Without a running daemon it changes the
journal on disk.`,
		Example: `  hookd agent forget tests-follow-code`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			hook := args[0]
			c, repo, err := g.client()
			if err != nil {
				return err
			}
			session, err := c.ForgetSession(cmd.Context(), hook)
			if errors.Is(err, ipc.ErrNotRunning) {
				session, err = forgetOffline(cmd, filepath.Join(repo.StateDir, "journal.db"), hook)
			}
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
	})
	return cmd
}

// forgetOffline forgets in the journal on disk, which no daemon has open.
func forgetOffline(cmd *cobra.Command, path, hook string) (string, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return "", nil // hookd has not run here: there is no session
	}
	j, err := journal.Open(path, nil)
	if err != nil {
		return "", err
	}
	defer j.Close()
	return j.ForgetSession(cmd.Context(), hook)
}

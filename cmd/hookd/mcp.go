package main

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/internal/backend"
	"github.com/hookd-dev/hookd/ipc/mcpserver"
)

func newMCPCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "mcp",
		Short: "Serve hookd to agents over the Model Context Protocol (stdio)",
		Long: `mcp serves the Model Context Protocol on stdin and stdout, so an agent can ask
hookd what it knows: impact, trace, spec_list, spec_show, spec_diff, hooks,
history, run (one run's prompt and output) and trigger (trusted hooks only).
It asks the running daemon when there is one and answers in process
otherwise (trigger starts the daemon, as 'hookd trigger' does).

Register it once per agent (docs/agents.md, "hookd as an MCP server"):

  claude mcp add hookd -- hookd mcp
  codex mcp add hookd -- hookd mcp
  gemini mcp add hookd hookd mcp
  Kiro: .kiro/settings/mcp.json  {"mcpServers": {"hookd": {"command": "hookd", "args": ["mcp"]}}}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// stdout is the protocol's: anything else goes to stderr.
			g.stdout = g.stderr
			v, _ := version()
			opts, err := g.backendOptions()
			if err != nil {
				return err
			}
			opts.ForAgent = true
			err = mcpserver.New(backend.Each{Opts: opts}, v).Run(cmd.Context(), &mcp.StdioTransport{})
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		},
	}
}

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
		Args:  cobra.NoArgs,
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

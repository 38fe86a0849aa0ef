package main

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/ipc/mcpserver"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
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
			err := mcpserver.New(mcpBackend{g}, v).Run(cmd.Context(), &mcp.StdioTransport{})
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		},
	}
}

// mcpBackend answers the MCP tools with the CLI's own calls: the daemon
// when it runs, the in-process engine otherwise.
type mcpBackend struct{ g *globals }

func (b mcpBackend) Impact(ctx context.Context, name string, ids []string) ([]event.Citation, error) {
	return b.g.impact(ctx, []spec.Refs{{Spec: name, IDs: ids}})
}

func (b mcpBackend) Trace(ctx context.Context, name, req string) (*trace.Report, error) {
	return b.g.trace(ctx, name, req)
}

func (b mcpBackend) Specs(ctx context.Context) ([]spec.Spec, error) {
	root, cfg, err := b.g.specConfig()
	if err != nil {
		return nil, err
	}
	return b.g.findSpecs(root, cfg)
}

func (b mcpBackend) Spec(ctx context.Context, file string) (*spec.Doc, error) {
	d, _, _, err := b.g.parseArg(file)
	return d, err
}

func (b mcpBackend) SpecDiff(ctx context.Context, files []string, rev string) ([]ipc.SpecDiff, error) {
	root, cfg, err := b.g.specConfig()
	if err != nil {
		return nil, err
	}
	rels, err := relFiles(root, files)
	if err != nil {
		return nil, err
	}
	if len(rels) == 0 {
		if rels, err = b.g.specFiles(root, cfg); err != nil {
			return nil, err
		}
	}
	return b.g.specDiffs(ctx, root, cfg, rels, rev, false)
}

func (b mcpBackend) Hooks(ctx context.Context) ([]ipc.Hook, error) {
	c, repo, err := b.g.client()
	if err != nil {
		return nil, err
	}
	st, err := c.Status(ctx)
	if err == nil {
		return st.Hooks, nil
	}
	if !errors.Is(err, ipc.ErrNotRunning) {
		return nil, err
	}
	hs, _, err := b.g.localHooks(repo.Root)
	return hs, err
}

func (b mcpBackend) Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error) {
	src, err := b.g.history(ctx)
	if err != nil {
		return nil, err
	}
	defer src.close()
	return src.runs(ctx, hook, limit)
}

func (b mcpBackend) Run(ctx context.Context, id string) (ipc.Run, error) {
	src, err := b.g.history(ctx)
	if err != nil {
		return ipc.Run{}, err
	}
	defer src.close()
	return src.run(ctx, id)
}

func (b mcpBackend) Trigger(ctx context.Context, hook string, files []string) (string, error) {
	return b.g.trigger(ctx, hook, files, false)
}

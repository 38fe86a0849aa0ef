// Package mcpserver serves hookd to agents over the Model Context
// Protocol: impact, traceability, specs, hooks, their history, and
// triggering a hook, as MCP tools. It owns the tools' names, arguments and
// descriptions; what answers them is a [Backend], the same calls the CLI
// makes (the daemon when one runs, the in-process engine otherwise).
package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Backend answers the tools.
type Backend interface {
	Impact(ctx context.Context, refs []spec.Refs) ([]event.Citation, error)
	Trace(ctx context.Context, spec, req string) (*trace.Report, error)
	Specs(ctx context.Context) ([]spec.Spec, error)
	Spec(ctx context.Context, file string) (*spec.Doc, error)
	// SpecDiff compares spec documents (every one when files is empty)
	// with rev (HEAD when empty), or with what the daemon last saw (seen),
	// and returns those that changed.
	SpecDiff(ctx context.Context, files []string, rev string, seen bool) ([]ipc.SpecDiff, error)
	// Hooks lists the hooks, and what untrusted files hold back.
	Hooks(ctx context.Context) ([]ipc.Hook, []ipc.Held, error)
	Runs(ctx context.Context, hook string, limit int) ([]ipc.Run, error)
	Run(ctx context.Context, id string) (ipc.Run, error)
	// Trigger runs a hook now; one not trusted (paused) is refused.
	Trigger(ctx context.Context, hook string, files []string, args map[string]any) (string, error)
}

// Tool arguments: the json tags are the names agents use, the jsonschema
// tags what they are told.
type (
	impactArgs struct {
		Spec         string   `json:"spec,omitempty" jsonschema:"the spec the ids belong to (Kiro's numeric ids exist in every spec); or write spec#id"`
		Requirements []string `json:"requirements" jsonschema:"requirement or criterion ids, e.g. 2.1, FR-003, or login#2.1"`
	}
	traceArgs struct {
		Spec        string `json:"spec,omitempty" jsonschema:"one spec; empty for every spec"`
		Requirement string `json:"requirement,omitempty" jsonschema:"one requirement (and its criteria) of the spec"`
		// FindingsOnly leaves the matrix out: what to act on.
		FindingsOnly bool `json:"findings_only,omitempty" jsonschema:"leave the coverage matrix out and return only the findings"`
	}
	noArgs   struct{}
	fileArgs struct {
		File string `json:"file" jsonschema:"a spec document, repository-relative, e.g. .kiro/specs/login/requirements.md"`
	}
	diffArgs struct {
		Files []string `json:"files,omitempty" jsonschema:"spec documents; empty for every one"`
		Rev   string   `json:"rev,omitempty" jsonschema:"the git revision to compare with; default HEAD"`
	}
	historyArgs struct {
		Hook  string `json:"hook,omitempty" jsonschema:"one hook's runs; empty for all"`
		Limit int    `json:"limit,omitempty" jsonschema:"how many runs, newest first; default 20"`
	}
	runArgs struct {
		ID string `json:"id" jsonschema:"the run's id, from history"`
	}
	triggerArgs struct {
		Hook  string         `json:"hook" jsonschema:"the hook's name (hookd hooks lists them)"`
		Files []string       `json:"files,omitempty" jsonschema:"files for the hook's batch, repository-relative"`
		Args  map[string]any `json:"args,omitempty" jsonschema:"the event's args, which a hook.manual hook reads as args"`
	}
)

// New makes the server with every tool.
func New(b Backend, version string) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "hookd", Version: version}, &mcp.ServerOptions{
		Instructions: "hookd knows this repository's specs (Kiro, Spec Kit, OpenSpec) and what cites each requirement. " +
			"Before changing a requirement or the code for one, ask impact or trace what cites it; after, trace shows what became suspect or dangling.",
	})
	readOnly := &mcp.ToolAnnotations{ReadOnlyHint: true}
	add(s, &mcp.Tool{Name: "impact", Annotations: readOnly,
		Description: "Every place that cites requirements: tasks (with status), design properties, code and tests, each with file and line. A requirement covers its criteria."},
		func(ctx context.Context, a impactArgs) (any, error) {
			if len(a.Requirements) == 0 {
				return nil, fmt.Errorf("name at least one requirement")
			}
			var refs []spec.Refs
			for _, r := range a.Requirements {
				name, id := a.Spec, r
				if s, i, ok := cut(r); ok {
					name, id = s, i
				}
				refs = append(refs, spec.Refs{Spec: name, IDs: []string{id}})
			}
			out, err := b.Impact(ctx, refs)
			if out == nil {
				out = []event.Citation{}
			}
			return out, err
		})
	add(s, &mcp.Tool{Name: "trace", Annotations: readOnly,
		Description: "Traceability of a spec or requirement: what covers each requirement (tasks, design, code, tests) and the findings: dangling citations, uncovered requirements, stale tasks, suspect links, with file and line."},
		func(ctx context.Context, a traceArgs) (any, error) {
			name, req := a.Spec, a.Requirement
			if s, i, ok := cut(req); ok {
				name, req = s, i
			}
			rep, err := b.Trace(ctx, name, req)
			if err != nil {
				return nil, err
			}
			if a.FindingsOnly {
				return map[string]any{"summary": rep.Summary, "policy": rep.Policy, "findings": rep.Findings}, nil
			}
			return rep, nil
		})
	add(s, &mcp.Tool{Name: "spec_list", Annotations: readOnly,
		Description: "Every spec here: its format (kiro, speckit, openspec), name, directory and documents."},
		func(ctx context.Context, _ noArgs) (any, error) { return b.Specs(ctx) })
	add(s, &mcp.Tool{Name: "spec_show", Annotations: readOnly,
		Description: "One spec document as hookd reads it: requirements and criteria with ids and lines, tasks with status and the requirements each cites."},
		func(ctx context.Context, a fileArgs) (any, error) { return b.Spec(ctx, a.File) })
	add(s, &mcp.Tool{Name: "spec_diff", Annotations: readOnly,
		Description: "Which requirements were added, changed, renamed or removed in spec documents since a git revision (HEAD by default), and which tasks changed status."},
		func(ctx context.Context, a diffArgs) (any, error) { return b.SpecDiff(ctx, a.Files, a.Rev, false) })
	add(s, &mcp.Tool{Name: "hooks", Annotations: readOnly,
		Description: "Every hook: its source, events, action, and whether it runs or why not (paused until the user trusts it, disabled)."},
		func(ctx context.Context, _ noArgs) (any, error) {
			hs, _, err := b.Hooks(ctx)
			return hs, err
		})
	add(s, &mcp.Tool{Name: "history", Annotations: readOnly,
		Description: "The latest hook runs, newest first: hook, event, status, exit, files, the tail of the output."},
		func(ctx context.Context, a historyArgs) (any, error) {
			if a.Limit <= 0 {
				a.Limit = 20
			}
			return b.Runs(ctx, a.Hook, a.Limit)
		})
	add(s, &mcp.Tool{Name: "run", Annotations: readOnly,
		Description: "One run whole: an agent run's prompt and output, what it wrote, its cost; a command's output."},
		func(ctx context.Context, a runArgs) (any, error) { return b.Run(ctx, a.ID) })
	add(s, &mcp.Tool{Name: "trigger", Annotations: &mcp.ToolAnnotations{OpenWorldHint: new(false)},
		Description: "Run a hook now with the given files. Only hooks the user has trusted run; others are refused with the reason."},
		func(ctx context.Context, a triggerArgs) (any, error) {
			id, err := b.Trigger(ctx, a.Hook, a.Files, a.Args)
			if err != nil {
				return nil, err
			}
			return map[string]string{"run": id}, nil
		})
	return s
}

// add registers a tool whose answer is JSON text: an error is the tool's
// (the agent reads it), not the protocol's.
func add[In any](s *mcp.Server, t *mcp.Tool, fn func(context.Context, In) (any, error)) {
	mcp.AddTool(s, t, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
		v, err := fn(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		data, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			return nil, nil, err
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(data)}}}, nil, nil
	})
}

func cut(s string) (spec, id string, ok bool) {
	for i := range len(s) {
		if s[i] == '#' {
			return s[:i], s[i+1:], true
		}
	}
	return "", s, false
}

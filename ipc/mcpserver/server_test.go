package mcpserver

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// backend records what the tools asked.
type backend struct{ asked []string }

func (b *backend) Impact(_ context.Context, refs []spec.Refs) ([]event.Citation, error) {
	var out []event.Citation
	for _, r := range refs {
		b.asked = append(b.asked, "impact "+r.Spec+" "+strings.Join(r.IDs, ","))
		if r.Spec == "nope" {
			return nil, errors.New(`no spec named "nope"`)
		}
		out = append(out, event.Citation{Requirement: r.IDs[0], Spec: r.Spec, File: "a_test.go", Line: 3, Kind: "test"})
	}
	return out, nil
}
func (b *backend) Trace(_ context.Context, s, req string) (*trace.Report, error) {
	b.asked = append(b.asked, "trace "+s+" "+req)
	return &trace.Report{Specs: []trace.Spec{{Name: s, Rows: []trace.Row{{ID: "1"}}}}, Findings: []trace.Finding{{Kind: trace.Dangling}}}, nil
}
func (b *backend) Specs(context.Context) ([]spec.Spec, error) {
	return []spec.Spec{{Name: "login"}}, nil
}
func (b *backend) Spec(_ context.Context, f string) (*spec.Doc, error) {
	return &spec.Doc{File: f}, nil
}
func (b *backend) SpecDiff(context.Context, []string, string, bool) ([]ipc.SpecDiff, error) {
	return []ipc.SpecDiff{}, nil
}
func (b *backend) Hooks(context.Context) ([]ipc.Hook, []ipc.Held, error) {
	return []ipc.Hook{{Name: "h"}}, nil, nil
}
func (b *backend) Runs(_ context.Context, hook string, limit int) ([]ipc.Run, error) {
	b.asked = append(b.asked, "runs "+hook+" "+string(rune('0'+limit/10)))
	return []ipc.Run{}, nil
}
func (b *backend) Run(_ context.Context, id string) (ipc.Run, error) { return ipc.Run{ID: id}, nil }
func (b *backend) Trigger(_ context.Context, hook string, _ []string, _ map[string]any) (string, error) {
	if hook == "untrusted" {
		return "", errors.New(`hook "untrusted" is disabled: paused`)
	}
	return "run-1", nil
}

func connect(t *testing.T, b Backend) *mcp.ClientSession {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := New(b, "test").Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var text strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text.WriteString(tc.Text)
		}
	}
	return text.String(), res.IsError
}

func TestTools(t *testing.T) {
	b := &backend{}
	cs := connect(t, b)
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" || tool.InputSchema == nil {
			t.Errorf("%s: no description or schema", tool.Name)
		}
	}
	if got := strings.Join(names, " "); got != "history hooks impact run spec_diff spec_list spec_show trace trigger" {
		t.Errorf("tools: %s", got)
	}

	// spec#id is split; a plain id takes the spec argument.
	if out, bad := call(t, cs, "impact", map[string]any{"requirements": []string{"login#2.1"}}); bad || !strings.Contains(out, `"file": "a_test.go"`) {
		t.Errorf("impact: %v %s", bad, out)
	}
	call(t, cs, "impact", map[string]any{"spec": "auth", "requirements": []string{"3"}})
	if strings.Join(b.asked, "|") != "impact login 2.1|impact auth 3" {
		t.Errorf("asked %v", b.asked)
	}
	// A backend's error is the tool's, for the agent to read.
	if out, bad := call(t, cs, "impact", map[string]any{"requirements": []string{"nope#1"}}); !bad || !strings.Contains(out, `no spec named "nope"`) {
		t.Errorf("impact of nothing: %v %s", bad, out)
	}
	if out, bad := call(t, cs, "impact", map[string]any{"requirements": []string{}}); !bad || !strings.Contains(out, "at least one") {
		t.Errorf("impact without ids: %v %s", bad, out)
	}
	// Arguments are checked against the schema before the backend sees them.
	if out, bad := call(t, cs, "impact", map[string]any{"requirements": 3}); !bad {
		t.Errorf("a number for a list was accepted: %s", out)
	}

	if out, _ := call(t, cs, "trace", map[string]any{"requirement": "login#2", "findings_only": true}); strings.Contains(out, `"rows"`) || !strings.Contains(out, `"dangling"`) {
		t.Errorf("trace findings_only: %s", out)
	}
	if b.asked[len(b.asked)-1] != "trace login 2" {
		t.Errorf("trace asked %v", b.asked[len(b.asked)-1])
	}
	if out, _ := call(t, cs, "trace", map[string]any{"spec": "login"}); !strings.Contains(out, `"rows"`) {
		t.Errorf("trace: %s", out)
	}
	call(t, cs, "history", map[string]any{})
	if b.asked[len(b.asked)-1] != "runs  2" {
		t.Errorf("history's default limit: %v", b.asked[len(b.asked)-1])
	}
	if out, bad := call(t, cs, "trigger", map[string]any{"hook": "untrusted"}); !bad || !strings.Contains(out, "paused") {
		t.Errorf("trigger untrusted: %v %s", bad, out)
	}
	if out, _ := call(t, cs, "trigger", map[string]any{"hook": "ok"}); !strings.Contains(out, `"run": "run-1"`) {
		t.Errorf("trigger: %s", out)
	}
	for name, args := range map[string]map[string]any{"spec_list": {}, "spec_show": {"file": "x.md"}, "spec_diff": {"rev": "HEAD~1"}, "hooks": {}, "run": {"id": "r1"}} {
		if out, bad := call(t, cs, name, args); bad {
			t.Errorf("%s: %s", name, out)
		}
	}
	// An argument a tool does not take is refused, not ignored.
	if out, bad := call(t, cs, "hooks", map[string]any{"spec": "x"}); !bad {
		t.Errorf("hooks took an unknown argument: %s", out)
	}
}

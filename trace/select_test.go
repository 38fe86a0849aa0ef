package trace

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// A review names a file, a line of one, or a requirement with its
// criteria; only suspect and stale links are reviewed.
func TestToReview(t *testing.T) {
	if got := ParseTarget("src/a.go:12"); got != (Target{File: "src/a.go", Line: 12}) {
		t.Errorf("FILE:LINE: %+v", got)
	}
	if got := ParseTarget("c:/odd:name"); got != (Target{File: "c:/odd:name"}) {
		t.Errorf("a colon that ends no line number: %+v", got)
	}
	if got := ParseTarget("login#2"); got != (Target{OfReq: true, Spec: "login", Req: "2"}) {
		t.Errorf("SPEC#REQ: %+v", got)
	}
	rep := &Report{Findings: []Finding{
		{Kind: Suspect, Spec: "login", Requirement: "2.1", File: "src/a.go", Line: 12},
		{Kind: Stale, Spec: "login", Requirement: "3", File: "tasks.md", Line: 4},
		{Kind: Dangling, Spec: "login", Requirement: "2.1", File: "src/a.go", Line: 12},
		{Kind: Suspect, Spec: "other", Requirement: "2.1", File: "src/b.go", Line: 1},
	}}
	lines := func(fs []Finding) []int {
		var out []int
		for _, f := range fs {
			out = append(out, f.Line)
		}
		return out
	}
	for _, c := range []struct {
		args []string
		all  bool
		want []int
	}{
		{[]string{"src/a.go"}, false, []int{12}},
		{[]string{"src/a.go:13"}, false, nil},
		{[]string{"LOGIN#2"}, false, []int{12}},
		{[]string{"login#3", "src/b.go"}, false, []int{4, 1}},
		{nil, true, []int{12, 4, 1}},
	} {
		var ts []Target
		for _, a := range c.args {
			ts = append(ts, ParseTarget(a))
		}
		if got := lines(ToReview(rep, ts, c.all)); !slices.Equal(got, c.want) {
			t.Errorf("%q all=%v: lines %v, want %v", c.args, c.all, got, c.want)
		}
	}
	var b bytes.Buffer
	WriteFindings(&b, rep.Findings[:1])
	if b.String() != "src/a.go:12: suspect: \n" {
		t.Errorf("%q", b.String())
	}
}

// Outside git nothing is suspect or stale, so there is nothing to record.
func TestRecordOutsideGit(t *testing.T) {
	if _, err := Record(t.Context(), t.TempDir(), &Report{}, nil, true); err == nil {
		t.Error("a review was recorded outside git")
	}
}

// A file name or a requirement's text holding a newline cannot start a
// line of its own in the gate's output: under GitHub Actions that line
// would be a workflow command.
func TestWriteFindingsCannotForgeALine(t *testing.T) {
	var b bytes.Buffer
	WriteFindings(&b, []Finding{{File: "a.go\n::add-mask::secret", Line: 3, Kind: Dangling, Message: "cites 1.1\n::error file=x::forged"}})
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 1 || strings.Contains(b.String(), "\n::") {
		t.Fatalf("output %q", b.String())
	}
}

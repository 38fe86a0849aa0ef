package spec

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

func parseText(t *testing.T, rel, text string) *Doc {
	t.Helper()
	p, ok := Classify(rel, DefaultRoots())
	if !ok {
		t.Fatalf("%s is no spec document", rel)
	}
	return Parse(p, rel, []byte(text))
}

// WriteDoc prints each requirement, criterion and task with its line.
func TestWriteDoc(t *testing.T) {
	var b bytes.Buffer
	WriteDoc(&b, parseText(t, ".kiro/specs/greet/requirements.md", "# Requirements\n\n### Requirement 1: Greet\n\n#### Acceptance Criteria\n\n1. WHEN a user arrives THEN the system SHALL greet them\n"))
	WriteDoc(&b, parseText(t, ".kiro/specs/greet/tasks.md", "# Tasks\n\n- [x] 1. Say hi\n  - _Requirements: 1.1_\n- [ ]* 2. Say bye\n"))
	for _, want := range []string{
		".kiro/specs/greet/requirements.md: kiro requirements of spec greet\n",
		"    3  1  Greet\n",
		"    7    1.1  WHEN a user arrives THEN the system SHALL greet them\n",
		"    3  [x] 1      Say hi  → 1.1\n",
		"    5  [ ] 2      Say bye  (optional)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}

// WriteList prints a table of specs, their files relative to their
// directory.
func TestWriteList(t *testing.T) {
	var b bytes.Buffer
	if err := WriteList(&b, []Spec{{Format: "kiro", Name: "greet", Dir: ".kiro/specs/greet", Files: []string{".kiro/specs/greet/requirements.md", ".kiro/specs/greet/tasks.md"}}}); err != nil {
		t.Fatal(err)
	}
	want := "FORMAT  SPEC   DIR                FILES\nkiro    greet  .kiro/specs/greet  requirements.md tasks.md\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// WriteImpact tabulates the places naming a spec and lists those that do
// not, apart, with what they could mean.
func TestWriteImpact(t *testing.T) {
	var b bytes.Buffer
	WriteImpact(&b, nil, 1)
	if b.String() != "nothing cites them\n" {
		t.Errorf("no citation: %q", b.String())
	}
	b.Reset()
	WriteImpact(&b, []event.Citation{
		{Kind: "task", File: "tasks.md", Line: 3, Requirement: "1.1", Spec: "greet", Stale: true},
		{Kind: "test", File: "a_test.go", Line: 9, Requirement: "1.1", Candidates: []string{"greet", "login"}},
		{Kind: "code", File: "login.go", Line: 2, Requirement: "1.1", Candidates: []string{"greet", "login"}, Likely: "login", Why: "stem"},
	}, 1)
	for _, want := range []string{
		"KIND  PLACE       CITES  SPEC\ntask  tasks.md:3  1.1    greet  done: possibly stale\n",
		"\n2 places cite it without naming a spec, where more than one spec defines it (ambiguous):\n  test a_test.go:9 cites 1.1: could be any of 2 specs (greet, login)\n" +
			"  code login.go:2 cites 1.1: could be any of 2 specs (greet, login); likely login (stem)\n",
		"(name the spec there",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}

// GroupRefs groups ids by the spec they name, or the default one, in the
// order the specs first come.
func TestGroupRefs(t *testing.T) {
	got := GroupRefs([]string{"2.1", "login#3", "1", "search#FR-1", "login#4"}, "greet")
	want := []Refs{{"greet", []string{"2.1", "1"}}, {"login", []string{"3", "4"}}, {"search", []string{"FR-1"}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%v, want %v", got, want)
	}
	if got := GroupRefs([]string{"1"}, ""); len(got) != 1 || got[0].Spec != "" {
		t.Errorf("no spec named: %v", got)
	}
}

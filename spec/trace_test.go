package spec

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

// writeTree writes files under a temporary root and returns it with the
// paths, as the daemon's file index would list them.
func writeTree(t testing.TB, files map[string]string) (string, []string) {
	t.Helper()
	root := t.TempDir()
	var rels []string
	for rel, text := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		rels = append(rels, rel)
	}
	return root, rels
}

func buildIndex(t testing.TB, files map[string]string) *Index {
	t.Helper()
	root, rels := writeTree(t, files)
	x, err := NewIndex(DefaultRoots(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Build(context.Background(), root, rels); err != nil {
		t.Fatal(err)
	}
	return x
}

func TestImpactIsScopedToItsSpec(t *testing.T) {
	x := buildIndex(t, map[string]string{
		".kiro/specs/login/requirements.md": kiroReqs,
		".kiro/specs/login/tasks.md": `- [x] 1. Session store
  - _Requirements: 1.1_
- [x] 2. Sign-out endpoint
  - _Requirements: 2.1, 2.2_
- [ ] 3. Docs
`,
		".kiro/specs/login/design.md": `## Correctness Properties

### Property 4: Signed-out sessions are dead
*For any* session, after sign-out it is rejected.
**Validates: Requirements 2.1**
`,
		".kiro/specs/billing/tasks.md": "- [ ] 1. Invoices\n  - _Requirements: 2.1_\n",
		"src/session.ts":               "import x from 'y'\n\n// Invalidate on sign-out. Requirements (login): 2.1\nexport function signOut() {}\n",
		"src/session.test.ts":          "/**\n * **Feature: login, Property 4: Signed-out sessions are dead**\n */\ntest('dead', () => {})\n",
		"src/invoice.ts":               "// Requirements (billing): 2.1\n",
		"src/unrelated.ts":             "const requirements = load()\n",
	})
	got := x.Impact("login", []string{"2.1"})
	want := []event.Citation{
		{Requirement: "2.1", Spec: "login", File: ".kiro/specs/login/design.md", Line: 3, Kind: CiteDesign},
		{Requirement: "2.1", Spec: "login", File: ".kiro/specs/login/tasks.md", Line: 3, Kind: CiteTask, Stale: true},
		{Requirement: "2.1", Spec: "login", File: "src/session.test.ts", Line: 2, Kind: CiteTest, Why: "named"},
		{Requirement: "2.1", Spec: "login", File: "src/session.ts", Line: 3, Kind: CiteCode, Why: "named"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("impact of login#2.1:\n got %+v\nwant %+v", got, want)
	}
	// A whole requirement covers its criteria, and the other spec's tasks
	// are found when asked for.
	if got := x.Impact("billing", []string{"2"}); len(got) != 2 {
		t.Errorf("impact of billing#2 = %+v, want its task and src/invoice.ts", got)
	}
}

// A spec's name alone (`hookd impact login`) is the whole spec: every
// place citing any of its requirements; Check accepts it, and Defined
// lists what can be asked.
func TestImpactOfASpecByName(t *testing.T) {
	x := buildIndex(t, map[string]string{
		".kiro/specs/login/requirements.md": kiroReqs,
		".kiro/specs/login/tasks.md":        "- [ ] 1. A\n  - _Requirements: 1.1_\n- [ ] 2. B\n  - _Requirements: 2.2_\n",
		".kiro/specs/billing/tasks.md":      "- [ ] 1. Invoices\n  - _Requirements: 2.1_\n",
	})
	if err := x.Check("", []string{"login"}); err != nil {
		t.Fatalf("Check of a spec's name: %v", err)
	}
	got := x.Impact("", []string{"login"})
	if len(got) != 2 || got[0].Spec != "login" || got[1].Spec != "login" {
		t.Fatalf("impact of login: %+v, want its two tasks and not billing's", got)
	}
	if err := x.Check("", []string{"nosuch"}); err == nil {
		t.Error("Check of a name that is no spec and no id passed")
	}
	if d := x.Defined()["login"]; len(d) < 3 || d[0] != "1" || d[1] != "1.1" {
		t.Errorf("Defined()[login] = %q", d)
	}
}

func TestImpactFollowsEdits(t *testing.T) {
	x := buildIndex(t, map[string]string{".kiro/specs/login/tasks.md": "- [ ] 1. A\n  - _Requirements: 1.1_\n"})
	if n := len(x.Impact("login", []string{"1.1"})); n != 1 {
		t.Fatalf("impact = %d citations, want 1", n)
	}
	x.Update("pkg/auth_test.go", []byte("package auth\n\n// Feature: login\n// Validates: Requirements 1.1\n"))
	got := x.Impact("login", []string{"1.1"})
	if len(got) != 2 || got[1].File != "pkg/auth_test.go" || got[1].Kind != CiteTest || got[1].Line != 4 {
		t.Fatalf("after adding a test: %+v", got)
	}
	x.Remove("pkg/auth_test.go")
	if n := len(x.Impact("login", []string{"1.1"})); n != 1 {
		t.Errorf("after removing the test: %d citations, want 1", n)
	}
}

func TestSpecKitCitations(t *testing.T) {
	x := buildIndex(t, map[string]string{
		"specs/004-search/spec.md":  specKitSpec,
		"specs/004-search/tasks.md": "## Phase 3: User Story 1\n\n- [X] T014 [P] [US1] Tests in `src/search.test.ts` (FR-002)\n- [ ] T015 [US1] Resolver in src/search.ts\n",
		"src/search.ts":             "// Excludes rented cars (FR-002).\n",
	})
	got := x.Impact("004-search", []string{"FR-002"})
	if len(got) != 2 || got[0].File != "specs/004-search/tasks.md" || !got[0].Stale || got[1].File != "src/search.ts" || got[1].Spec != "004-search" {
		t.Errorf("impact of FR-002: %+v", got)
	}
	// A scenario change reaches the tasks of its story.
	if got := x.Impact("004-search", []string{"US1/AC2"}); len(got) != 2 {
		t.Errorf("impact of US1/AC2: %+v", got)
	}
}

// The report says what changed and who cites it; a ticked task is told as
// progress, without an impact list.
func TestReport(t *testing.T) {
	x := buildIndex(t, map[string]string{
		".kiro/specs/login/tasks.md": kiroTasks,
		"src/auth.go":                "// Requirements (login): 1.3\n",
	})
	old := kiroDoc(t, Requirements, kiroReqs)
	changed := kiroDoc(t, Requirements, strings.Replace(kiroReqs, "24 hours", "8 hours", 1))
	r := Report(Payload(x, changed, Diff(old, changed)))
	for _, want := range []string{"spec login (kiro requirements): modified 1.3", "code   src/auth.go:1  cites 1.3", "task   .kiro/specs/login/tasks.md:4  cites 1.3", "task   .kiro/specs/login/tasks.md:6  cites 1.3"} {
		if !strings.Contains(r, want) {
			t.Errorf("report lacks %q:\n%s", want, r)
		}
	}
	tasks := x.Doc(".kiro/specs/login/tasks.md")
	ticked := kiroDoc(t, Tasks, strings.Replace(kiroTasks, "- [ ] 2. Sign out", "- [x] 2. Sign out", 1))
	r = Report(Payload(x, ticked, Diff(tasks, ticked)))
	if !strings.Contains(r, "1 task(s) changed state") || !strings.Contains(r, "task 2: todo → done  Sign out") || strings.Contains(r, "cite") {
		t.Errorf("task report:\n%s", r)
	}
}

// Citation forms people write, each with what it cites.
func TestCitationForms(t *testing.T) {
	x, _ := NewIndex(DefaultRoots(), nil)
	for line, want := range map[string][]string{
		"// (Requirement 4.6, 13.4)":              {"4.6", "13.4"},
		"// (per Requirements 6.1-6.4)":           {"6.1", "6.2", "6.3", "6.4"},
		"// Requirements 6.1–6.3 hold":            {"6.1", "6.2", "6.3"},
		"// Requirements: 6.1 to 6.3":             {"6.1", "6.2", "6.3"},
		"// Requirements 2 and 3.":                {"2", "3"},
		"# Tests Requirements: 3.1, 3.2":          {"3.1", "3.2"},
		"/* Validates: Requirements 1.1 - 1.3 */": {"1.1", "1.2", "1.3"},
		"// Requirement 3D rendering":             nil,
		// Prose is not a range: a dash between an id and a number.
		"// Requirement 2.6 — 64-byte keys": {"2.6"},
		"// Requirement 2.6 - 64-byte keys": {"2.6"},
		"// Requirement 2 — 64-byte keys":   {"2"},
		"// Requirements: 1.3-2.1":          nil,
		"// Requirements: 1.1-1.99":         {"1.1", "1.99"},
		"// Requirements 3-5":               {"3", "4", "5"},
		"// Requirements 3 - 64 bytes":      {"3"},
		"### Requirement 3: Sign in":        nil,
		"## Requirements 2":                 nil,
	} {
		fr := x.scan("src/a.ts", []byte(line+"\n"))
		var got []string
		for _, r := range fr.refs {
			got = append(got, r.ids...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: cites %v, want %v", line, got, want)
		}
	}
}

// A crafted file that repeats a wide range costs the index a bounded
// number of ids, and the index says which file it cut.
func TestCitationsPerFileAreBounded(t *testing.T) {
	x, err := NewIndex(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	x.Update(".kiro/specs/a/requirements.md", []byte("# Requirements\n\n### Requirement 1: A\n\n1. WHEN x THEN the system SHALL y\n"))
	line := "// Requirements: 1.1-1.100\n"
	x.Update("src/bomb.go", []byte(strings.Repeat(line, 128<<10/len(line))))
	x.Update("src/fine.go", []byte("// Requirements: 1.1\n"))
	total := 0
	for _, l := range x.Links("") {
		if l.File == "src/bomb.go" {
			total += len(l.Cites)
		}
	}
	if total > MaxCitesPerFile+100 {
		t.Fatalf("the crafted file adds %d cited ids, over the bound %d", total, MaxCitesPerFile)
	}
	if cut := x.Cut(); len(cut) != 1 || cut[0] != "src/bomb.go" {
		t.Fatalf("Cut = %v, want [src/bomb.go]", cut)
	}
}

// "#### Acceptance Criteria - ZERO TOLERANCE POLICY" still heads the
// criteria: read as nothing, every task citing them dangled (nkllon).
func TestAcceptanceCriteriaHeadingWithASuffix(t *testing.T) {
	for _, h := range []string{"#### Acceptance Criteria - ZERO TOLERANCE POLICY", "#### Acceptance Criteria (EARS)", "#### Acceptance Criteria:"} {
		d := Parse(Place{Kiro, Requirements, "a", ".kiro/specs/a", "", false}, ".kiro/specs/a/requirements.md",
			[]byte("# R\n\n### Requirement 4: No\n\n"+h+"\n\n1. WHEN x THEN y SHALL z\n2. WHEN p THEN q SHALL r\n"))
		if ids := d.IDs(); !slices.Equal(ids, []string{"4", "4.1", "4.2"}) {
			t.Errorf("%s: ids %v", h, ids)
		}
	}
}

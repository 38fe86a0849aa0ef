package trace

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/spec"
)

// twoSpecs lays out two Kiro specs that both define Requirement 11 with
// criteria 11.1 to 11.3, as every multi-spec Kiro repository has: leads-inbox
// names its test file in its tasks.
func twoSpecs(t *testing.T) *repo {
	t.Helper()
	r := newRepo(t)
	for _, s := range []struct{ name, topic string }{{"leads-inbox", "lead"}, {"billing", "invoice"}} {
		var b strings.Builder
		fmt.Fprintf(&b, "# Requirements Document\n\n## Requirements\n")
		for n := 1; n <= 11; n++ {
			fmt.Fprintf(&b, "\n### Requirement %d: %s %d\n\n#### Acceptance Criteria\n\n", n, s.topic, n)
			for k := 1; k <= 3; k++ {
				fmt.Fprintf(&b, "%d. WHEN a user opens the %s %d.%d THEN the system SHALL show it\n", k, s.topic, n, k)
			}
		}
		r.write(".kiro/specs/"+s.name+"/requirements.md", b.String())
	}
	r.write(".kiro/specs/leads-inbox/tasks.md", "# Tasks\n\n- [x] 1. Inbox\n  - Write `tests/test_leads_inbox.py`\n  - _Requirements: 11.1_\n")
	return r
}

func linkAt(links []spec.Link, file string) (spec.Link, bool) {
	for _, l := range links {
		if l.File == file {
			return l, true
		}
	}
	return spec.Link{}, false
}

// A bare citation of an id two specs define is ambiguous: listed apart
// with its candidates and a suggestion, never a suspect, stale or
// dangling finding, never failing the default gate, even where the old
// heuristics would have scoped it (its file is named by one spec's tasks)
// and the requirement then changed in both specs.
func TestBareCitationInManySpecsIsAmbiguous(t *testing.T) {
	r := twoSpecs(t)
	r.write("tests/test_leads_inbox.py", "# Requirements: 11.3\ndef test_inbox(): pass\n")
	r.commit("specs and a test")
	for _, s := range []string{"leads-inbox", "billing"} {
		r.edit(".kiro/specs/"+s+"/requirements.md", "the system SHALL show it\n\n### Requirement 2", "the system SHALL hide it\n\n### Requirement 2")
		doc := r.read(".kiro/specs/" + s + "/requirements.md")
		r.write(".kiro/specs/"+s+"/requirements.md", strings.Replace(doc, "11.3 THEN the system SHALL show it", "11.3 THEN the system SHALL list it", 1))
	}
	r.commit("11.3 changes in both specs")
	rep := r.report(Options{})
	l, ok := linkAt(rep.Ambiguous, "tests/test_leads_inbox.py")
	if !ok {
		t.Fatalf("the bare citation is not listed as ambiguous: %+v", rep.Ambiguous)
	}
	if !slices.Equal(l.Candidates, []string{"billing", "leads-inbox"}) || l.Likely != "leads-inbox" || l.Why != "path" {
		t.Errorf("ambiguous %+v: want both candidates, likely leads-inbox by path", l)
	}
	for _, f := range rep.Findings {
		if f.File == "tests/test_leads_inbox.py" {
			t.Errorf("an ambiguous citation made a finding: %+v", f)
		}
	}
	if row := rowOf(t, rep, "leads-inbox", "11.3"); len(row.Tests) != 0 {
		t.Errorf("an ambiguous citation counts as coverage: %+v", row.Tests)
	}
	if f := rep.Failing(); len(f) != 0 {
		t.Errorf("the default gate fails: %+v", f)
	}
	strict := r.report(Options{Policy: Policy{Require: []string{}, FailOn: []string{Ambiguous}}})
	if f := strict.Failing(); len(f) != 1 || f[0].Kind != Ambiguous || f[0].File != "tests/test_leads_inbox.py" || !strings.Contains(f[0].Message, "likely leads-inbox") {
		t.Errorf(`fail_on = ["ambiguous"]: failing %+v, want the one ambiguous citation`, f)
	}
}

// What names its spec is scoped, each by its evidence: a Feature: header,
// "spec#id", the spec's own folder, [trace] scope in hookd.toml.
func TestEvidenceScopes(t *testing.T) {
	r := twoSpecs(t)
	r.write("tests/test_header.py", "# Feature: billing\n\n# Requirements: 11.2\ndef test_a(): pass\n")
	r.write("src/explicit.go", "package src\n\n// Implements billing#11.1, and issue#11 is not a spec.\nfunc F() {}\n")
	r.write(".kiro/specs/billing/contracts/api.yaml", "# Requirements: 11.3\nopenapi: 3.0.0\n")
	// Prose in the spec's folder is its documents, not code covering it.
	r.write(".kiro/specs/billing/notes.md", "# Notes\n\nChecked against Requirements: 11.3, 99.1.\n")
	r.write("services/billing/charge.ts", "// Requirements: 11.2\nexport const charge = 1;\n")
	r.write("hookd.toml", "[trace]\nscope = { \"services/billing\" = \"billing\" }\n")
	r.commit("scoped citations")
	rep := r.report(Options{})
	for file, why := range map[string]string{"tests/test_header.py": spec.ScopeNamed, "src/explicit.go": spec.ScopeExplicit,
		".kiro/specs/billing/contracts/api.yaml": spec.ScopeFolder, "services/billing/charge.ts": spec.ScopeConfig} {
		found := false
		for _, s := range rep.Specs {
			for _, row := range s.Rows {
				for _, p := range append(append([]Place{}, row.Code...), row.Tests...) {
					if p.File == file {
						found = true
						if s.Name != "billing" {
							t.Errorf("%s is listed under %s", file, s.Name)
						}
					}
				}
			}
		}
		if !found {
			t.Errorf("%s (%s) is not scoped to billing; ambiguous: %+v", file, why, rep.Ambiguous)
		}
	}
	x := r.index()
	for _, l := range x.Links("billing") {
		if want := map[string]string{"tests/test_header.py": "named", "src/explicit.go": "explicit", ".kiro/specs/billing/contracts/api.yaml": "folder", ".kiro/specs/billing/notes.md": "none",
			"services/billing/charge.ts": "config"}[l.File]; want != "" && l.Why != want {
			t.Errorf("%s scoped by %q, want %q", l.File, l.Why, want)
		}
		if l.File == "src/explicit.go" && !slices.Equal(l.Cites, []string{"11.1"}) {
			t.Errorf("src/explicit.go cites %v, want [11.1] (issue#11 names no spec)", l.Cites)
		}
	}
	if len(rep.Ambiguous) != 0 {
		t.Errorf("ambiguous: %+v", rep.Ambiguous)
	}
	if d := findings(rep, Dangling); len(d) != 0 {
		t.Errorf("dangling: %v", places(d))
	}
}

// "Requirement 2.6 — 64-byte" is prose: it cites 2.6, and never 2.6 to
// 2.64, which would be dozens of dangling citations failing the gate.
func TestProseDashIsNoRange(t *testing.T) {
	r := twoSpecs(t)
	r.write("src/keys.go", "package src\n\n// Requirements (billing): 2.3 — 64-byte keys\n// Requirements (billing): 11.1–11.3\nfunc K() {}\n")
	r.commit("prose")
	rep := r.report(Options{})
	if d := findings(rep, Dangling); len(d) != 0 {
		t.Errorf("dangling from prose: %v", places(d))
	}
	var cites [][]string
	for _, l := range r.index().Links("billing") {
		if l.File == "src/keys.go" {
			cites = append(cites, l.Cites)
		}
	}
	if len(cites) != 2 || !slices.Equal(cites[0], []string{"2.3"}) || !slices.Equal(cites[1], []string{"11.1", "11.2", "11.3"}) {
		t.Errorf("cites %v, want 2.3, then the range 11.1–11.3", cites)
	}
}

// The templates and commands spec tools and agents install cite nothing;
// nor do generated or vendored paths (.gitattributes); [trace] include
// takes one back.
func TestScaffoldingIsNotCode(t *testing.T) {
	r := twoSpecs(t)
	placeholder := "1. <Requirement 1 …>\n_Requirements: 1.1, 2.9_\nRequirements (billing): 11.9\n"
	for _, f := range []string{".specify/templates/tasks-template.md", ".claude/commands/speckit.tasks.md", ".codex/prompts/speckit.plan.md",
		".claude/agents/spec-writer.md", ".gemini/commands/speckit.specify.toml", "gen/api.pb.go", "third/lib.js"} {
		r.write(f, placeholder)
	}
	r.write(".gitattributes", "gen/** linguist-generated=true\nthird/ linguist-vendored\n*.md text\n")
	r.commit("scaffolding")
	rep := r.report(Options{})
	if d := findings(rep, Dangling); len(d) != 0 {
		t.Errorf("dangling in scaffolding: %v", places(d))
	}
	if links := r.index().Links(""); slices.ContainsFunc(links, func(l spec.Link) bool { return !strings.HasPrefix(l.File, ".kiro/") }) {
		t.Errorf("scaffolding is indexed: %+v", links)
	}
	r.write("hookd.toml", "[trace]\ninclude = [\".claude/agents/\"]\n")
	r.commit("take the agents back")
	d := places(findings(r.report(Options{}), Dangling))
	if !slices.Equal(d, []string{".claude/agents/spec-writer.md:3 billing#11.9"}) {
		t.Errorf("with include: dangling %v, want the agent's named citation of 11.9 only", d)
	}
}

// Spec Kit and OpenSpec are first-class: an FR row says what it requires;
// an OpenSpec requirement is asked for in any case or by its slug, and an
// error lists its names; archived changes are no specs; a finding names
// an OpenSpec requirement once.
func TestSpecKitAndOpenSpecRows(t *testing.T) {
	r := newRepo(t)
	r.write("specs/001-export/spec.md", "# Feature: Export\n\n## Requirements\n\n- **FR-001**: System MUST export reports as CSV.\n- **FR-002**: System MUST name the file by date.\n"+
		"- **FR-003a**: System MUST zip big files.\n- **FR-003b**: System MUST say so.\n")
	// FR-003 is FR-003a and FR-003b: citing it dangles nothing.
	r.write("src/export_test.go", "package src\n\n// Covers FR-003 and FR-001\nfunc TestExport() {}\n")
	r.write("openspec/specs/auth/spec.md", "# auth\n\n## Requirements\n\n### Requirement: User Login\nThe system SHALL log users in.\n\n#### Scenario: Valid\n- WHEN valid\n- THEN in\n")
	r.write("openspec/changes/archive/2025-01-02-add-login/specs/auth/spec.md", "## ADDED Requirements\n\n### Requirement: User Login\nThe system SHALL log users in.\n")
	r.write("openspec/changes/archive/2025-01-02-add-login/tasks.md", "## 1. Login\n- [x] 1.1 Build it\n")
	r.commit("specs")
	rep := r.report(Options{})
	var names []string
	for _, s := range rep.Specs {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"001-export", "auth"}) {
		t.Errorf("specs %v, want 001-export and auth (an archived change is no spec)", names)
	}
	if row := rowOf(t, rep, "001-export", "FR-001"); row.Title != "System MUST export reports as CSV." {
		t.Errorf("FR-001's row says %q", row.Title)
	}
	if d := findings(rep, Dangling); len(d) != 0 {
		t.Errorf("dangling %v: FR-003 is FR-003a and FR-003b", places(d))
	}
	if row := rowOf(t, rep, "001-export", "FR-003a"); len(row.Tests) != 1 {
		t.Errorf("FR-003a is not covered by the test citing FR-003: %+v", row)
	}
	for _, f := range findings(rep, Uncovered) {
		if f.Spec == "auth" && strings.Count(f.Message, "User Login") != 1 {
			t.Errorf("the finding names the requirement %d times: %s", strings.Count(f.Message, "User Login"), f.Message)
		}
	}
	x := r.index()
	for _, id := range []string{"user login", "user-login", "USER LOGIN"} {
		if err := x.Check("auth", []string{id}); err != nil {
			t.Errorf("Check(auth, %q): %v", id, err)
		}
		if one := Build(t.Context(), x, Options{Spec: "auth", Requirement: id, Policy: DefaultPolicy()}); len(one.Specs) != 1 || len(one.Specs[0].Rows) != 1 {
			t.Errorf("trace auth#%s: %+v", id, one.Specs)
		}
	}
	err := x.Check("auth", []string{"user logout"})
	if err == nil || !strings.Contains(err.Error(), `"User Login"`) && !strings.Contains(err.Error(), "User Login") || strings.Contains(err.Error(), "N.k") {
		t.Errorf("Check(auth, user logout) = %v: want the requirement names, not Kiro's N.k", err)
	}
	if err := x.Check("001-export", []string{"FR-009"}); err == nil || !strings.Contains(err.Error(), "FR-001, FR-002") || strings.Contains(err.Error(), "N.k") {
		t.Errorf("Check(001-export, FR-009) = %v: want FR ids, not Kiro's N.k", err)
	}
}

// A spec path names the spec of the citations beside it, and of the whole
// file only from its header: a README that cites a requirement at its top
// and points at another spec's design further down is not that spec's.
func TestSpecPathScopesWhatIsBesideIt(t *testing.T) {
	r := twoSpecs(t)
	r.write("docs/README.md", "# Deployment (Requirement 11)\n\n"+strings.Repeat("Some prose.\n", 20)+
		"See `.kiro/specs/billing/design.md` for the design.\n")
	r.write("tests/test_futures.py", "import x\n"+strings.Repeat("\n", 20)+"# Validates: Requirements 11.1-11.3 (.kiro/specs/billing/)\ndef test_f(): pass\n")
	// The header names billing by path; a citation of what billing does
	// not define, beside another spec's name, is that spec's.
	r.write("tests/test_mixed.py", "# Extracted (.kiro/specs/billing/, Requirements 11.1)\n\n"+
		"# the leads-inbox spec's Requirement 12 and 11.2\ndef test_m(): pass\n")
	r.commit("paths")
	rep := r.report(Options{})
	if l, ok := linkAt(r.index().Links("leads-inbox"), "tests/test_mixed.py"); !ok || l.Why != spec.ScopeNamed {
		t.Errorf("the citation beside leads-inbox's name: %+v", l)
	}
	if d := places(findings(rep, Dangling)); !slices.Equal(d, []string{"tests/test_mixed.py:3 leads-inbox#12"}) {
		t.Errorf("dangling %v, want leads-inbox#12 only", d)
	}
	if _, ok := linkAt(rep.Ambiguous, "docs/README.md"); !ok {
		t.Errorf("the README's citation is not ambiguous: %+v", rep.Ambiguous)
	}
	l, ok := linkAt(r.index().Links("billing"), "tests/test_futures.py")
	if !ok || l.Why != spec.ScopeNamed || len(l.Cites) != 3 {
		t.Errorf("the citation beside its spec's path: %+v", l)
	}
}

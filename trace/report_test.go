package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/spec"
)

// corpus holds real spec documents from public repositories
// (../shared/corpus); the tests lay them out in scratch repositories and
// never copy them into this one.
const corpus = "../../shared/corpus/specs/kiro/Homas__RpiDNS__user-authentication__"

// repo is a scratch git repository.
type repo struct {
	t    *testing.T
	root string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	r := &repo{t, t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Ann", "-c", "user.email=ann@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.root
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *repo) write(rel, text string) {
	r.t.Helper()
	p := filepath.Join(r.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) read(rel string) string {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.root, rel))
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}

// edit replaces old with new in rel, which must hold it.
func (r *repo) edit(rel, old, new string) {
	r.t.Helper()
	s := r.read(rel)
	if !strings.Contains(s, old) {
		r.t.Fatalf("%s does not hold %q", rel, old)
	}
	r.write(rel, strings.Replace(s, old, new, 1))
}

func (r *repo) commit(msg string) {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
}

// index indexes the work tree as the daemon does.
func (r *repo) index() *spec.Index {
	r.t.Helper()
	x, err := spec.NewIndex(spec.DefaultRoots(), nil)
	if err != nil {
		r.t.Fatal(err)
	}
	files := ignore.Walk(r.root, filepath.Join(r.root, ".git"), nil).Files
	if err := x.Build(context.Background(), r.root, files); err != nil {
		r.t.Fatal(err)
	}
	return x
}

// report indexes the work tree and builds its report.
func (r *repo) report(o Options) *Report {
	r.t.Helper()
	x := r.index()
	if o.History == nil {
		o.History = NewHistory(r.root)
	}
	if o.Reviews == nil {
		o.Reviews, _ = LoadReviews(r.root)
	}
	if o.Policy.Require == nil && o.Policy.FailOn == nil {
		o.Policy = DefaultPolicy()
	}
	return Build(context.Background(), x, o)
}

// authRepo lays out the corpus' user-authentication spec with a test
// citing criterion 2.1 and code citing 3.2, in one commit.
func authRepo(t *testing.T) *repo {
	t.Helper()
	r := newRepo(t)
	for _, doc := range []string{"requirements.md", "tasks.md"} {
		data, err := os.ReadFile(corpus + doc)
		if err != nil {
			t.Skipf("corpus not found: %v", err)
		}
		r.write(".kiro/specs/user-authentication/"+doc, string(data))
	}
	r.write("www/auth/logout_test.go", "package auth\n\n// Feature: user-authentication\n// Requirements: 2.1\nfunc TestLogout() {}\n")
	r.write("www/auth/password.go", "package auth\n\n// Requirements (user-authentication): 3.2\nfunc ChangePassword() {}\n\n// Requirements (user-authentication): 8.6\nfunc Migrate() {}\n")
	r.commit("spec, code and tests")
	return r
}

func findings(rep *Report, kind string) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

func places(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.File+":"+strconv.Itoa(f.Line)+" "+f.Spec+"#"+f.Requirement)
	}
	return out
}

const logout21 = "1. WHEN a user clicks the logout button, THE Authentication_System SHALL invalidate the current session"

func TestSuspectUntilReviewed(t *testing.T) {
	r := authRepo(t)
	if s := findings(r.report(Options{}), Suspect); len(s) != 0 {
		t.Fatalf("one commit, nothing suspect; got %v", places(s))
	}

	r.edit(".kiro/specs/user-authentication/requirements.md", logout21, logout21+" and revoke its refresh token")
	r.commit("logout revokes the refresh token")
	rep := r.report(Options{})
	// Only the requirements are blamed: nothing citing them was touched
	// since, and what was created with them is as new as they are.
	if rep.Blames != 1 {
		t.Errorf("%d blames, want 1 (requirements.md)", rep.Blames)
	}
	got := places(findings(rep, Suspect))
	if want := "www/auth/logout_test.go:4 user-authentication#2.1"; len(got) != 1 || got[0] != want {
		t.Fatalf("suspect = %v, want [%s] (the code citing 3.2 was not touched by the change)", got, want)
	}
	if st := places(findings(rep, Stale)); !contains(st, ".kiro/specs/user-authentication/tasks.md:57 user-authentication#2.1") {
		t.Fatalf("stale = %v, want the done task 2.4 citing 2.1", st)
	}
	for _, f := range findings(rep, Stale) {
		if f.Requirement != "2.1" {
			t.Errorf("stale, yet 2.1 is all that changed: %+v", f)
		}
	}

	// A review holds while the requirement says what it says now...
	f := findings(rep, Suspect)[0]
	rs, _ := LoadReviews(r.root)
	rs.Add(Review{Spec: f.Spec, ID: f.Requirement, File: f.File, Fingerprint: f.Fingerprint, By: "Ann"})
	if err := rs.Save(r.root); err != nil {
		t.Fatal(err)
	}
	r.commit("reviewed")
	rep = r.report(Options{})
	if s := findings(rep, Suspect); len(s) != 0 {
		t.Fatalf("reviewed, yet suspect: %v", places(s))
	}
	row := rowOf(t, rep, "user-authentication", "2.1")
	if len(row.Tests) != 1 || !row.Tests[0].Reviewed || row.Tests[0].Suspect {
		t.Fatalf("row 2.1 tests = %+v, want the test marked reviewed", row.Tests)
	}

	// ...and not once it changes again.
	r.edit(".kiro/specs/user-authentication/requirements.md", "revoke its refresh token", "revoke every refresh token")
	r.commit("every token")
	if got := places(findings(r.report(Options{}), Suspect)); len(got) != 1 {
		t.Fatalf("changed after the review: suspect = %v, want the test again", got)
	}

	// Touching the file elsewhere is not looking at the citation.
	r.edit("www/auth/logout_test.go", "func TestLogout() {}", "func TestLogout() { _ = 1 }")
	r.commit("unrelated edit")
	rep = r.report(Options{})
	if got := places(findings(rep, Suspect)); len(got) != 1 {
		t.Fatalf("an edit elsewhere in the file cleared the suspect link: %v", got)
	}
	// One diff told it, not a blame of the test.
	if rep.Blames != 1 {
		t.Errorf("%d blames, want 1 (requirements.md)", rep.Blames)
	}

	// Touching the citing lines is looking at them.
	r.edit("www/auth/logout_test.go", "// Requirements: 2.1", "// Requirements: 2.1 (refresh tokens too)")
	r.commit("test follows")
	h := NewHistory(r.root)
	if got := places(findings(r.report(Options{History: h}), Suspect)); len(got) != 0 {
		t.Fatalf("the test was touched after the change, yet suspect: %v", got)
	}
	// One blame per spec document and citing file, at most.
	if n := h.Blames(); n > 4 {
		t.Errorf("%d blames for 2 spec documents and 2 citing files", n)
	}
	// Kept: the same history answers again from memory.
	if rep := r.report(Options{History: h}); rep.Blames != 0 {
		t.Errorf("a second report ran %d blames; nothing changed", rep.Blames)
	}
}

func TestUncommittedRequirementEditIsNewest(t *testing.T) {
	r := authRepo(t)
	r.edit(".kiro/specs/user-authentication/requirements.md", logout21, logout21+" at once")
	if got := places(findings(r.report(Options{}), Suspect)); len(got) != 1 || !strings.HasPrefix(got[0], "www/auth/logout_test.go:4") {
		t.Fatalf("an edit not yet committed is a change: suspect = %v", got)
	}
}

func TestDanglingAfterRenumbering(t *testing.T) {
	r := authRepo(t)
	if d := findings(r.report(Options{}), Dangling); len(d) != 0 {
		t.Fatalf("before: dangling %v", places(d))
	}
	// Requirement 7 removed, 8 renumbered to 7: whatever cited 8.x now
	// points nowhere.
	doc := r.read(".kiro/specs/user-authentication/requirements.md")
	at := strings.Index(doc, "### Requirement 7")
	doc = strings.Replace(doc[:at], "### Requirement 8", "### Requirement 7", 1)
	r.write(".kiro/specs/user-authentication/requirements.md", doc)
	r.commit("renumber")
	rep := r.report(Options{})
	d := places(findings(rep, Dangling))
	if !contains(d, "www/auth/password.go:6 user-authentication#8.6") {
		t.Errorf("the code citing 8.6 is not dangling: %v", d)
	}
	if !contains(d, ".kiro/specs/user-authentication/tasks.md:10 user-authentication#8.1") {
		t.Errorf("task 1.1 citing 8.1 is not dangling: %v", d)
	}
	for _, f := range findings(rep, Dangling) {
		if !f.Fails {
			t.Errorf("the default policy fails on dangling: %+v", f)
		}
		if f.Requirement == "3.2" || f.Requirement == "2.1" {
			t.Errorf("%s still exists: %+v", f.Requirement, f)
		}
	}
}

func TestUncoveredByPolicy(t *testing.T) {
	r := authRepo(t)
	rep := r.report(Options{Policy: Policy{Require: []string{"test"}, FailOn: []string{Uncovered}}})
	u := map[string]bool{}
	for _, f := range findings(rep, Uncovered) {
		u[f.Requirement] = true
		if !f.Fails {
			t.Errorf("not failing: %+v", f)
		}
	}
	if u["2"] || !u["3"] || !u["1"] {
		t.Errorf("uncovered = %v: want 2 covered by its test (of 2.1), 1 and 3 uncovered (3.2 is cited by code, not a test)", u)
	}
	if rep.Summary.Requirements != 8 || rep.Summary.Covered != 1 {
		t.Errorf("summary %+v, want 1 of 8 covered", rep.Summary)
	}
	each := r.report(Options{Policy: Policy{Require: []string{"test"}, EachCriterion: true}})
	crit := map[string]bool{}
	for _, f := range findings(each, Uncovered) {
		crit[f.Requirement] = true
	}
	if crit["2.1"] || !crit["2.2"] || crit["2"] {
		t.Errorf("each criterion: uncovered %v; want 2.2, not 2.1 nor 2", crit)
	}
	code := r.report(Options{Policy: Policy{Require: []string{"code"}}})
	row := rowOf(t, code, "user-authentication", "3.2")
	if !row.Covered || len(row.Code) != 1 || row.Code[0].File != "www/auth/password.go" {
		t.Errorf("3.2 under require=[code]: %+v", row)
	}
	if none := r.report(Options{Policy: Policy{Require: []string{}, FailOn: []string{}}}); len(findings(none, Uncovered)) != 0 {
		t.Errorf("require = [] asks for nothing, yet uncovered findings")
	}
}

func TestOneRequirement(t *testing.T) {
	r := authRepo(t)
	rep := r.report(Options{Spec: "user-authentication", Requirement: "2"})
	if len(rep.Specs) != 1 {
		t.Fatalf("specs %d", len(rep.Specs))
	}
	var ids []string
	for _, row := range rep.Specs[0].Rows {
		ids = append(ids, row.ID)
	}
	if strings.Join(ids, " ") != "2 2.1 2.2 2.3" {
		t.Errorf("rows %v, want requirement 2 and its criteria", ids)
	}
	for _, f := range rep.Findings {
		if !spec.Covers("2", f.Requirement) {
			t.Errorf("a finding about another requirement: %+v", f)
		}
	}
}

func rowOf(t *testing.T, rep *Report, specName, id string) Row {
	t.Helper()
	for _, s := range rep.Specs {
		if s.Name != specName {
			continue
		}
		for _, r := range s.Rows {
			if r.ID == id {
				return r
			}
		}
	}
	t.Fatalf("no row %s#%s", specName, id)
	return Row{}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// A renumbering reuses ids: after Requirement 7 is removed and 8 becomes
// 7, a test citing 7.2 cites another requirement than it was written for,
// though the criterion's own line did not change. Its heading did.
func TestRenumberingMakesTheReusedIdSuspect(t *testing.T) {
	r := authRepo(t)
	r.write("www/ui/frontend_test.go", "package ui\n\n// Requirements (user-authentication): 7.2\nfunc TestLoginPage() {}\n")
	r.commit("frontend test")
	doc := r.read(".kiro/specs/user-authentication/requirements.md")
	at := strings.Index(doc, "### Requirement 7")
	r.write(".kiro/specs/user-authentication/requirements.md", strings.Replace(doc[:at], "### Requirement 8", "### Requirement 7", 1))
	r.commit("renumber")
	if got := places(findings(r.report(Options{}), Suspect)); !contains(got, "www/ui/frontend_test.go:3 user-authentication#7.2") {
		t.Fatalf("suspect = %v, want the test citing the reused 7.2", got)
	}
}

// The JSON is stable: lists are lists, never null, whatever is empty.
func TestJSONListsAreNeverNull(t *testing.T) {
	r := authRepo(t)
	data, err := json.Marshal(r.report(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("null")) {
		i := bytes.Index(data, []byte("null"))
		t.Fatalf("null in the report: …%s…", data[max(0, i-80):i+4])
	}
}

// An OpenSpec change that modifies a requirement covers its row as a
// change, and scenarios are not rows.
func TestOpenSpecChangeIsARowsChange(t *testing.T) {
	r := newRepo(t)
	r.write("openspec/specs/auth/spec.md", "# auth\n\n## Requirements\n\n### Requirement: Login\nThe system SHALL log users in.\n\n#### Scenario: Valid credentials\n- WHEN valid\n- THEN in\n")
	r.write("openspec/changes/add-2fa/specs/auth/spec.md", "## MODIFIED Requirements\n\n### Requirement: Login\nThe system SHALL log users in with a second factor.\n\n#### Scenario: Valid credentials\n- WHEN valid and code\n- THEN in\n")
	r.write("tests/login_test.py", "# Requirements (auth): Login\ndef test_login(): pass\n")
	r.commit("auth")
	rep := r.report(Options{})
	if len(rep.Specs) != 1 || len(rep.Specs[0].Rows) != 1 {
		t.Fatalf("specs %+v, want auth with its one requirement", rep.Specs)
	}
	row := rep.Specs[0].Rows[0]
	if row.ID != "Login" || len(row.Changes) != 1 || row.Changes[0].File != "openspec/changes/add-2fa/specs/auth/spec.md" {
		t.Errorf("row %+v, want the change add-2fa", row)
	}
}

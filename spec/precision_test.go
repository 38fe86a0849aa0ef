package spec

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Precision and recall of Impact, measured the way a user meets it: a
// repository laid out like the real ones (many specs that all have a
// Requirement 3, nested projects with their own .kiro/, code and tests
// that cite ids in the forms people write), every spec asked about every
// requirement as `hookd impact spec#N` would, and each code or test row
// judged against what the citation was written to mean. A citation that
// nothing tells apart must stay unscoped: listed apart, never as an
// impact of a spec it may not mean.
//
// Two sets: specs generated here (always run) and the real specs of the
// shared corpus (run where the corpus is). The figures go in
// docs/specs.md.

// impactGoal is what both figures must reach on both sets.
const impactGoal = 0.95

// specModel is what the layout generator knows of one spec, read back
// from its parsed documents.
type specModel struct {
	name, short, project string
	reqs                 []Requirement
	// files and idents are project-relative paths and identifiers that
	// only this spec's documents (in its project) name.
	files, idents []string
	// sharedFiles are paths this spec's documents name and one other
	// spec's too.
	sharedFiles map[string]string
	// body is what its documents say, in lower case.
	body string
}

// namedElsewhere reports whether a spec of m's project other than m
// mentions name: then a file called so may mean either, to a reader too.
func namedElsewhere(specs []*specModel, m *specModel, name string) bool {
	name = strings.ToLower(name)
	for _, o := range specs {
		if o != m && o.project == m.project && strings.Contains(o.body, name) {
			return true
		}
	}
	return false
}

// truth is one citation written into the layout and what it means; spec
// "" is a citation that must stay unscoped.
type truth struct {
	file string
	line int
	spec string
	ids  []string
	// evidence: the place itself says which spec (its name, spec#id, the
	// spec's folder). Every other citation of an id more than one spec
	// defines must stay ambiguous, with at most a suggestion.
	evidence bool
}

type layout struct {
	files  map[string][]string
	truths []truth
	// never are ids cited that no spec defines: no query may list them.
	never []truth
}

func newLayout() *layout { return &layout{files: map[string][]string{}} }

func (l *layout) write(file string, lines ...string) int {
	l.files[file] = append(l.files[file], lines...)
	return len(l.files[file])
}

// cite appends lines to file, the last of which is the citation.
func (l *layout) cite(file, spec string, ids []string, lines ...string) {
	l.truths = append(l.truths, truth{file: file, line: l.write(file, lines...), spec: spec, ids: ids})
}

// citeNamed is cite for a citation that says which spec it cites.
func (l *layout) citeNamed(file, spec string, ids []string, lines ...string) {
	l.truths = append(l.truths, truth{file: file, line: l.write(file, lines...), spec: spec, ids: ids, evidence: true})
}

var (
	reCodePath = regexp.MustCompile(`[A-Za-z0-9_./-]+\.(?:tsx?|jsx?|py|go|php|vue|rs|java|kt|rb)\b`)
	reIdent    = regexp.MustCompile(`\b[A-Z][a-z]+(?:[A-Z][a-z]+){1,4}\b`)
)

// models reads the specs of an index back into what the generator needs.
func models(x *Index) []*specModel {
	byName := map[string]*specModel{}
	pathSpecs, identSpecs := map[string]map[string]bool{}, map[string]map[string]bool{}
	note := func(m map[string]map[string]bool, key, spec string) {
		if m[key] == nil {
			m[key] = map[string]bool{}
		}
		m[key][spec] = true
	}
	for _, d := range x.Docs() {
		m := byName[d.Spec]
		if m == nil {
			short := d.Spec
			if d.Project != "" {
				short = strings.TrimPrefix(d.Spec, d.Project+"/")
			}
			m = &specModel{name: d.Spec, short: short, project: d.Project, sharedFiles: map[string]string{}}
			byName[d.Spec] = m
		}
		if d.Kind == Requirements {
			m.reqs = d.Requirements
		}
		m.body += strings.ToLower(d.body) + "\n"
		for _, p := range reCodePath.FindAllString(d.body, -1) {
			if strings.Contains(p, "/") && !strings.HasPrefix(p, ".") && !strings.Contains(p, "//") {
				note(pathSpecs, d.Project+"\x00"+strings.TrimPrefix(p, "/"), d.Spec)
			}
		}
		for _, id := range reIdent.FindAllString(d.body, -1) {
			note(identSpecs, d.Project+"\x00"+id, d.Spec)
		}
	}
	for key, specs := range pathSpecs {
		p := key[strings.IndexByte(key, 0)+1:]
		names := sortedKeys(specs)
		switch len(names) {
		case 1:
			byName[names[0]].files = append(byName[names[0]].files, p)
		case 2:
			byName[names[0]].sharedFiles[p] = names[1]
			byName[names[1]].sharedFiles[p] = names[0]
		}
	}
	for key, specs := range identSpecs {
		if names := sortedKeys(specs); len(names) == 1 && len(key[strings.IndexByte(key, 0)+1:]) >= 8 {
			byName[names[0]].idents = append(byName[names[0]].idents, key[strings.IndexByte(key, 0)+1:])
		}
	}
	var out []*specModel
	for _, m := range byName {
		if len(m.reqs) > 0 {
			sort.Strings(m.files)
			sort.Strings(m.idents)
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// criteria are the ids of a requirement's criteria, or the requirement
// itself when it has none.
func criteria(r Requirement) []string {
	var ids []string
	for _, c := range r.Criteria {
		ids = append(ids, c.ID)
	}
	if len(ids) == 0 {
		ids = []string{r.ID}
	}
	return ids
}

// citeAll writes, for every spec, code and tests that cite it in each of
// the forms seen in real repositories, and decoys that must stay
// unscoped.
func citeAll(l *layout, specs []*specModel, existing map[string]bool) {
	defines := definedBy(specs)
	free := func(file string) bool { return !existing[file] && l.files[file] == nil }
	for i, m := range specs {
		citeSpec(l, specs, i, m, free)
	}
	citeDecoys(l, defines)
}

// inProject is rel inside project's directory ("" for the root).
func inProject(project, rel string) string {
	if project == "" {
		return rel
	}
	return project + "/" + rel
}

// definedBy counts, per project, how many specs define each id.
func definedBy(specs []*specModel) map[string]map[string]int {
	defines := map[string]map[string]int{} // project → id → specs defining it
	for _, m := range specs {
		if defines[m.project] == nil {
			defines[m.project] = map[string]int{}
		}
		for _, r := range m.reqs {
			for _, id := range append([]string{r.ID}, criteria(r)...) {
				defines[m.project][id]++
			}
		}
	}
	return defines
}

// citeSpec writes the citations of spec m, the i-th, one of each form, in
// files free says no spec has taken.
func citeSpec(l *layout, specs []*specModel, i int, m *specModel, free func(file string) bool) {
	first := m.reqs[0]
	last := m.reqs[len(m.reqs)-1]
	// Named: the spec's name beside the ids, in a file many specs' code shares.
	l.citeNamed(inProject(m.project, "src/shared/traceability.ts"), m.name, criteria(first)[:1],
		fmt.Sprintf("// Requirements (%s): %s", m.short, criteria(first)[0]))
	// Explicit: spec#id, as hookd's commands take it.
	l.citeNamed(inProject(m.project, "src/shared/explicit.ts"), m.name, criteria(last)[:1],
		fmt.Sprintf("// covers %s#%s", m.short, criteria(last)[0]))
	// Folder: a note in the spec's own folder.
	l.citeNamed(inProject(m.project, ".kiro/specs/"+m.short+"/contracts/api.yaml"), m.name, criteria(first)[:1],
		"openapi: 3.0.0", "", "# Requirements: "+criteria(first)[0])
	// Path: a file its tasks or design name, a bare comment.
	if len(m.files) > 0 {
		f := inProject(m.project, m.files[0])
		ids := criteria(first)[:min(2, len(criteria(first)))]
		if free(f) {
			l.cite(f, m.name, ids, "export function handle() {}", "// Requirements: "+strings.Join(ids, ", "))
		}
	}
	// Dir: a file beside the ones its documents name, in a directory
	// no other spec's name.
	for _, named := range m.files {
		dir := path.Dir(named)
		f := inProject(m.project, dir+fmt.Sprintf("/helpers%d.ts", i))
		if dir == "." || namedElsewhere(specs, m, dir+"/") || !free(f) {
			continue
		}
		ids := criteria(last)[:1]
		l.cite(f, m.name, ids, "export const helper = 1;", "// Requirements: "+ids[0])
		break
	}
	// Stem: a test of a named file, a range of criteria.
	for _, named := range m.files[min(1, len(m.files)):] {
		base := path.Base(named)
		name := strings.TrimSuffix(base, path.Ext(base))
		if len(name) < 5 || namedElsewhere(specs, m, name) {
			continue // a test of "handler" when two specs name a handler means either
		}
		f := inProject(m.project, "tests/unit/"+strings.TrimSuffix(base, path.Ext(base))+".test.ts")
		ids := criteria(last)
		if len(ids) >= 3 && free(f) {
			l.cite(f, m.name, ids[:3], "describe('unit', () => {",
				fmt.Sprintf("  /** Validates: Requirements %s-%s */", ids[0], ids[2]))
		}
		break
	}
	// Words: an end-to-end test named after the feature, "and" and a
	// list closed by a parenthesis.
	f := inProject(m.project, "tests/e2e/"+m.short+".e2e.test.ts")
	if free(f) {
		a := criteria(first)
		l.cite(f, m.name, []string{a[0], a[len(a)-1]}, "test('flow', async () => {",
			fmt.Sprintf("  // Tests Requirements: %s and %s", a[0], a[len(a)-1]))
		if len(m.reqs) > 1 {
			b := criteria(m.reqs[1])
			l.cite(f, m.name, []string{a[0], b[0]}, fmt.Sprintf("  expect(page).toBeVisible() // (Requirement %s, %s)", a[0], b[0]))
		}
	}
	// Imports: a component its design names, imported by a file
	// whose name says nothing.
	if k := slices.IndexFunc(m.idents, func(id string) bool { return !namedElsewhere(specs, m, id) }); k >= 0 {
		id := m.idents[k]
		ids := criteria(m.reqs[min(1, len(m.reqs)-1)])[:1]
		l.cite(inProject(m.project, fmt.Sprintf("src/views/view%d.tsx", i)), m.name, ids,
			fmt.Sprintf("import { %s } from '../lib/%s';", id, id), "",
			"export const View = () => null;", "// Requirements: "+ids[0])
	}
	// Text: what the requirement is about, in words, above a bare id.
	r := m.reqs[len(m.reqs)/2]
	ids := criteria(r)
	l.cite(inProject(m.project, fmt.Sprintf("src/lib/helper%d.ts", i)), m.name, ids[len(ids)-1:],
		"describe('"+r.Title+"', () => {", "  it('"+gist(r, ids[len(ids)-1])+"', () => {",
		"    // Requirements: "+ids[len(ids)-1])
	// A file two specs name: the ids and the words tell which.
	for p, other := range m.sharedFiles {
		f := inProject(m.project, p)
		if m.name > other || !free(f) {
			continue
		}
		ids := criteria(last)
		l.cite(f, m.name, ids[len(ids)-1:], "// "+last.Title, "// Requirements: "+ids[len(ids)-1])
		break
	}
}

// citeDecoys writes what must cite no spec: an id most specs of a project
// define, with nothing to tell which spec it means, and an id none
// defines.
func citeDecoys(l *layout, defines map[string]map[string]int) {
	for project, ids := range defines {
		f := inProject(project, "devtools/decoy.js") // a directory no spec names
		if ids["1.1"] >= 2 {
			l.cite(f, "", []string{"1.1"}, "// Requirements: 1.1")
		}
		l.never = append(l.never, truth{file: f, line: l.write(f, "// Requirements: 99.9"), ids: []string{"99.9"}})
	}
}

// gist is the start of what a criterion says, as a test's name has it.
func gist(r Requirement, id string) string {
	for _, c := range r.Criteria {
		if c.ID == id {
			return string([]rune(c.Text)[:min(60, len([]rune(c.Text)))])
		}
	}
	return r.Title
}

// measure asks every spec about every requirement, as `hookd impact
// spec#N` would, and judges each code or test row.
func measure(t *testing.T, x *Index, specs []*specModel, l *layout) (precision, recall float64) {
	t.Helper()
	type place struct {
		file string
		line int
	}
	var tp, fp, fn int
	why := map[string]int{}
	project := map[string]string{}
	for _, m := range specs {
		project[m.name] = m.project
	}
	// Scoped must be what has evidence, and what cites ids one spec alone
	// defines every one of.
	certain := func(tr truth) bool {
		if tr.evidence {
			return true
		}
		n := 0
		for _, m := range specs {
			if m.project != project[tr.spec] {
				continue
			}
			all := true
			for _, id := range tr.ids {
				all = all && slices.ContainsFunc(m.reqs, func(r Requirement) bool {
					return r.ID == id || slices.ContainsFunc(r.Criteria, func(c Criterion) bool { return c.ID == id })
				})
			}
			if all {
				n++
			}
		}
		return n == 1
	}
	for _, m := range specs {
		for _, r := range m.reqs {
			want := map[place]bool{}
			for _, tr := range l.truths {
				if tr.spec != m.name || !certain(tr) {
					continue
				}
				for _, id := range tr.ids {
					if covers(r.ID, id) {
						want[place{tr.file, tr.line}] = true
					}
				}
			}
			got := map[place]bool{}
			for _, c := range x.Impact(m.name, []string{r.ID}) {
				if c.Spec == "" || c.Kind != CiteCode && c.Kind != CiteTest {
					continue
				}
				p := place{c.File, c.Line}
				got[p] = true
				if want[p] {
					tp++
					why[c.Why]++
				} else {
					fp++
					t.Logf("wrong: %s#%s lists %s:%d (%s)", m.name, r.ID, c.File, c.Line, c.Why)
				}
			}
			for p := range want {
				if !got[p] {
					fn++
					t.Logf("missed: %s#%s does not list %s:%d%s", m.name, r.ID, p.file, p.line, listedAs(x, p.file, p.line, []string{r.ID}))
				}
			}
		}
	}
	// What is ambiguous is suggested a spec, which decides nothing: how
	// often the suggestion is right is a figure, not a goal.
	var hinted, hintedRight, ambiguous int
	for _, tr := range l.truths {
		if tr.spec == "" || certain(tr) {
			continue
		}
		ambiguous++
		for _, c := range x.Impact("", tr.ids) {
			if c.File == tr.file && c.Line == tr.line && c.Spec == "" && c.Likely != "" {
				hinted++
				if c.Likely == tr.spec {
					hintedRight++
				}
				break
			}
		}
	}
	t.Logf("ambiguous: %d; suggested a spec: %d, of which right: %d (%.1f%%)", ambiguous, hinted, hintedRight, 100*ratio(hintedRight, hinted))
	// A decoy is listed apart, with every spec it may mean; an id no spec
	// defines is listed nowhere.
	for _, tr := range l.truths {
		if tr.spec != "" {
			continue
		}
		found := false
		for _, c := range x.Impact("", tr.ids) {
			if c.File == tr.file && c.Line == tr.line {
				found = c.Spec == "" && len(c.Candidates) >= 2
			}
		}
		if !found {
			t.Errorf("%s:%d: an ambiguous citation is not listed apart as unscoped", tr.file, tr.line)
		}
	}
	for _, tr := range l.never {
		if rows := x.Impact("", tr.ids); len(rows) > 0 {
			t.Errorf("%s:%d: an id no spec defines is listed: %v", tr.file, tr.line, rows)
		}
		if x.Check("", tr.ids) == nil {
			t.Errorf("Check accepts %v, which no spec defines", tr.ids)
		}
	}
	precision, recall = ratio(tp, tp+fp), ratio(tp, tp+fn)
	t.Logf("%d specs, %d citations: precision %.1f%% (%d right, %d wrong), recall %.1f%% (%d missed); scoped by %v",
		len(specs), len(l.truths), 100*precision, tp, fp, 100*recall, fn, why)
	return precision, recall
}

// listedAs says how Impact lists a place instead, for the log of a miss.
func listedAs(x *Index, file string, line int, ids []string) string {
	for _, c := range x.Impact("", ids) {
		if c.File == file && c.Line == line {
			if c.Spec != "" {
				return fmt.Sprintf(": scoped to %s (%s)", c.Spec, c.Why)
			}
			return fmt.Sprintf(": unscoped, one of %s", strings.Join(c.Candidates, ", "))
		}
	}
	return ": not listed"
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// measureLayout lays specs and the citations of them out on disk, builds
// the index the way the daemon does, and measures it.
func measureLayout(t *testing.T, docs map[string]string) {
	t.Helper()
	x := buildIndex(t, docs)
	specs := models(x)
	if len(specs) < 5 {
		t.Fatalf("only %d specs with requirements in the layout", len(specs))
	}
	existing := map[string]bool{}
	for f := range docs {
		existing[f] = true
	}
	l := newLayout()
	citeAll(l, specs, existing)
	files := map[string]string{}
	for f, text := range docs {
		files[f] = text
	}
	for f, lines := range l.files {
		files[f] = strings.Join(lines, "\n") + "\n"
	}
	x = buildIndex(t, files)
	p, r := measure(t, x, specs, l)
	if p < impactGoal || r < impactGoal {
		t.Errorf("precision %.1f%%, recall %.1f%%: the goal is %.0f%% for both", 100*p, 100*r, 100*impactGoal)
	}
}

// synthFeature is one generated spec: the project it is in, its name, the
// directory its code is in, the components its tasks name, the
// identifiers its design names, and what its requirements are about.
type synthFeature struct {
	project, name, area string
	components, idents  []string
	topics              []string
}

// syntheticFeatures look like the monorepo impact was first tried on: a
// dozen root specs, two nested projects, a spec name used in two
// projects, two specs whose code is in one directory, a file two specs
// name.
var syntheticFeatures = []synthFeature{
	{"", "two-factor-authentication", "auth", []string{"TwoFactorSetup", "TotpVerifier"}, []string{"TotpSecretStore"}, []string{"authenticator enrollment", "verification code", "backup codes", "trusted device", "recovery request"}},
	{"", "session-management", "auth", []string{"SessionList", "SignOutButton"}, []string{"SessionRepository"}, []string{"active session", "idle timeout", "remember me", "session revocation", "login history"}},
	{"", "page-metadata-system", "seo", []string{"MetadataEditor", "PageHead"}, []string{"MetaTagBuilder"}, []string{"page title", "meta description", "open graph image", "canonical url", "sitemap entry"}},
	{"", "global-search-system", "search", []string{"SearchBar", "SearchResults"}, []string{"SearchIndexer"}, []string{"search query", "result ranking", "search filters", "keyboard shortcut", "recent searches"}},
	{"", "blog-management", "blog", []string{"PostEditor", "PostList"}, []string{"PostRepository"}, []string{"draft autosave", "post publishing", "post category", "post tags", "author profile"}},
	{"", "activity-audit-log", "audit", []string{"AuditLogTable", "AuditExporter"}, []string{"AuditEventWriter"}, []string{"audit entry", "actor identity", "retention period", "log export", "log filtering"}},
	{"", "notification-center", "notifications", []string{"NotificationBell", "NotificationPreferences"}, []string{"NotificationDispatcher"}, []string{"unread badge", "delivery channel", "daily digest", "notification preference", "push subscription"}},
	{"", "theme-customization", "theme", []string{"ThemeSwitcher", "ColorPalettePicker"}, []string{"ThemeContext"}, []string{"dark mode", "color palette", "typography scale", "theme preference", "contrast check"}},
	{"", "file-upload-service", "uploads", []string{"UploadDropzone", "UploadQueue"}, []string{"ChunkUploader"}, []string{"upload size limit", "virus scan", "upload progress", "resumable transfer", "thumbnail generation"}},
	{"", "role-permissions", "permissions", []string{"RoleEditor", "PermissionGuard"}, []string{"PolicyEvaluator"}, []string{"role assignment", "permission grant", "permission revocation", "administrator override", "access denial"}},
	{"", "email-templates", "email", []string{"TemplateEditor", "TemplatePreview"}, []string{"TemplateRenderer"}, []string{"template placeholder", "template preview", "test send", "brand header", "unsubscribe footer"}},
	{"", "api-rate-limiting", "ratelimit", []string{"RateLimiter", "QuotaMeter"}, []string{"TokenBucket"}, []string{"request quota", "throttle response", "tier limits", "burst allowance", "quota reset"}},
	{"store", "product-catalog", "catalog", []string{"ProductGrid", "ProductDetail"}, []string{"InventoryClient"}, []string{"product listing", "product variant", "price display", "inventory level", "product image"}},
	{"store", "checkout-flow", "checkout", []string{"CartSummary", "PaymentForm"}, []string{"PaymentGateway"}, []string{"cart total", "payment method", "shipping address", "coupon code", "order confirmation"}},
	{"store", "customer-account-management", "account", []string{"AccountProfile", "AddressBook"}, []string{"CustomerRepository"}, []string{"customer profile", "saved address", "order history", "password change", "account deletion"}},
	{"store", "notification-center", "notifications", []string{"OrderNotifier", "NotificationList"}, []string{"OrderEventBus"}, []string{"shipment notice", "restock alert", "price drop alert", "notification opt out", "text message delivery"}},
	{"coach", "dashboard-widgets", "dashboard", []string{"WidgetGrid", "WidgetPicker"}, []string{"WidgetRegistry"}, []string{"widget layout", "widget dragging", "widget resizing", "chart widget", "widget settings"}},
	{"coach", "session-planner", "planner", []string{"PlannerCalendar", "DrillList"}, []string{"ScheduleSolver"}, []string{"training session", "drill library", "weekly schedule", "athlete availability", "session reminder"}},
}

var (
	synthAspects  = []string{"Management", "Validation", "Display", "Settings", "Notifications"}
	synthActions  = []string{"creates", "updates", "removes", "opens", "submits"}
	synthOutcomes = []string{"save", "validate", "show", "record", "confirm"}
)

// synthDocs writes the generated specs' requirements, design and tasks.
func synthDocs() map[string]string {
	docs := map[string]string{}
	for fi, f := range syntheticFeatures {
		dir := ".kiro/specs/" + f.name
		if f.project != "" {
			dir = f.project + "/" + dir
		}
		var req, tasks, design strings.Builder
		fmt.Fprintf(&req, "# Requirements Document\n\n## Introduction\n\nThe %s feature.\n\n## Requirements\n", f.name)
		fmt.Fprintf(&design, "# Design Document\n\n## Overview\n\nHow %s is built.\n\n## Components\n\n", f.name)
		tasks.WriteString("# Implementation Plan\n\n")
		for k, topic := range f.topics {
			n := k + 1
			fmt.Fprintf(&req, "\n### Requirement %d: %s %s\n\n**User Story:** As a user, I want %s so that my work is safe.\n\n#### Acceptance Criteria\n\n",
				n, strings.ToUpper(topic[:1])+topic[1:], synthAspects[k], topic)
			count := 2 + (fi+k)%4
			var ids []string
			for j := range count {
				fmt.Fprintf(&req, "%d. WHEN a user %s the %s THEN the system SHALL %s the %s\n",
					j+1, synthActions[j], topic, synthOutcomes[j], topic)
				ids = append(ids, fmt.Sprintf("%d.%d", n, j+1))
			}
			comp := f.components[k%len(f.components)]
			fmt.Fprintf(&tasks, "- [ ] %d. Implement the %s\n  - Build `src/%s/%s.tsx`\n  - _Requirements: %s_\n\n", n, topic, f.area, comp, strings.Join(ids, ", "))
		}
		for _, c := range f.components {
			fmt.Fprintf(&design, "- `%s` (src/%s/%s.tsx)\n", c, f.area, c)
		}
		for _, id := range f.idents {
			fmt.Fprintf(&design, "- `%s` keeps the state of %s.\n", id, f.topics[0])
		}
		if f.project == "store" && (f.name == "product-catalog" || f.name == "checkout-flow") {
			design.WriteString("- `src/shared/PriceTag.tsx` renders prices.\n")
		}
		docs[dir+"/requirements.md"] = req.String()
		docs[dir+"/design.md"] = design.String()
		docs[dir+"/tasks.md"] = tasks.String()
	}
	return docs
}

func TestImpactPrecisionOnGeneratedMonorepo(t *testing.T) {
	measureLayout(t, synthDocs())
}

// TestImpactPrecisionOnCorpus lays the real Kiro specs of the corpus out
// as one repository, a few of them again in a nested project, as a
// monorepo holds them.
func TestImpactPrecisionOnCorpus(t *testing.T) {
	dir := filepath.Join(corpusDir, "kiro")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("spec corpus not found at %s (%v): skipping", corpusDir, err)
	}
	docs := map[string]string{}
	taken := map[string]string{} // feature → repository it came from
	nested := 0
	for _, e := range ents {
		parts := strings.SplitN(e.Name(), "__", 4)
		if len(parts) != 4 || !strings.HasSuffix(parts[3], ".md") || strings.Contains(parts[3], "--") {
			continue
		}
		repo, feature, file := parts[0]+"/"+parts[1], parts[2], parts[3]
		if r, ok := taken[feature]; ok && r != repo {
			continue // one spec of a name per project, as in a real one
		}
		if _, ok := taken[feature]; !ok {
			taken[feature] = repo
			if len(taken)%4 == 0 {
				nested++
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		docs[".kiro/specs/"+feature+"/"+file] = string(data)
		if len(taken)%4 == 0 { // every fourth spec is a nested project's too
			docs["web/.kiro/specs/"+feature+"/"+file] = string(data)
		}
	}
	if nested == 0 {
		t.Fatal("no spec of the corpus went to the nested project")
	}
	measureLayout(t, docs)
}

package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// corpusDir holds real spec files from public repositories with
// hand-checked expected parses. It is shared by the team and never copied
// into the project.
const corpusDir = "../../shared/corpus/specs"

// corpusFiles lists every corpus document, skipping the test when the
// corpus is absent.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, format := range []string{"kiro", "speckit", "openspec"} {
		ents, err := os.ReadDir(filepath.Join(corpusDir, format))
		if err != nil {
			t.Skipf("spec corpus not found at %s (%v): skipping", corpusDir, err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".md") {
				files = append(files, filepath.Join(format, e.Name()))
			}
		}
	}
	return files
}

// corpusPath maps a corpus file name, <owner>__<repo>__<feature>__<file>
// with "/" below the feature written "--", to where the file sits in its
// repository, so that classification is exercised too.
func corpusPath(name string) string {
	format, base := filepath.Split(name)
	parts := strings.SplitN(base, "__", 4)
	feature, file := parts[2], strings.ReplaceAll(parts[3], "--", "/")
	switch strings.TrimSuffix(format, "/") {
	case "kiro":
		return ".kiro/specs/" + feature + "/" + file
	case "speckit":
		return "specs/" + feature + "/" + file
	}
	switch {
	case strings.HasPrefix(feature, "change-archive-"):
		return "openspec/changes/archive/" + strings.TrimPrefix(feature, "change-archive-") + "/" + file
	case strings.HasPrefix(feature, "change-"):
		return "openspec/changes/" + strings.TrimPrefix(feature, "change-") + "/" + file
	}
	return "openspec/specs/" + feature + "/" + file
}

func parseCorpus(t testing.TB, name string) *Doc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	rel := corpusPath(name)
	p, ok := Classify(rel, DefaultRoots())
	if !ok {
		if strings.HasSuffix(rel, "/constitution.md") || strings.Contains(rel, "/.") {
			return nil
		}
		t.Fatalf("%s: %s is not classified as a spec document", name, rel)
	}
	return Parse(p, rel, data)
}

// TestCorpusParses parses every corpus document: none may crash, and a
// requirements or tasks file either yields items or says why not.
func TestCorpusParses(t *testing.T) {
	unparsed := 0
	for _, name := range corpusFiles(t) {
		d := parseCorpus(t, name)
		if d == nil {
			continue
		}
		items := len(d.Requirements) + len(d.Tasks) + len(d.Properties)
		if d.Delta != nil {
			items += len(d.Delta.Removed) + len(d.Delta.Renamed)
		}
		switch {
		case d.Unparsed != "":
			unparsed++
			t.Logf("%s: unparsed: %s", name, d.Unparsed)
		case items == 0 && d.Kind != Other && d.Kind != Design:
			t.Errorf("%s (%s %s): no items and no reason", name, d.Format, d.Kind)
		}
	}
	// The free-form "Kiro-like" cost-tracker spec is the one shape in the
	// corpus that is not a spec format; more means a parser regressed.
	if unparsed > 1 {
		t.Errorf("%d corpus documents unparsed, want at most 1", unparsed)
	}
}

// TestCorpusOracles checks each hand-checked expected parse.
func TestCorpusOracles(t *testing.T) {
	files := corpusFiles(t)
	n := 0
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(corpusDir, name+".expected.json"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		t.Run(filepath.Base(name), func(t *testing.T) {
			var want map[string]any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			d := parseCorpus(t, name)
			if d.Unparsed != "" {
				t.Fatalf("unparsed: %s", d.Unparsed)
			}
			got := oracleView(t, want["kind"].(string), d)
			for key, g := range got {
				w := want[key]
				gn, wn := normJSON(t, g), normJSON(t, w)
				if reflect.DeepEqual(gn, wn) {
					continue
				}
				gl, _ := gn.([]any)
				wl, _ := wn.([]any)
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if !reflect.DeepEqual(gl[i], wl[i]) {
						gn, wn = gl[i], wl[i]
						key = fmt.Sprintf("%s[%d]", key, i)
						break
					}
				}
				t.Errorf("%s differs (%d vs %d items):\n got %s\nwant %s", key, len(gl), len(wl), short(t, gn), short(t, wn))
			}
		})
	}
	if n < 19 {
		t.Errorf("checked %d oracles, the corpus has 19", n)
	}
}

// oracleView renders a Doc in the schema of the corpus's expected parses
// (the *.expected.json files beside its specs).
func oracleView(t *testing.T, kind string, d *Doc) map[string]any {
	switch kind {
	case "kiro-requirements":
		return oracleKiroRequirements(d)
	case "kiro-bugfix":
		return oracleKiroBugfix(d)
	case "kiro-tasks":
		return oracleKiroTasks(d)
	case "speckit-spec":
		return oracleSpeckitSpec(d)
	case "speckit-tasks":
		return oracleSpeckitTasks(d)
	case "openspec-delta":
		return oracleOpenSpecDelta(d)
	case "openspec-spec":
		return oracleOpenSpecSpec(d)
	case "openspec-tasks":
		return oracleOpenSpecTasks(d)
	}
	t.Fatalf("unknown oracle kind %q", kind)
	return nil
}

// oracleStatus is a task status as the oracle spells it.
func oracleStatus(s Status) string {
	return map[Status]string{Todo: "not_started", Done: "completed", InProgress: "in_progress", Queued: "queued"}[s]
}

// nullable is s, or JSON null for "".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func oracleKiroRequirements(d *Doc) map[string]any {
	var reqIDs, critIDs []string
	var reqs []map[string]any
	for _, r := range d.Requirements {
		reqIDs = append(reqIDs, r.ID)
		var crits []map[string]any
		for _, c := range r.Criteria {
			critIDs = append(critIDs, c.ID)
			crits = append(crits, map[string]any{"id": c.ID, "line": c.Line, "text": c.Text})
		}
		reqs = append(reqs, map[string]any{"id": r.ID, "title": nullable(r.Title), "line": r.Line, "acceptance_criteria": crits})
	}
	return map[string]any{"requirement_ids": reqIDs, "acceptance_criterion_ids": critIDs, "requirements": reqs}
}

func oracleKiroBugfix(d *Doc) map[string]any {
	var ids []string
	var secs []map[string]any
	for _, s := range d.Sections {
		var clauses []map[string]any
		for _, id := range s.IDs {
			r, _ := d.Requirement(id)
			clauses = append(clauses, map[string]any{"id": id, "line": r.Line, "text": clauseText(d, id)})
		}
		ids = append(ids, s.IDs...)
		secs = append(secs, map[string]any{"heading": s.Heading, "line": s.Line, "clauses": clauses})
	}
	return map[string]any{"clause_ids": ids, "sections": secs}
}

func oracleKiroTasks(d *Doc) map[string]any {
	var ids []any
	var tasks []map[string]any
	for _, k := range d.Tasks {
		ids = append(ids, nullable(k.ID))
		tasks = append(tasks, map[string]any{"id": nullable(k.ID), "checkbox": k.Checkbox, "status": oracleStatus(k.Status),
			"optional": k.Optional, "parallel": k.Parallel, "parent": nullable(k.Parent), "line": k.Line, "title": k.Title,
			"requirements": k.Refs, "validates": k.Validates, "properties": k.Properties,
			"requirements_resolved": ResolveRefs(k.Refs), "validates_resolved": ResolveRefs(k.Validates)})
	}
	return map[string]any{"task_ids": ids, "tasks": tasks}
}

func oracleSpeckitSpec(d *Doc) map[string]any {
	var us, fr, sc []string
	var stories, frs, scs []map[string]any
	for _, r := range d.Requirements {
		switch {
		case strings.HasPrefix(r.ID, "US"):
			us = append(us, r.ID)
			var acs []map[string]any
			for _, c := range r.Criteria {
				acs = append(acs, map[string]any{"id": c.ID, "line": c.Line})
			}
			stories = append(stories, map[string]any{"id": r.ID, "title": r.Title, "priority": nullable(r.Priority), "line": r.Line, "acceptance_scenarios": acs})
		case strings.HasPrefix(r.ID, "FR-"):
			fr = append(fr, r.ID)
			frs = append(frs, map[string]any{"id": r.ID, "line": r.Line})
		case strings.HasPrefix(r.ID, "SC-"):
			sc = append(sc, r.ID)
			scs = append(scs, map[string]any{"id": r.ID, "line": r.Line})
		}
	}
	clar := d.Clarifications
	if clar == nil {
		clar = []int{}
	}
	return map[string]any{"user_story_ids": us, "functional_requirement_ids": fr, "success_criterion_ids": sc,
		"user_stories": stories, "functional_requirements": frs, "success_criteria": scs, "needs_clarification_lines": clar}
}

func oracleSpeckitTasks(d *Doc) map[string]any {
	var tasks []map[string]any
	for _, k := range d.Tasks {
		tasks = append(tasks, map[string]any{"id": k.ID, "checkbox": k.Checkbox, "status": oracleStatus(k.Status),
			"parallel": k.Parallel, "story": nullable(k.Story), "phase": k.Group, "line": k.Line, "refs": k.Refs, "depends_on": k.DependsOn})
	}
	return map[string]any{"tasks": tasks}
}

func oracleOpenSpecDelta(d *Doc) map[string]any {
	blocks := func(rs []Requirement, scenarios bool) []map[string]any {
		out := []map[string]any{}
		for _, r := range rs {
			m := map[string]any{"name": r.ID, "line": r.Line}
			if scenarios {
				sc := []map[string]any{}
				for _, c := range r.Criteria {
					sc = append(sc, map[string]any{"name": c.ID, "line": c.Line})
				}
				m["scenarios"] = sc
			}
			out = append(out, m)
		}
		return out
	}
	return map[string]any{"added": blocks(d.Delta.Added, true), "modified": blocks(d.Delta.Modified, true),
		"removed": blocks(d.Delta.Removed, false), "renamed": d.Delta.Renamed}
}

func oracleOpenSpecSpec(d *Doc) map[string]any {
	var reqs []map[string]any
	for _, r := range d.Requirements {
		sc := []map[string]any{}
		for _, c := range r.Criteria {
			sc = append(sc, map[string]any{"name": c.ID, "line": c.Line})
		}
		reqs = append(reqs, map[string]any{"name": r.ID, "line": r.Line, "scenarios": sc})
	}
	var secs []string
	for _, s := range d.Sections {
		secs = append(secs, s.Heading)
	}
	return map[string]any{"requirements": reqs, "sections": secs}
}

func oracleOpenSpecTasks(d *Doc) map[string]any {
	var ids []string
	var tasks []map[string]any
	for _, k := range d.Tasks {
		ids = append(ids, k.ID)
		tasks = append(tasks, map[string]any{"id": k.ID, "checkbox": k.Checkbox, "done": k.Status == Done, "group": k.Group, "line": k.Line})
	}
	return map[string]any{"task_ids": ids, "tasks": tasks}
}

// clauseText is a bugfix clause's first line, as the oracle records it.
func clauseText(d *Doc, id string) string {
	for _, r := range d.Requirements {
		if r.ID == id {
			return r.Title
		}
	}
	return ""
}

// normJSON round-trips a value through JSON so that typed and decoded
// values compare equal.
func normJSON(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func short(t *testing.T, v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 1500 {
		return string(b[:1500]) + "…"
	}
	return string(b)
}

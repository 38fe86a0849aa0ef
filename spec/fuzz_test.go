package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// places are one of each document kind the parsers know.
var places = []Place{
	{Kiro, Requirements, "f", ".kiro/specs/f", "", false}, {Kiro, Bugfix, "f", ".kiro/specs/f", "", false}, {Kiro, Design, "f", ".kiro/specs/f", "", false},
	{Kiro, Tasks, "f", ".kiro/specs/f", "", false}, {SpecKit, Feature, "001-f", "specs/001-f", "", false}, {SpecKit, Tasks, "001-f", "specs/001-f", "", false},
	{OpenSpec, Feature, "cap", "openspec/specs/cap", "", false}, {OpenSpec, Delta, "c", "openspec/changes/c", "", false}, {OpenSpec, Tasks, "c", "openspec/changes/c", "", false},
}

// FuzzParse feeds every parser, the differ and the citation scanner the
// same bytes: none may panic, and a document diffed with itself is no
// change.
func FuzzParse(f *testing.F) {
	for _, s := range []string{kiroReqs, kiroTasks, specKitSpec, openSpecDelta, "### Requirement 1\n#### Acceptance Criteria\n1. x\n```\n### Requirement 2\n", "- [~]* 1.1-1.5 (P)\n  - _Requirements: 1.1-1.99999999999_\n"} {
		f.Add([]byte(s))
	}
	if ents, err := os.ReadDir(filepath.Join(corpusDir, "kiro")); err == nil {
		for _, e := range ents[:min(len(ents), 12)] {
			if data, err := os.ReadFile(filepath.Join(corpusDir, "kiro", e.Name())); err == nil {
				f.Add(data)
			}
		}
	}
	x, err := NewIndex(DefaultRoots(), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range places {
			d := Parse(p, p.Dir+"/x.md", data)
			if c := Diff(d, Parse(p, p.Dir+"/x.md", data)); !c.Empty() || len(c.Changed()) != 0 {
				t.Fatalf("%s %s: a document differs from itself: %+v", p.Format, p.Kind, c)
			}
			Diff(nil, d)
			Diff(d, nil)
		}
		x.Update("src/x.ts", data)
		x.Impact("", []string{"1.1", "FR-001"})
	})
}

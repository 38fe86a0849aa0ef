package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const kiroReqs = `# Requirements Document

## Introduction

Login for the portal.

## Requirements

### Requirement 1: Sign in

**User Story:** As a user, I want to sign in, so that I see my data.

#### Acceptance Criteria

1. WHEN a user submits valid credentials THEN the system SHALL create a session
2. WHEN a user submits invalid credentials THEN the system SHALL show one generic
   error message
3. WHEN a session is older than 24 hours THEN the system SHALL expire it

### Requirement 2: Sign out

**User Story:** As a user, I want to sign out, so that nobody else uses my session.

#### Acceptance Criteria

1. WHEN a user signs out THEN the system SHALL invalidate the session
2. WHEN a signed-out session is used THEN the system SHALL redirect to the login page
`

func kiroDoc(t *testing.T, kind Kind, text string) *Doc {
	t.Helper()
	name := map[Kind]string{Requirements: "requirements.md", Tasks: "tasks.md", Design: "design.md"}[kind]
	return Parse(Place{Kiro, kind, "login", ".kiro/specs/login", "", false}, ".kiro/specs/login/"+name, []byte(text))
}

func wantChange(t *testing.T, got Change, added, removed, modified []string, renamed []Rename) {
	t.Helper()
	norm := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	if renamed == nil {
		renamed = []Rename{}
	}
	if !reflect.DeepEqual(got.Added, norm(added)) || !reflect.DeepEqual(got.Removed, norm(removed)) ||
		!reflect.DeepEqual(got.Modified, norm(modified)) || !reflect.DeepEqual(got.Renamed, renamed) {
		t.Errorf("got added=%v removed=%v modified=%v renamed=%v\nwant added=%v removed=%v modified=%v renamed=%v",
			got.Added, got.Removed, got.Modified, got.Renamed, added, removed, modified, renamed)
	}
}

func TestKiroCriterionEdit(t *testing.T) {
	old := kiroDoc(t, Requirements, kiroReqs)
	new := kiroDoc(t, Requirements, strings.Replace(kiroReqs, "older than 24 hours", "older than 8 hours", 1))
	c := Diff(old, new)
	if !c.Content {
		t.Error("an edited criterion is a content change")
	}
	wantChange(t, c, nil, nil, []string{"1.3"}, nil)
}

func TestKiroInsertAtTopIsRenames(t *testing.T) {
	old := kiroDoc(t, Requirements, kiroReqs)
	inserted := strings.Replace(kiroReqs, "### Requirement 1: Sign in", `### Requirement 1: Sign up

**User Story:** As a visitor, I want an account.

#### Acceptance Criteria

1. WHEN a visitor registers THEN the system SHALL send a confirmation mail

### Requirement 2: Sign in`, 1)
	inserted = strings.Replace(inserted, "### Requirement 2: Sign out", "### Requirement 3: Sign out", 1)
	c := Diff(old, kiroDoc(t, Requirements, inserted))
	wantChange(t, c, []string{"1"}, nil, nil, []Rename{
		{"1", "2"}, {"1.1", "2.1"}, {"1.2", "2.2"}, {"1.3", "2.3"},
		{"2", "3"}, {"2.1", "3.1"}, {"2.2", "3.2"},
	})
}

func TestKiroCriterionInsertShifts(t *testing.T) {
	old := kiroDoc(t, Requirements, kiroReqs)
	// Positional numbering moves the old 2.2 to 2.3.
	text := strings.Replace(kiroReqs, "2. WHEN a signed-out", "3. WHEN a signed-out", 1)
	text = strings.Replace(text,
		"1. WHEN a user signs out THEN the system SHALL invalidate the session\n",
		"1. WHEN a user signs out THEN the system SHALL invalidate the session\n2. WHEN a user signs out THEN the system SHALL clear the remember-me cookie\n", 1)
	wantChange(t, Diff(old, kiroDoc(t, Requirements, text)), []string{"2.2"}, nil, nil, []Rename{{"2.2", "2.3"}})
}

func TestWhitespaceIsNoChange(t *testing.T) {
	old := kiroDoc(t, Requirements, kiroReqs)
	crlf := strings.ReplaceAll(kiroReqs, "\n", "  \r\n")
	rewrapped := strings.Replace(crlf, "one generic  \r\n   error message", "one\r\n   generic error message", 1)
	if rewrapped == crlf {
		t.Fatal("test text did not change")
	}
	if c := Diff(old, kiroDoc(t, Requirements, "\ufeff"+rewrapped+"\n\n\n")); !c.Empty() {
		t.Errorf("CRLF, trailing spaces, a BOM and re-wrapping gave %+v", c)
	}
}

const kiroTasks = `# Implementation Plan

- [ ] 1. Sessions
  - [ ] 1.1 Create the session store
    - _Requirements: 1.1, 1.3_
  - [ ]* 1.2 Write property test for expiry
    - **Property 3: Sessions expire**
    - **Validates: Requirements 1.3**
- [ ] 2. Sign out
  - _Requirements: 2.1-2.2_
`

func TestTaskTickIsProgressNotChange(t *testing.T) {
	old := kiroDoc(t, Tasks, kiroTasks)
	ticked := strings.Replace(kiroTasks, "- [ ] 1.1 Create", "- [x] 1.1 Create", 1)
	c := Diff(old, kiroDoc(t, Tasks, ticked+"\n\n\n\n"))
	if c.Content {
		t.Errorf("a ticked box is not a content change: %+v", c)
	}
	want := []TaskChange{{ID: "1.1", Title: "Create the session store", Line: 4, From: Todo, To: Done, Requirements: []string{"1.1", "1.3"}}}
	if !reflect.DeepEqual(c.Tasks, want) {
		t.Errorf("tasks = %+v, want %+v", c.Tasks, want)
	}
}

func TestTaskPlanChange(t *testing.T) {
	old := kiroDoc(t, Tasks, kiroTasks)
	c := Diff(old, kiroDoc(t, Tasks, strings.Replace(kiroTasks, "_Requirements: 1.1, 1.3_", "_Requirements: 1.1, 1.2_", 1)))
	if !c.Content || len(c.Tasks) != 0 {
		t.Errorf("a changed _Requirements: line is a plan change, not progress: %+v", c)
	}
	wantChange(t, c, nil, nil, []string{"1.1"}, nil)
	if got := kiroDoc(t, Tasks, kiroTasks).Tasks[3].Requirements; !reflect.DeepEqual(got, []string{"2.1", "2.2"}) {
		t.Errorf("range 2.1-2.2 resolved to %v", got)
	}
}

const specKitSpec = `# Feature Specification: Search

## User Scenarios & Testing

### User Story 1 - Search cars (Priority: P1)

A renter searches by location.

**Acceptance Scenarios**:

1. **Given** a car in Melbourne, **When** anyone searches Melbourne, **Then** it is listed
2. **Given** no cars, **When** a search runs, **Then** the list is empty

## Requirements

### Functional Requirements

- **FR-001**: System MUST list cars at a location.
- **FR-002**: System MUST exclude cars rented over the
  requested dates.
- **FR-003**: System MUST answer in under a second.

## Success Criteria

- **SC-001**: 95% of searches answer in under a second.
`

func TestSpecKitFREdit(t *testing.T) {
	p := Place{SpecKit, Feature, "004-search", "specs/004-search", "", false}
	old := Parse(p, "specs/004-search/spec.md", []byte(specKitSpec))
	new := Parse(p, "specs/004-search/spec.md", []byte(strings.Replace(specKitSpec, "over the\n  requested dates", "during the requested dates", 1)))
	wantChange(t, Diff(old, new), nil, nil, []string{"FR-002"}, nil)
	rewrapped := Parse(p, "specs/004-search/spec.md", []byte(strings.Replace(specKitSpec, "over the\n  requested", "over\n  the requested", 1)))
	if c := Diff(old, rewrapped); !c.Empty() {
		t.Errorf("re-wrapping FR-002 gave %+v", c)
	}
}

const openSpecDelta = `## MODIFIED Requirements

### Requirement: Diff Output
The command SHALL show changes side by side.

#### Scenario: Side-by-side comparison
- **WHEN** a change is shown
- **THEN** old and new appear side by side

## REMOVED Requirements

### Requirement: Display Format
**Reason**: replaced

## RENAMED Requirements
- FROM: ` + "`### Requirement: Validate`" + `
- TO: ` + "`### Requirement: Validation`" + `
`

func TestOpenSpecDeltaStatesItsChange(t *testing.T) {
	p := Place{OpenSpec, Delta, "side-by-side", "openspec/changes/side-by-side", "", false}
	d := Parse(p, "openspec/changes/side-by-side/specs/cli-diff/spec.md", []byte(openSpecDelta))
	wantChange(t, Diff(nil, d), nil, []string{"Display Format"}, []string{"Diff Output"}, []Rename{{"Validate", "Validation"}})
	// A later edit reports only the entry it touched.
	edited := Parse(p, d.File, []byte(strings.Replace(openSpecDelta, "side by side.", "side by side, in colour.", 1)))
	wantChange(t, Diff(d, edited), nil, nil, []string{"Diff Output"}, nil)
}

const openSpecMain = `# auth Specification

## Requirements

### Requirement: Session Expiry
The system SHALL expire sessions after 24 hours.

#### Scenario: Old session
- **WHEN** a session is older than 24 hours
- **THEN** it is rejected
`

// TestOpenSpecScenarioRename: a scenario's name is part of what its
// requirement says, in a main spec and in a change's delta.
func TestOpenSpecScenarioRename(t *testing.T) {
	renamed := strings.Replace(openSpecMain, "Scenario: Old session", "Scenario: Expired session", 1)
	p := Place{OpenSpec, Feature, "auth", "openspec/specs/auth", "", false}
	old := Parse(p, "openspec/specs/auth/spec.md", []byte(openSpecMain))
	wantChange(t, Diff(old, Parse(p, old.File, []byte(renamed))), nil, nil, []string{"Session Expiry"}, nil)

	dp := Place{OpenSpec, Delta, "side-by-side", "openspec/changes/side-by-side", "", false}
	d := Parse(dp, "openspec/changes/side-by-side/specs/cli-diff/spec.md", []byte(openSpecDelta))
	edited := Parse(dp, d.File, []byte(strings.Replace(openSpecDelta, "Scenario: Side-by-side comparison", "Scenario: Two columns", 1)))
	wantChange(t, Diff(d, edited), nil, nil, []string{"Diff Output"}, nil)
}

// TestCorpusInsertRenumbers takes a real requirements file, inserts a
// requirement before the first, and expects renames for everything.
func TestCorpusInsertRenumbers(t *testing.T) {
	corpusFiles(t)
	name := "kiro/kirodotdev__Kiro__github-issue-automation__requirements.md"
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Skipf("corpus file missing: %v", err)
	}
	p := Place{Kiro, Requirements, "github-issue-automation", ".kiro/specs/github-issue-automation", "", false}
	old := Parse(p, "requirements.md", data)
	text := string(data)
	// Renumber every header N to N+1, from the last down.
	for i := len(old.Requirements); i >= 1; i-- {
		text = strings.Replace(text, "### Requirement "+strconv.Itoa(i)+":", "### Requirement "+strconv.Itoa(i+1)+":", 1)
	}
	text = strings.Replace(text, "### Requirement 2:", "### Requirement 1: Brand new\n\n#### Acceptance Criteria\n\n1. THE System SHALL do a new thing\n\n### Requirement 2:", 1)
	c := Diff(old, Parse(p, "requirements.md", []byte(text)))
	wantIDs := len(old.IDs())
	if len(c.Renamed) != wantIDs || len(c.Modified) != 0 || !reflect.DeepEqual(c.Added, []string{"1"}) || len(c.Removed) != 0 {
		t.Errorf("got %d renames (want %d), added %v, modified %v, removed %v", len(c.Renamed), wantIDs, c.Added, c.Modified, c.Removed)
	}
}

// Package spec owns the spec formats hookd reads: Kiro, Spec Kit and
// OpenSpec. It parses their markdown into one neutral model with line
// numbers ([Doc]), tells which requirements changed between two versions
// of a document ([Diff]), and finds the places that cite a requirement in
// tasks, designs, code and tests ([Index]).
//
// Everything here is pure: bytes in, values out. Reading files, keeping the
// last version seen and turning changes into events is the daemon's job.
//
// The grammars follow what people really write (docs/specs.md): CRLF
// and a BOM are stripped, localised headings and full-width colons are
// accepted, fenced code is skipped, and a shape that is not understood is
// reported as unparsed with a reason. Ids are never guessed.
package spec

import "strings"

// Format is a spec tool's file format.
type Format string

// The formats hookd reads.
const (
	Kiro     Format = "kiro"
	SpecKit  Format = "speckit"
	OpenSpec Format = "openspec"
)

// Kind is what a document is within its format.
type Kind string

// Document kinds.
const (
	Requirements Kind = "requirements" // Kiro requirements.md
	Bugfix       Kind = "bugfix"       // Kiro bugfix.md
	Design       Kind = "design"       // Kiro design.md
	Tasks        Kind = "tasks"        // tasks.md of any format
	Feature      Kind = "spec"         // Spec Kit spec.md, OpenSpec main spec
	Delta        Kind = "delta"        // OpenSpec change delta spec
	Other        Kind = "other"        // a file of a spec that has no requirements (plan.md, proposal.md)
)

// Status is a task's state.
type Status string

// Task states. Spec Kit and OpenSpec only know todo and done.
const (
	Todo       Status = "todo"
	Done       Status = "done"
	InProgress Status = "in_progress"
	Queued     Status = "queued"
)

// Doc is one parsed spec document.
type Doc struct {
	Format Format `json:"format"`
	Kind   Kind   `json:"kind"`
	// Spec is the spec's name: the Kiro feature folder, the Spec Kit
	// feature directory, the OpenSpec capability or change.
	Spec string `json:"spec"`
	// Dir is the spec's directory, repository-relative.
	Dir string `json:"dir"`
	// Project is the nested project the spec belongs to, "" for the
	// repository's own.
	Project string `json:"project,omitempty"`
	// Archived: an OpenSpec change under changes/archive/.
	Archived bool `json:"archived,omitempty"`
	// File is the document, repository-relative.
	File string `json:"file"`

	Requirements []Requirement `json:"requirements"`
	Tasks        []Task        `json:"tasks"`
	// Properties are a Kiro design's correctness properties.
	Properties []Property `json:"properties,omitempty"`
	// Sections are a Kiro bugfix's behaviour sections, or an OpenSpec
	// spec's level-2 headings.
	Sections []Section `json:"sections,omitempty"`
	// Delta is what an OpenSpec change delta states.
	Delta *DeltaOps `json:"delta,omitempty"`
	// Clarifications are the lines of Spec Kit's [NEEDS CLARIFICATION].
	Clarifications []int `json:"needs_clarification,omitempty"`
	// Unparsed says why the document's shape was not understood; its
	// items are then empty rather than guessed.
	Unparsed string `json:"unparsed,omitempty"`

	// body is the normalised text, for documents compared as a whole.
	body string
}

// Requirement is one requirement: a Kiro "Requirement N" with its
// acceptance criteria, a bugfix clause, a Spec Kit FR-/SC- item or user
// story, or an OpenSpec requirement with its scenarios.
type Requirement struct {
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Line     int         `json:"line"`
	Priority string      `json:"priority,omitempty"`
	Criteria []Criterion `json:"criteria"`
	// text is the normalised body (user story, FR text) for diffing.
	text string
}

// Text is what the requirement says besides its title and criteria: a
// user story, an FR's sentence, an OpenSpec requirement's statement.
func (r Requirement) Text() string { return r.text }

// Label is what to show for the requirement: its title, or, for one that
// has none (a Spec Kit FR-/SC- item), what it says.
func (r Requirement) Label() string {
	if r.Title != "" {
		return r.Title
	}
	return r.text
}

// Criterion is an acceptance criterion (Kiro "N.k", Spec Kit "USn/ACk") or
// an OpenSpec scenario (its name is the id).
type Criterion struct {
	ID   string `json:"id"`
	Line int    `json:"line"`
	// Text is the criterion's first line.
	Text string `json:"text"`
	// norm is the whole criterion, re-wrapping and spacing normalised.
	norm string
}

// Task is one checkbox task.
type Task struct {
	// ID is the task id as written ("2.1", "T004"); empty when unnumbered.
	ID       string `json:"id"`
	Status   Status `json:"status"`
	Checkbox string `json:"checkbox"`
	Optional bool   `json:"optional"`
	Parallel bool   `json:"parallel"`
	Line     int    `json:"line"`
	Title    string `json:"title"`
	// Parent is the parent task's id, from the dotted id (Kiro).
	Parent string `json:"parent,omitempty"`
	// Story is the Spec Kit user story label, e.g. "US1".
	Story string `json:"story,omitempty"`
	// Group is the enclosing phase or group heading.
	Group string `json:"group,omitempty"`
	// Requirements are the requirement ids the task cites, resolved:
	// ranges expanded, words dropped, the Spec Kit story included.
	Requirements []string `json:"requirements"`
	// Refs are the raw tokens of the task's requirement references.
	Refs []string `json:"refs,omitempty"`
	// Validates are the raw tokens of its "Validates: Requirements" lines.
	Validates []string `json:"validates,omitempty"`
	// Properties are the numbers of the design properties it names.
	Properties []string `json:"properties,omitempty"`
	// DependsOn are Spec Kit task ids after "depends on".
	DependsOn []string `json:"depends_on,omitempty"`
	// RefLines are the lines holding each reference, for citations.
	RefLines []int `json:"-"`
	// plan is the task without its status, normalised.
	plan string
}

// Property is a Kiro design correctness property.
type Property struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Line      int      `json:"line"`
	Validates []string `json:"validates"`
	norm      string
}

// Section is a heading with the ids under it.
type Section struct {
	Heading string   `json:"heading"`
	Line    int      `json:"line"`
	IDs     []string `json:"ids,omitempty"`
}

// DeltaOps is what an OpenSpec delta states, by requirement name.
type DeltaOps struct {
	Added    []Requirement `json:"added"`
	Modified []Requirement `json:"modified"`
	Removed  []Requirement `json:"removed"`
	Renamed  []Rename      `json:"renamed"`
}

// Rename is a requirement whose id changed.
type Rename struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Requirement returns the requirement or criterion with the id, and
// whether there is one.
func (d *Doc) Requirement(id string) (Requirement, bool) {
	for _, r := range d.Requirements {
		if r.ID == id {
			return r, true
		}
		for _, c := range r.Criteria {
			if c.ID == id {
				return Requirement{ID: c.ID, Title: c.Text, Line: c.Line}, true
			}
		}
	}
	return Requirement{}, false
}

// IDs lists every requirement and criterion id the document defines, in
// file order.
func (d *Doc) IDs() []string {
	var ids []string
	for _, r := range d.Requirements {
		ids = append(ids, r.ID)
		for _, c := range r.Criteria {
			if d.Format != OpenSpec { // scenario names are not citable ids
				ids = append(ids, c.ID)
			}
		}
	}
	return ids
}

// normSpace collapses every run of white space to one space, so that
// re-wrapping and indentation are no change.
func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

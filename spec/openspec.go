package spec

import (
	"strings"
)

// OpenSpec grammars (docs/specs.md), after Fission-AI/OpenSpec's
// own parsers: a requirement is named by its "### Requirement:" header,
// every level-4 header under it is a scenario.
var (
	osRequirement = lazyRegexp(`(?i)^(?:[-*]\s+)?###\s*Requirement:\s*(.+?)\s*$`)
	osScenario    = lazyRegexp(`(?i)^####\s+(?:Scenario:\s*)?(.+?)\s*$`)
	osDeltaHead   = lazyRegexp(`(?i)^##\s+(ADDED|MODIFIED|REMOVED|RENAMED)\s+Requirements\s*$`)
	osRenameSide  = lazyRegexp("(?i)^[-*]?\\s*(FROM|TO):\\s*`?\\s*(?:###\\s*Requirement:\\s*)?(.+?)\\s*`?\\s*$")
	osTask        = lazyRegexp(`^\s*[-*]\s*\[([\sxX])\]\s*(.*)$`)
	osTaskID      = lazyRegexp(`^(\d+(?:\.\d+)+[A-Za-z]*)\s*`)
)

// osBlocks splits lines into requirement blocks with their scenarios.
// section is told of each level-2 heading, and decides where the blocks
// it is followed by go.
func osBlocks(lines []line, section func(h string, n int) *[]Requirement) {
	var into *[]Requirement
	var cur *Requirement
	var body []string
	var sc *Criterion
	var scBody []string
	flushSc := func() {
		if sc != nil {
			sc.norm = normSpace(strings.Join(scBody, "\n"))
			for _, b := range scBody {
				if b = strings.TrimSpace(b); b != "" {
					sc.Text = b // its first line, as a Kiro criterion's text is
					break
				}
			}
			cur.Criteria = append(cur.Criteria, *sc)
			sc, scBody = nil, nil
		}
	}
	flush := func() {
		if cur != nil {
			flushSc()
			cur.text = normSpace(strings.Join(body, "\n"))
			if into != nil {
				*into = append(*into, *cur)
			}
			cur, body = nil, nil
		}
	}
	for _, l := range lines {
		if l.fenced {
			if sc != nil {
				scBody = append(scBody, l.text)
			} else if cur != nil {
				body = append(body, l.text)
			}
			continue
		}
		t := strings.TrimSpace(l.text)
		if m := osRequirement().FindStringSubmatch(t); m != nil {
			flush()
			cur = &Requirement{ID: m[1], Title: m[1], Line: l.n, Criteria: []Criterion{}}
			continue
		}
		if lvl, h := heading(t); lvl > 0 && lvl <= 2 {
			flush()
			into = section(h, l.n)
			continue
		}
		if cur == nil {
			continue
		}
		if m := osScenario().FindStringSubmatch(t); m != nil {
			flushSc()
			sc = &Criterion{ID: m[1], Line: l.n, Text: m[1]}
			continue
		}
		if lvl, _ := heading(t); lvl == 3 {
			flush() // another "###" header ends the block (OpenSpec's skippedHeaders)
			continue
		}
		if sc != nil {
			scBody = append(scBody, t)
		} else {
			body = append(body, t)
		}
	}
	flush()
}

// parseOpenSpecSpec reads a main spec; requirements outside a
// "## Requirements" section count too, as OpenSpec's parser has it.
func parseOpenSpecSpec(d *Doc, lines []line) {
	all := &d.Requirements
	osBlocks(lines, func(h string, n int) *[]Requirement {
		d.Sections = append(d.Sections, Section{Heading: h, Line: n})
		return all
	})
	// Blocks before any "##" heading (a spec with no sections at all).
	if len(d.Sections) == 0 {
		osBlocks(append([]line{{text: "## Requirements"}}, lines...), func(string, int) *[]Requirement { return all })
	}
	d.body = normBody(lines)
	if len(d.Requirements) == 0 {
		d.Unparsed = "no \"### Requirement:\" headers"
	}
}

// parseOpenSpecDelta reads a change's delta spec: what it adds, modifies,
// removes and renames, by requirement name.
func parseOpenSpecDelta(d *Doc, lines []line) {
	ops := &DeltaOps{Added: []Requirement{}, Modified: []Requirement{}, Removed: []Requirement{}, Renamed: []Rename{}}
	var removedBullets []Requirement
	var from string
	osBlocks(lines, func(h string, n int) *[]Requirement {
		m := osDeltaHead().FindStringSubmatch("## " + h)
		if m == nil {
			d.Sections = append(d.Sections, Section{Heading: h, Line: n})
			return nil
		}
		switch strings.ToUpper(m[1]) {
		case "ADDED":
			return &ops.Added
		case "MODIFIED":
			return &ops.Modified
		case "REMOVED":
			return &ops.Removed
		}
		return nil // RENAMED holds pairs, read below
	})
	// RENAMED pairs and the bullet form of REMOVED are lines, not blocks.
	section := ""
	for _, l := range lines {
		if l.fenced {
			continue
		}
		t := strings.TrimSpace(l.text)
		if lvl, h := heading(t); lvl > 0 && lvl <= 2 {
			section = ""
			if m := osDeltaHead().FindStringSubmatch("## " + h); m != nil {
				section = strings.ToUpper(m[1])
			}
			continue
		}
		switch section {
		case "RENAMED":
			if m := osRenameSide().FindStringSubmatch(t); m != nil {
				if strings.EqualFold(m[1], "FROM") {
					from = m[2]
				} else if from != "" {
					ops.Renamed = append(ops.Renamed, Rename{From: from, To: m[2]})
					from = ""
				}
			}
		case "REMOVED":
			if m := osRequirement().FindStringSubmatch(t); m != nil && (strings.HasPrefix(t, "-") || strings.HasPrefix(t, "*")) {
				removedBullets = append(removedBullets, Requirement{ID: m[1], Title: m[1], Line: l.n, Criteria: []Criterion{}})
			}
		}
	}
	if len(removedBullets) > 0 {
		// osBlocks saw the bullets as blocks too; keep one of each.
		seen := map[string]bool{}
		for _, r := range ops.Removed {
			seen[r.ID] = true
		}
		for _, r := range removedBullets {
			if !seen[r.ID] {
				ops.Removed = append(ops.Removed, r)
			}
		}
	}
	d.Delta = ops
	d.Requirements = append(append([]Requirement{}, ops.Added...), ops.Modified...)
	d.body = normBody(lines)
	if len(ops.Added)+len(ops.Modified)+len(ops.Removed)+len(ops.Renamed) == 0 {
		d.Unparsed = "no ADDED, MODIFIED, REMOVED or RENAMED requirements"
	}
}

// parseOpenSpecTasks reads a change's tasks.md: "- [ ] 1.1 text" under
// "## 1. Group" headings.
func parseOpenSpecTasks(d *Doc, lines []line) {
	group := ""
	for _, l := range lines {
		t := strings.TrimSpace(l.text)
		if !l.fenced {
			if lvl, h := heading(t); lvl == 2 {
				group = h
				d.body += "#" + normSpace(h) + "\n"
				continue
			}
		}
		m := osTask().FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		box := m[1]
		title := strings.TrimSpace(m[2])
		id := ""
		if im := osTaskID().FindStringSubmatch(title); im != nil {
			id, title = im[1], strings.TrimSpace(title[len(im[0]):])
		}
		task := Task{ID: id, Checkbox: box, Status: kiroStatus(box), Line: l.n, Title: title, Group: group, Requirements: []string{}}
		task.plan = taskPlan(task, nil)
		d.Tasks = append(d.Tasks, task)
		d.body += task.plan
	}
	if len(d.Tasks) == 0 {
		d.Unparsed = "no \"- [ ]\" tasks"
	}
}

package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// Kiro grammars (docs/specs.md). Headings and labels are accepted
// in English, Chinese and Japanese; colons may be full-width.
var (
	kiroReqHeader = lazyRegexp(`(?i)^#{2,4}\s+(?:Requirement|需求|要件)\s*(\d+)\s*(?:[:：.]\s*(.*?))?\s*$`)
	// A suffix is the author's ("#### Acceptance Criteria - ZERO
	// TOLERANCE POLICY", "(EARS)"): still the criteria.
	kiroACHeading = lazyRegexp(`(?i)^#{3,5}\s+(?:Acceptance Criteria|验收标准|驗收條件|驗收標準|受入基準|受け入れ基準)(?:\s*[:：]|\s+[-–—(].*)?\s*$`)
	kiroCriterion = lazyRegexp(`^(\d+)\.\s+(.*)$`)
	// A criterion that writes its own id: "1.1. WHEN …" or "- 1.1 …".
	kiroExplicitID = lazyRegexp(`^(?:[-*]\s+)?(\d+)\.(\d+)\.?\s+(.*)$`)
	kiroClause     = lazyRegexp(`^(\d+)\.(\d+)\s+(.*)$`)

	kiroTask     = lazyRegexp(`^(\s*)[-*]\s\[( |x|X|-|~)\](\*?)\s+(?:(\d+(?:\.\d+)*)\.?(?:\s+|$))?(.*?)\s*$`)
	kiroRefLine  = lazyRegexp(`^\s*[-*]\s+_(?:Requirements?|需求|要件)\s*[:：]\s*(.*?)_\s*$`)
	kiroRefBold  = lazyRegexp(`(?i)^\s*[-*]\s+\*\*Requirements?\*\*\s*[:：]\s*(.*?)\s*$`)
	validatesRe  = lazyRegexp(`(?i)\*\*Validates(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*Requirements?\s+(.*?)\s*(?:\*\*)?\s*$`)
	propertyRe   = lazyRegexp(`\*\*Property\s+(\d+)\b`)
	parallelMark = lazyRegexp(`^\(P\)\s*|\s*\(P\)$`)

	designProperty = lazyRegexp(`(?i)^(?:#{2,5}\s+)?\**\s*Property\s+(\d+)\s*[:：]\s*(.*?)\**\s*$`)
	designValidate = lazyRegexp(`(?i)^\W*Validates\W*\s*Requirements?\s+([0-9][0-9.,\s\-–]*)`)
)

// parseKiroRequirements reads requirements.md: "Requirement N" headings,
// each with its acceptance criteria N.k, numbered by position unless the
// file writes the ids itself.
func parseKiroRequirements(d *Doc, lines []line) {
	var cur *Requirement
	inAC, acLevel := false, 0
	var story []string
	var crit *Criterion
	var critText []string
	flushCrit := func() {
		if crit != nil {
			crit.norm = normSpace(strings.Join(critText, " "))
			cur.Criteria = append(cur.Criteria, *crit)
			crit, critText = nil, nil
		}
	}
	flush := func() {
		if cur == nil {
			return
		}
		flushCrit()
		cur.text = normSpace(strings.Join(story, " "))
		d.Requirements = append(d.Requirements, *cur)
		cur, story, inAC = nil, nil, false
	}
	for _, l := range lines {
		if l.fenced {
			if crit != nil {
				critText = append(critText, l.text)
			}
			continue
		}
		t := strings.TrimSpace(l.text)
		if m := kiroReqHeader().FindStringSubmatch(t); m != nil {
			flush()
			cur = &Requirement{ID: m[1], Title: strings.TrimSpace(m[2]), Line: l.n}
			continue
		}
		if cur == nil {
			continue
		}
		if kiroACHeading().MatchString(t) {
			flushCrit()
			inAC, acLevel = true, strings.IndexFunc(t, func(r rune) bool { return r != '#' })
			continue
		}
		if lvl, _ := heading(t); lvl > 0 {
			if inAC && lvl > acLevel {
				continue // "#####" sub-headings inside the criteria do not end them
			}
			flushCrit()
			if inAC || lvl <= 2 {
				flush()
			}
			continue
		}
		if !inAC {
			story = append(story, t)
			continue
		}
		if m := kiroExplicitID().FindStringSubmatch(t); m != nil && m[1] == cur.ID {
			flushCrit()
			crit = &Criterion{ID: m[1] + "." + m[2], Line: l.n, Text: strings.TrimSpace(m[3])}
			critText = []string{m[3]}
			continue
		}
		if m := kiroCriterion().FindStringSubmatch(t); m != nil && !strings.HasPrefix(l.text, " ") && !strings.HasPrefix(l.text, "\t") {
			flushCrit()
			crit = &Criterion{ID: cur.ID + "." + strconv.Itoa(len(cur.Criteria)+1), Line: l.n, Text: strings.TrimSpace(m[2])}
			critText = []string{m[2]}
			continue
		}
		if crit != nil && t != "" {
			critText = append(critText, t)
		}
	}
	flush()
	if len(d.Requirements) == 0 {
		d.Unparsed = "no \"Requirement N\" headings: not the shape of a Kiro requirements.md"
	}
}

// parseKiroBugfix reads bugfix.md: clauses "1.k" (current behaviour), "2.k"
// (expected) and "3.k" (unchanged), written bare at the start of a line,
// grouped by their "###" section.
func parseKiroBugfix(d *Doc, lines []line) {
	var sec *Section
	var cur *Requirement
	var text []string
	flush := func() {
		if cur != nil {
			cur.text = normSpace(strings.Join(text, " "))
			d.Requirements = append(d.Requirements, *cur)
			cur, text = nil, nil
		}
	}
	for _, l := range lines {
		if l.fenced {
			continue
		}
		t := strings.TrimSpace(l.text)
		if lvl, h := heading(t); lvl > 0 {
			flush()
			if lvl <= 3 {
				if sec != nil && len(sec.IDs) > 0 {
					d.Sections = append(d.Sections, *sec)
				}
				sec = &Section{Heading: h, Line: l.n}
			}
			continue
		}
		if m := kiroClause().FindStringSubmatch(l.text); m != nil {
			flush()
			if sec != nil {
				sec.IDs = append(sec.IDs, m[1]+"."+m[2])
			}
			// A clause has no title; its first line stands for one.
			cur = &Requirement{ID: m[1] + "." + m[2], Title: strings.TrimSpace(m[3]), Line: l.n,
				Criteria: []Criterion{}}
			text = []string{m[3]}
			continue
		}
		if cur != nil && t != "" {
			text = append(text, t)
		} else if t == "" {
			flush()
		}
	}
	flush()
	if sec != nil && len(sec.IDs) > 0 {
		d.Sections = append(d.Sections, *sec)
	}
	if len(d.Requirements) == 0 {
		d.Unparsed = "no \"N.k\" clauses: not the shape of a Kiro bugfix.md"
	}
}

// parseKiroDesign reads design.md's correctness properties and the
// requirements each validates.
func parseKiroDesign(d *Doc, lines []line) {
	var cur *Property
	var body []string
	flush := func() {
		if cur != nil {
			cur.norm = normSpace(strings.Join(body, " "))
			d.Properties = append(d.Properties, *cur)
			cur, body = nil, nil
		}
	}
	for _, l := range lines {
		if l.fenced {
			if cur != nil {
				body = append(body, l.text)
			}
			continue
		}
		t := strings.TrimSpace(l.text)
		if m := designProperty().FindStringSubmatch(t); m != nil {
			flush()
			cur = &Property{ID: m[1], Title: strings.TrimRight(strings.TrimSpace(m[2]), "*"), Line: l.n}
			continue
		}
		if cur == nil {
			continue
		}
		if lvl, _ := heading(t); lvl > 0 && lvl <= 3 {
			flush()
			continue
		}
		if m := designValidate().FindStringSubmatch(t); m != nil {
			cur.Validates = append(cur.Validates, ResolveRefs(splitRefs(m[1]))...)
		}
		body = append(body, t)
	}
	flush()
	d.body = normBody(lines)
}

// parseKiroTasks reads tasks.md: "- [ ] N. Title" tasks and their
// "N.M" sub-tasks (indented or not: the parent comes from the id), their
// status, the optional "*", cc-sdd's "(P)", and the requirement, property
// and Validates references in their detail bullets.
func parseKiroTasks(d *Doc, lines []line) {
	var cur *Task
	var detail []string
	var body strings.Builder
	defer func() { d.body = body.String() }()
	group := ""
	flush := func() {
		if cur != nil {
			cur.Requirements = dedupe(append(ResolveRefs(cur.Refs), ResolveRefs(cur.Validates)...))
			cur.plan = taskPlan(*cur, detail)
			d.Tasks = append(d.Tasks, *cur)
			body.WriteString(cur.plan)
			cur, detail = nil, nil
		}
	}
	for _, l := range lines {
		if l.fenced {
			continue
		}
		t := strings.TrimSpace(l.text)
		if lvl, h := heading(t); lvl > 0 {
			flush()
			group = h
			body.WriteString("#" + normSpace(h) + "\n")
			continue
		}
		// Most lines are details: a cheap test spares them the regexp.
		if m := kiroTaskLine(l.text); m != nil {
			flush()
			title := m[5]
			parallel := false
			if parallelMark().MatchString(title) {
				parallel, title = true, strings.TrimSpace(parallelMark().ReplaceAllString(title, ""))
			}
			cur = &Task{ID: m[4], Checkbox: m[2], Status: kiroStatus(m[2]), Optional: m[3] == "*",
				Parallel: parallel, Line: l.n, Title: title, Group: group,
				Refs: []string{}, Validates: []string{}, Properties: []string{}}
			if i := strings.LastIndexByte(cur.ID, '.'); i > 0 {
				cur.Parent = cur.ID[:i]
			}
			continue
		}
		if cur == nil || t == "" {
			continue
		}
		detail = append(detail, t)
		if !strings.Contains(t, "_") && !strings.Contains(t, "*") {
			continue // no reference, property or Validates without emphasis
		}
		if m := kiroRefLine().FindStringSubmatch(l.text); m != nil {
			cur.Refs = append(cur.Refs, splitRefs(m[1])...)
			cur.RefLines = append(cur.RefLines, l.n)
		} else if m := kiroRefBold().FindStringSubmatch(l.text); m != nil {
			cur.Refs = append(cur.Refs, splitRefs(m[1])...)
			cur.RefLines = append(cur.RefLines, l.n)
		}
		if strings.Contains(t, "alidates") {
			if m := validatesRe().FindStringSubmatch(t); m != nil {
				cur.Validates = append(cur.Validates, splitRefs(m[1])...)
				cur.RefLines = append(cur.RefLines, l.n)
			}
		}
		if strings.Contains(t, "Property") {
			for _, m := range propertyRe().FindAllStringSubmatch(t, -1) {
				cur.Properties = append(cur.Properties, m[1])
			}
		}
	}
	flush()
	if len(d.Tasks) == 0 {
		d.Unparsed = "no \"- [ ]\" tasks"
	}
}

func kiroTaskLine(s string) []string {
	if !strings.Contains(s, "[") {
		return nil
	}
	return kiroTask().FindStringSubmatch(s)
}

// taskPlan is a task's content without its status: what changes when the
// plan changes, and does not when a box is ticked.
func taskPlan(t Task, detail []string) string {
	return fmt.Sprintf("%s %s\n%s\n", t.ID, normSpace(t.Title), normSpace(strings.Join(detail, " ")))
}

func kiroStatus(box string) Status {
	switch box {
	case "x", "X":
		return Done
	case "-":
		return InProgress
	case "~":
		return Queued
	}
	return Todo
}

// splitRefs splits a reference list into raw tokens: "1.1, 2.3" or
// "Requirement 16.1, 16.8 (Deployment)" or "1.1、1.2".
func splitRefs(s string) []string {
	s = strings.TrimSpace(strings.Trim(s, "*_ "))
	if i := strings.IndexAny(s, "(（"); i > 0 && refHead().MatchString(s[:i]) {
		s = s[:i] // a trailing "(Title)" names the requirement, it is not an id
	}
	s = refWords().ReplaceAllStringFunc(s, func(w string) string {
		if strings.EqualFold(strings.TrimSpace(w), "and") {
			return ","
		}
		return "-"
	})
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '&' }) {
		f = strings.TrimSpace(f)
		f = strings.TrimSpace(refWord().ReplaceAllString(f, ""))
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

var (
	// refWords turns "6.1 to 6.4" into a range and "3 and 4" into a list.
	refWords = lazyRegexp(`(?i)\s+(?:(to|through)|and)\s+`)
	refWord  = lazyRegexp(`(?i)^(?:requirements?|req\.?)\s+`)
	refHead  = lazyRegexp(`[0-9]\s*$`)
)

var (
	refID      = lazyRegexp(`^(?:\d+(?:\.\d+)?|[A-Z]{1,4}-\d{3}[a-z]?|US\d+(?:/AC\d+)?)$`)
	refRange   = lazyRegexp(`^(\d+)\.(\d+)\s*([-–—~]|to|through)\s*(?:(\d+)\.)?(\d+)$`)
	refIntSpan = lazyRegexp(`^(\d+)\s*([-–—~]|to|through)\s*(\d+)$`)
)

// MaxRange is the most ids one range may stand for: "1.1-1.8" is a
// range, "1.1-1.99" is a typo or prose, never ninety-nine citations.
const MaxRange = 30

// ResolveRefs turns raw reference tokens into requirement ids: ranges
// are expanded, ids are kept, words ("All", "immediate visual feedback")
// are dropped, and duplicates removed in order.
//
// A range is one only where it is one: two ids of the same requirement
// ("1.1-1.4", "1.1–1.4", "1.1 to 1.4") or two requirement numbers
// ("3-5"), the second after the first and at most MaxRange apart. An em
// dash between numbers is prose ("Requirement 2.6 — 64-byte keys" cites
// 2.6, not 2.6 to 2.64), and so is a short form ("1.1-4"): what stands
// before it is the citation, what follows is not read as an id.
func ResolveRefs(tokens []string) []string {
	out := []string{}
	for _, tok := range tokens {
		tok = strings.TrimSpace(tok)
		switch {
		case refID().MatchString(tok):
			out = append(out, tok)
		case refRange().MatchString(tok):
			m := refRange().FindStringSubmatch(tok)
			from, _ := strconv.Atoi(m[2])
			to, _ := strconv.Atoi(m[5])
			switch {
			case m[4] == "":
				out = append(out, m[1]+"."+m[2]) // "2.6 — 64": not a range
			case m[4] != m[1]:
				continue // "1.3-2.1" spans requirements: no honest expansion
			case to <= from || to-from >= MaxRange:
				out = append(out, m[1]+"."+m[2], m[1]+"."+m[5])
			default:
				for k := from; k <= to; k++ {
					out = append(out, m[1]+"."+strconv.Itoa(k))
				}
			}
		case refIntSpan().MatchString(tok):
			m := refIntSpan().FindStringSubmatch(tok)
			from, _ := strconv.Atoi(m[1])
			to, _ := strconv.Atoi(m[3])
			if m[2] == "—" || to <= from || to-from >= MaxRange {
				out = append(out, m[1])
				continue
			}
			for k := from; k <= to; k++ {
				out = append(out, strconv.Itoa(k))
			}
		}
	}
	return dedupe(out)
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

package spec

import (
	"sort"
	"strconv"
	"strings"
)

// Spec Kit grammars (docs/specs.md): user stories with their acceptance
// scenarios, FR-/SC- requirements, T001 tasks.
var (
	skStory      = lazyRegexp(`(?i)^###\s+(?:User Story|用户故事|使用者故事|ユーザーストーリー)\s*(\d+)\s*(?:[-—–:：]\s*)?(.*?)\s*(?:[（(]\s*(?:Priority|优先级|優先級|優先度)\s*[:：]\s*(P\d+)\s*[）)])?\s*(?:🎯.*)?$`)
	skScenarios  = lazyRegexp(`(?i)^\*\*(?:Acceptance Scenarios|验收场景|驗收場景|受け入れシナリオ)\*\*\s*[:：]?|^\*\*(?:Acceptance Scenarios|验收场景|驗收場景|受け入れシナリオ)\s*[:：]\*\*`)
	skScenario   = lazyRegexp(`^(\d+)\.\s+(.*)$`)
	skItem       = lazyRegexp(`^[-*]\s+\*{0,2}([A-Z]{1,4}-\d{3}[a-z]?)\*{0,2}\s*[:：]?\s*\*{0,2}\s*(.*)$`)
	skTask       = lazyRegexp(`^\s*[-*]\s\[( |x|X)\]\s+(T\d{3,})((?:\s*\[[^\]]+\])*)\s*(.*)$`)
	skLabel      = lazyRegexp(`\[([^\]]+)\]`)
	skRef        = lazyRegexp(`\b(?:FR|SC|NFR)-\d{3}[a-z]?\b`)
	skDepends    = lazyRegexp(`(?i)depends on\s+((?:T\d{3,}(?:\s*(?:,|and|&)\s*)?)+)`)
	skTaskID     = lazyRegexp(`T\d{3,}`)
	skStoryLabel = lazyRegexp(`^US\d+$`)
)

// parseSpecKitSpec reads spec.md: user stories with their acceptance
// scenarios (USn/ACk, by position), and FR-/SC- items, whose text runs on
// over indented continuation lines.
func parseSpecKitSpec(d *Doc, lines []line) {
	var story *Requirement
	inScenarios := false
	var item *Requirement
	var text []string
	var crit *Criterion
	var critText []string
	flushCrit := func() {
		if crit != nil {
			crit.norm = normSpace(strings.Join(critText, " "))
			story.Criteria = append(story.Criteria, *crit)
			crit, critText = nil, nil
		}
	}
	flushItem := func() {
		if item != nil {
			item.text = normSpace(strings.Join(text, " "))
			d.Requirements = append(d.Requirements, *item)
			item, text = nil, nil
		}
	}
	flushStory := func() {
		if story != nil {
			flushCrit()
			story.text = normSpace(strings.Join(text, " "))
			d.Requirements = append(d.Requirements, *story)
			story, text, inScenarios = nil, nil, false
		}
	}
	for _, l := range lines {
		if l.fenced {
			continue
		}
		t := strings.TrimSpace(l.text)
		if strings.Contains(t, "[NEEDS CLARIFICATION") {
			d.Clarifications = append(d.Clarifications, l.n)
		}
		if m := skStory().FindStringSubmatch(t); m != nil {
			flushItem()
			flushStory()
			story = &Requirement{ID: "US" + m[1], Title: strings.TrimSpace(m[2]), Priority: m[3], Line: l.n, Criteria: []Criterion{}}
			continue
		}
		if lvl, _ := heading(t); lvl > 0 || t == "---" {
			flushItem()
			flushStory()
			continue
		}
		if story != nil {
			if skScenarios().MatchString(t) {
				flushCrit()
				inScenarios = true
				continue
			}
			if m := skScenario().FindStringSubmatch(t); inScenarios && m != nil && !strings.HasPrefix(l.text, " ") {
				flushCrit()
				crit = &Criterion{ID: story.ID + "/AC" + strconv.Itoa(len(story.Criteria)+1), Line: l.n, Text: m[2]}
				critText = []string{m[2]}
				continue
			}
			if crit != nil && t != "" {
				critText = append(critText, t)
			} else if t != "" {
				text = append(text, t)
			}
			continue
		}
		if m := skItem().FindStringSubmatch(t); m != nil && !strings.HasPrefix(l.text, " ") {
			flushItem()
			item = &Requirement{ID: m[1], Line: l.n, Criteria: []Criterion{}}
			text = []string{m[2]}
			continue
		}
		if item != nil {
			if t == "" || strings.HasPrefix(t, "-") && !strings.HasPrefix(l.text, " ") {
				flushItem()
			} else {
				text = append(text, t)
			}
		}
	}
	flushItem()
	flushStory()
	d.body = normBody(lines)
	if len(d.Requirements) == 0 {
		d.Unparsed = "no user stories and no FR-/SC- items: not the shape of a Spec Kit spec.md"
	}
}

// parseSpecKitTasks reads tasks.md: "- [ ] T001 [P] [US1] text" in
// phases, with the FR-/SC- ids the text cites and "depends on T…".
func parseSpecKitTasks(d *Doc, lines []line) {
	phase := ""
	for _, l := range lines {
		if l.fenced {
			continue
		}
		t := strings.TrimSpace(l.text)
		if lvl, h := heading(t); lvl == 2 {
			phase = h
			d.body += "#" + normSpace(h) + "\n"
			continue
		}
		m := skTask().FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		task := Task{ID: m[2], Checkbox: m[1], Status: kiroStatus(m[1]), Line: l.n,
			Title: strings.TrimSpace(m[4]), Group: phase, Refs: skRef().FindAllString(m[4], -1),
			DependsOn: []string{}}
		for _, lab := range skLabel().FindAllStringSubmatch(m[3], -1) {
			switch {
			case lab[1] == "P":
				task.Parallel = true
			case skStoryLabel().MatchString(lab[1]):
				task.Story = lab[1]
			}
		}
		// Refs are a set: sorted, each once.
		sort.Strings(task.Refs)
		task.Refs = dedupe(task.Refs)
		if dm := skDepends().FindStringSubmatch(m[4]); dm != nil {
			task.DependsOn = skTaskID().FindAllString(dm[1], -1)
		}
		task.Requirements = dedupe(task.Refs)
		if task.Story != "" {
			task.Requirements = dedupe(append(task.Requirements, task.Story))
		}
		if len(task.Refs) > 0 || task.Story != "" {
			task.RefLines = []int{l.n}
		}
		task.plan = taskPlan(task, nil)
		d.Tasks = append(d.Tasks, task)
		d.body += task.plan
	}
	if len(d.Tasks) == 0 {
		d.Unparsed = "no \"- [ ] T001\" tasks"
	}
}

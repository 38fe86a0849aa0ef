package hooks

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docs/config.md lists every key the loader takes, in the section of its
// table, and no key it does not: the doc cannot drift from the code.
func TestConfigDocMatchesTheLoader(t *testing.T) {
	data, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]bool{"defaults": true, "hook": true, "agent": true, "specs": true, "trace": true, "watch": true}
	var top []string
	for _, k := range topKeys {
		if !tables[k] {
			top = append(top, k)
		}
	}
	want := map[string][]string{
		"Top level":            top,
		"`[defaults]`":         defaultsKeys,
		"`[[hook]]`":           hookKeys,
		"`[agent.NAME]`":       agentKeys,
		"`[watch]`":            watchKeys,
		"`[specs]`, `[trace]`": append(slices.Clone(specsKeys), traceKeys...),
	}
	got := documentedKeys(string(data))
	for section, keys := range want {
		doc, ok := got[section]
		if !ok {
			t.Errorf("docs/config.md has no section %s", section)
			continue
		}
		for _, k := range keys {
			if !slices.Contains(doc, k) {
				t.Errorf("%s: the loader takes %q, docs/config.md does not say so", section, k)
			}
		}
		for _, k := range doc {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: docs/config.md documents %q, which the loader refuses", section, k)
			}
		}
	}
}

var (
	sectionLine = regexp.MustCompile("^## (.+)$")
	rowKeys     = regexp.MustCompile("^\\| ((?:`[a-z_]+`(?:, | \\+ )?)+) \\|")
	backticked  = regexp.MustCompile("`([a-z_]+)`")
)

// documentedKeys reads, per "## " section, the keys in the first column of
// its tables ("| `key` |", "| `a`, `b` |", "| `agent` + `prompt` |"); in a
// section with no table, the keys named in `backticks` followed by a
// space and "(" or ":" (the prose of [specs] and [trace]).
func documentedKeys(doc string) map[string][]string {
	out := map[string][]string{}
	section := ""
	for _, line := range strings.Split(doc, "\n") {
		if m := sectionLine.FindStringSubmatch(line); m != nil {
			section = m[1]
			continue
		}
		if m := rowKeys.FindStringSubmatch(line); m != nil && section != "" {
			for _, k := range backticked.FindAllStringSubmatch(m[1], -1) {
				out[section] = append(out[section], k[1])
			}
			continue
		}
		if strings.HasPrefix(section, "`[specs]`") {
			for _, m := range regexp.MustCompile("`([a-z_]+)` ?[(:]").FindAllStringSubmatch(line, -1) {
				out[section] = append(out[section], m[1])
			}
		}
	}
	return out
}

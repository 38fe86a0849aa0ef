package event_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/hookd-dev/hookd/event"
)

func TestKindPatterns(t *testing.T) {
	for pattern, want := range map[string][]event.Kind{
		"file.saved": {event.FileSaved},
		"file.*":     {event.FileCreated, event.FileSaved, event.FileDeleted},
		"git.*":      {event.GitCommit, event.GitCheckout, event.GitMerge, event.GitRewrite, event.GitPreCommit, event.GitPrePush},
		"spec.*":     {event.SpecChanged, event.SpecTask, event.SpecArchived},
	} {
		match, ok := event.ParseKindPattern(pattern)
		if !ok {
			t.Fatalf("%s does not parse", pattern)
		}
		var got []event.Kind
		for _, k := range event.Kinds() {
			if match(k) {
				got = append(got, k)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s matches %v, want %v", pattern, got, want)
		}
	}
	for _, bad := range []string{"file.changed", "nope.*", "file", "*", ""} {
		if _, ok := event.ParseKindPattern(bad); ok {
			t.Errorf("%q parses", bad)
		}
	}
}

func TestChangesAndKinds(t *testing.T) {
	for _, c := range []event.Change{event.Created, event.Saved, event.Deleted} {
		if event.ChangeOf(event.ChangeKind(c)) != c {
			t.Errorf("%s does not round-trip", c)
		}
	}
	if event.ChangeOf(event.GitCommit) != event.Saved {
		t.Error("files of other kinds are saved")
	}
	for _, k := range event.Kinds() {
		if !event.Known(k) {
			t.Errorf("%s unknown", k)
		}
	}
}

func TestNewFile(t *testing.T) {
	f := event.NewFile("/repo", "src/pkg/a.test.ts", event.Created, 7)
	if f.Abs != "/repo/src/pkg/a.test.ts" || f.Dir != "src/pkg" || f.Name != "a.test.ts" || f.Ext != ".ts" || f.Size != 7 || f.Change != event.Created {
		t.Fatalf("%+v", f)
	}
	if root := event.NewFile("/repo", "Makefile", event.Saved, 0); root.Dir != "." || root.Ext != "" {
		t.Fatalf("%+v", root)
	}
}

// docs/events.md has a row for every kind there is, and none for a kind
// there is not.
func TestEventsDocMatchesTheKinds(t *testing.T) {
	data, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z.-]+)` \\|")
	documented := map[event.Kind]bool{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		k := event.Kind(m[1])
		documented[k] = true
		if !event.Known(k) {
			t.Errorf("docs/events.md documents %s, which is no event kind", k)
		}
	}
	for _, k := range event.Kinds() {
		if !documented[k] {
			t.Errorf("docs/events.md has no row for %s", k)
		}
	}
}

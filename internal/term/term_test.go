package term

import (
	"bytes"
	"strings"
	"testing"
)

func maxLine(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, Len(l))
	}
	return n
}

func TestWrap(t *testing.T) {
	line := "  FAIL shims  the blocking hooks checks and lint cannot stop a commit: /tmp/a/very/long/path/that/does/not/fit/anywhere/at/all/in/forty/columns/.git/hooks"
	for _, width := range []int{40, 80, 100} {
		got := Wrap(line, width)
		if maxLine(got) > width {
			t.Errorf("width %d: a line of %d:\n%s", width, maxLine(got), got)
		}
		if strings.Join(strings.Fields(got), "") != strings.Join(strings.Fields(line), "") {
			t.Errorf("width %d: wrapping lost or changed text:\n%s", width, got)
		}
		for _, l := range strings.Split(got, "\n")[1:] {
			if !strings.HasPrefix(l, "    ") {
				t.Errorf("width %d: a continuation is not indented under its line: %q", width, l)
			}
		}
	}
	if Wrap("short", 80) != "short" {
		t.Error("a short line changed")
	}
	if Len("\x1b[31m✗ no test\x1b[0m") != 9 {
		t.Error("colour escapes count toward the width")
	}
}

func TestTableFits(t *testing.T) {
	tb := Table{
		Header: []string{"HOOK", "ON", "ACTION", "STATE"},
		Rows: [][]string{
			{"tests-follow-code", "file.saved,file.created", "run: go test ./... && go vet ./... && staticcheck ./... && echo done", "enabled"},
			{"impact", "spec.changed", "builtin: impact", "enabled"},
		},
		Shrink: []int{2, 1},
		Min:    8,
	}
	for _, width := range []int{40, 60, 80, 200} {
		var b bytes.Buffer
		if err := tb.Write(&b, width); err != nil {
			t.Fatal(err)
		}
		if maxLine(b.String()) > width {
			t.Errorf("width %d:\n%s", width, b.String())
		}
		if width == 200 && strings.Contains(b.String(), "…") {
			t.Errorf("clipped with room to spare:\n%s", b.String())
		}
		if width == 80 && (!strings.Contains(b.String(), "run: go test ./... && go v…") || !strings.Contains(b.String(), "tests-follow-code ")) {
			t.Errorf("at 80 the action gives way, not the name:\n%s", b.String())
		}
	}
}

func TestFitted(t *testing.T) {
	var b bytes.Buffer
	f := Fit(&b, 40)
	f.Write([]byte("a short line\nand a line that is much too long for forty columns to hold it"))
	f.Write([]byte(" whole\n"))
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if maxLine(b.String()) > 40 || !strings.HasPrefix(b.String(), "a short line\nand a line") || !strings.Contains(b.String(), "whole") {
		t.Errorf("fitted:\n%s", b.String())
	}
	if Width(f) != 40 {
		t.Error("a Fitted writer's width is its own")
	}
}

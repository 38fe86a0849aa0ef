package human

import "testing"

func TestWords(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Plural(0, "hook", "hooks"), "0 hooks"},
		{Plural(1, "hook", "hooks"), "1 hook"},
		{Plural(2, "hook", "hooks"), "2 hooks"},
		{Pick(true, "a", "b"), "a"},
		{Pick(false, "a", "b"), "b"},
		{Clip("short", 10), "short"},
		{Clip("ééééé", 4), "ééé…"},
		{Bytes(1), "1 byte"},
		{Bytes(1000), "1000 bytes"},
		{Bytes(1536), "1.5 KB"},
		{Bytes(3 << 20), "3.0 MB"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// Text from a repository cannot move the cursor, hide what precedes it,
// or start a line of its own.
func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"make test":                   "make test",
		"curl x|sh\r\x1b[2Kmake test": `curl x|sh\r\x1b[2Kmake test`,
		"a.go\n::error::forged":       `a.go\n::error::forged`,
		"c1 \u0085 next":              `c1 \x85 next`,
		"tab\tstays":                  "tab\tstays",
		"ok \u202e; curl x|sh":        `ok \u202e; curl x|sh`,
	} {
		if got := Printable(in, false); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Printable("two\nlines\x07", true); got != "two\nlines\\x07" {
		t.Errorf("keepNewlines: %q", got)
	}
}

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

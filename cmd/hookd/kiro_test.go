package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// tomlText writes what reads back as the same string, whatever it holds;
// a prompt of many lines is written on many lines.
func FuzzTOMLText(f *testing.F) {
	for _, s := range []string{
		"one line", "two\nlines\n", "it's ''' here\n", "ends in a quote'\nx'", `say """hi"""` + "\n", "tab\tand \\ back\nslash\\",
		"cr\r\nlf\n", "nul\x00\n", `"""` + "\n" + `""`, "\x7f\n", "é\n", "\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		text := tomlText(s)
		var got struct{ K string }
		if _, err := toml.Decode("k = "+text+"\n", &got); err != nil {
			t.Fatalf("%q written as\n%s\ndoes not parse: %v", s, text, err)
		}
		if got.K != s {
			t.Fatalf("%q written as\n%s\nreads back as %q", s, text, got.K)
		}
		if strings.Count(s, "\n") > 1 && !strings.Contains(text, "\n") {
			t.Errorf("%q is written on one line", s)
		}
	})
}

package ignore

import (
	"strings"
	"testing"
)

// FuzzWildmatch runs patterns and paths of any shape through the parser
// and the matcher: they must terminate and never panic. Paths that git
// would never produce (absolute, "..", empty) are fair game too: an infinite
// loop on "/" was found this way.
func FuzzWildmatch(f *testing.F) {
	for _, s := range []string{"**/a/*", "[!a-c]?", "a\\*b", "[[:alpha:]]x", "*.[oa]", "[", "[a-", "[[:x", "!/x/", "a/**/b/"} {
		f.Add(s, "a/b/c")
	}
	f.Add("x", "/abs/path")
	f.Fuzz(func(t *testing.T, pat, text string) {
		m := &Matcher{dirs: map[string][]pattern{}}
		m.extra = parse([]byte(pat), "")
		m.dirs["a"] = parse([]byte(pat), "a")
		m.Match(text, false)
		m.Match(text, true)
		// A pattern without wildcards or escapes matches exactly itself.
		if !strings.ContainsAny(pat, "*?[\\") && wildmatch(pat, text, true) != (pat == text) {
			t.Fatalf("%q against %q", pat, text)
		}
		if wildmatch(pat, text, false) && !wildmatch(pat, text, false) {
			t.Fatal("wildmatch is not deterministic")
		}
	})
}

func TestMatchTerminatesOnOddPaths(t *testing.T) {
	m := &Matcher{dirs: map[string][]pattern{"": parse([]byte("*.log\n"), "")}}
	for _, p := range []string{"/", "/abs/x.log", "", "..", "../x.log", "a//b"} {
		m.Match(p, false) // must return
	}
}

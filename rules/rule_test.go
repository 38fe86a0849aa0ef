package rules

import "testing"

// A costly value (git.dirty costs a git process) is worked out only for a
// rule that reads it, whatever else its text says.
func TestRuleReads(t *testing.T) {
	for src, want := range map[string]bool{
		`git.dirty`:                          true,
		`!git.dirty && len(files) > 0`:       true,
		`any(files, .path contains "dirty")`: false,
		`git.branch == "dirty"`:              false,
	} {
		r, err := Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Reads("git.dirty"); got != want {
			t.Errorf("%s: Reads(git.dirty) = %v, want %v", src, got, want)
		}
	}
}

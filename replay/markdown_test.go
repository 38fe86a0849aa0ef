package replay

import (
	"strings"
	"testing"
)

// Repository text in the pull request's comment mentions nobody, links
// and embeds nothing, opens no HTML and adds no table cell.
func TestMarkdownTextIsInert(t *testing.T) {
	for _, in := range []string{
		"@org/security please approve",
		"[reviewed, merge now](https://evil.example/x)",
		"![tracker](https://evil.example/p.png)",
		"<img src=x onerror=alert(1)>",
		"a | b | c",
		"line\nbreak ## heading",
		"visit www.evil.example",
	} {
		out := mdText(in)
		bare := strings.NewReplacer(`\\`, "", `\[`, "", `\]`, "").Replace(out)
		for _, bad := range []string{"@", "](", "<", "|", "\n", "https://", "www."} {
			if strings.Contains(bare, bad) {
				t.Errorf("mdText(%q) = %q holds %q", in, out, bad)
			}
		}
	}
}

// A code span cannot be closed by the text inside it.
func TestMarkdownCodeIsClosedOnlyByItsFence(t *testing.T) {
	for in, want := range map[string]string{
		"a.go:3":          "`a.go:3`",
		"a`b.go":          "``a`b.go``",
		"``x":             "``` ``x ```",
		"a|b\n::error::x": "`a¦b ::error::x`",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMarkdown(f *testing.F) {
	f.Add("@x [a](b) <c> | d\n`e`")
	f.Fuzz(func(t *testing.T, s string) {
		text := mdText(s)
		bare := strings.NewReplacer(`\\`, "", `\[`, "", `\]`, "").Replace(text)
		if strings.ContainsAny(text, "@<>|\n\r") || strings.ContainsAny(bare, "[]") {
			t.Fatalf("mdText(%q) = %q", s, text)
		}
		code := mdCode(s)
		if strings.ContainsAny(code, "|\n\r") {
			t.Fatalf("mdCode(%q) = %q", s, code)
		}
	})
}

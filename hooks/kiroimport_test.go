package hooks

import (
	"os"
	"path/filepath"
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

// KiroTOML writes each hook as a [[hook]] block that names its file, and
// a hook it cannot import as a comment saying why.
func TestKiroTOML(t *testing.T) {
	hs := []*Hook{
		{Name: "lint", Title: "Lint", On: []string{"file.saved"}, Paths: []string{"**/*.go"}, Enabled: true, Run: Command{Shell: "go vet ./..."}, Pos: Pos{File: "/r/.kiro/hooks/lint.kiro.hook"}},
		{Name: "chat", Title: "Chat", Disabled: "it only runs inside a Kiro session", Pos: Pos{File: "/r/.kiro/hooks/chat.kiro.hook"}},
	}
	text, n, err := KiroTOML(hs, "/r")
	if err != nil || n != 1 {
		t.Fatalf("%d hooks, %v", n, err)
	}
	for _, want := range []string{
		"# Imported from .kiro/hooks by `hookd kiro import`.\n",
		"# .kiro/hooks/chat.kiro.hook (Chat) is not imported: it only runs inside a Kiro session.\n",
		"\n# from .kiro/hooks/lint.kiro.hook\n[[hook]]\n",
		`  name = "lint"`,
		`  paths = ["**/*.go"]`,
		"  run = \"go vet ./...\"\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	var got struct{ Hook []map[string]any }
	if _, err := toml.Decode(text, &got); err != nil || len(got.Hook) != 1 {
		t.Errorf("does not read back: %v\n%s", err, text)
	}
}

// AppendToRepoFile keeps what hookd.toml holds and adds after it; it makes
// the file when there is none, and never writes through a symlink.
func TestAppendToRepoFile(t *testing.T) {
	root := t.TempDir()
	if err := AppendToRepoFile(root, "b = 2\n"); err != nil {
		t.Fatal(err)
	}
	if err := AppendToRepoFile(root, "c = 3\n"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(root, RepoFile)); string(data) != "\nb = 2\n\nc = 3\n" {
		t.Errorf("%q", data)
	}
	other := t.TempDir()
	os.Symlink(filepath.Join(root, RepoFile), filepath.Join(other, RepoFile))
	if err := AppendToRepoFile(other, "d = 4\n"); err == nil {
		t.Error("written through a symlink")
	}
	cfg := &Config{Hooks: []*Hook{{Name: "a", Origin: OriginKiro}, {Name: "b"}}}
	if hs := KiroHooks(cfg); len(hs) != 1 || hs[0].Name != "a" {
		t.Errorf("KiroHooks: %v", hs)
	}
}

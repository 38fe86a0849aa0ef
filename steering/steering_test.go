package steering

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/rules"
)

const corpusDir = "../../shared/corpus/kiro/steering"

// TestCorpusSteeringLoads reads every real steering file: each loads, and
// the inclusions and warnings are counted so that a regression shows.
func TestCorpusSteeringLoads(t *testing.T) {
	ents, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("steering corpus not found at %s (%v): skipping", corpusDir, err)
	}
	count := map[Inclusion]int{}
	warned := 0
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		d, warns := Parse(e.Name(), data)
		count[d.Inclusion]++
		if len(warns) > 0 {
			warned++
			t.Logf("%s", warns[0])
		}
		if d.Inclusion == FileMatch && len(d.Patterns) == 0 {
			t.Errorf("%s: fileMatch without patterns", e.Name())
		}
		if strings.HasPrefix(d.Body, "---\n") {
			t.Errorf("%s: front matter left in the body", e.Name())
		}
	}
	t.Logf("%d files: %v, %d with warnings", len(ents), count, warned)
	if total := count[Always] + count[FileMatch] + count[Manual] + count[Auto]; total != len(ents) {
		t.Errorf("%d of %d files loaded", total, len(ents))
	}
	if count[FileMatch] == 0 || count[Manual] == 0 || count[Always] == 0 {
		t.Errorf("the corpus has every inclusion; got %v", count)
	}
	if warned > 2 {
		t.Errorf("%d files warned about; the corpus has 2 unknown inclusions", warned)
	}
}

func TestFileMatchPatternForms(t *testing.T) {
	cases := []struct {
		front string
		match []string
		miss  []string
	}{
		{`fileMatchPattern: "*.ts,*.tsx"`, []string{"src/a/b.ts", "c.tsx"}, []string{"a.js"}},
		{`fileMatchPattern: ['**/jira*.py', 'config/*jira*.yaml']`, []string{"x/jira_sync.py", "config/my-jira.yaml"}, []string{"config/x/jira.yaml"}},
		{"fileMatchPattern:\n  - \"docs/**\"\n  - \"*.md\"", []string{"docs/a/b.txt", "deep/x.md"}, []string{"src/a.go"}},
		{`fileMatchPattern: "**/*.{html,js}"`, []string{"a/b.html", "c.js"}, []string{"c.ts"}},
		{`fileMatchPattern: '{backend/src/auth/**,frontend/login.tsx}'`, []string{"backend/src/auth/x.go", "frontend/login.tsx"}, []string{"backend/src/other.go"}},
		{`fileMatchPattern: "*.py"`, []string{"deeply/nested/x.py"}, nil}, // Kiro misses nested files here
	}
	for _, c := range cases {
		d, warns := Parse("x.md", []byte("---\ninclusion: fileMatch\n"+c.front+"\n---\nbody\n"))
		if len(warns) > 0 || d.Inclusion != FileMatch {
			t.Errorf("%s: %v %v", c.front, d.Inclusion, warns)
			continue
		}
		s := &Set{Docs: []Doc{d}}
		for _, f := range c.match {
			if docs, _ := s.Select([]string{f}, nil); len(docs) != 1 {
				t.Errorf("%s: %s should match", c.front, f)
			}
		}
		for _, f := range c.miss {
			if docs, _ := s.Select([]string{f}, nil); len(docs) != 0 {
				t.Errorf("%s: %s should not match", c.front, f)
			}
		}
	}
}

func TestMalformedFrontMatterWarnsAndIsAlways(t *testing.T) {
	for _, text := range []string{
		"---\ninclusion: [always\n---\nbody\n",
		"---\ninclusion: fileMatch\nbody without an end\n",
		"---\ninclusion: fileMatch\n---\nno pattern\n",
		"---\ninclusion: sometimes\n---\nbody\n",
	} {
		d, warns := Parse(".kiro/steering/odd.md", []byte(text))
		if len(warns) != 1 || !strings.HasPrefix(warns[0].String(), ".kiro/steering/odd.md") || d.Inclusion != Always {
			t.Errorf("%q: inclusion %s, warnings %v", text, d.Inclusion, warns)
		}
	}
}

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, text := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSelectAndRender(t *testing.T) {
	root, home := t.TempDir(), t.TempDir()
	write(t, root, map[string]string{
		".kiro/steering/tech.md":   "Use Go 1.26.",
		".kiro/steering/ts.md":     "---\ninclusion: fileMatch\nfileMatchPattern: \"*.ts,*.tsx\"\n---\nPrefer type over interface.",
		".kiro/steering/py.md":     "---\ninclusion: fileMatch\nfileMatchPattern: '**/*.py'\n---\nPYTHON RULES",
		".kiro/steering/review.md": "---\ninclusion: manual\n---\nREVIEW CHECKLIST #[[file:docs/checklist.md]]",
		".kiro/steering/style.md":  "repository style wins",
		"AGENTS.md":                "Root agents guide.",
		"web/AGENTS.md":            "Web agents guide.",
		"api/AGENTS.md":            "API GUIDE",
		"docs/checklist.md":        "- tests pass",
	})
	write(t, home, map[string]string{
		".kiro/steering/style.md":  "global style loses",
		".kiro/steering/global.md": "Global always rule.",
	})
	os.WriteFile(filepath.Join(t.TempDir(), "secret"), []byte("SECRET"), 0o600)
	set, warns := Load(root, home)
	if len(warns) != 0 {
		t.Fatal(warns)
	}
	ev := event.Event{Kind: event.FileSaved, Files: []event.File{event.NewFile(root, "web/src/app.ts", event.Saved, 1)}}
	env := rules.NewEnv(root, ev, rules.HookInfo{Name: "tests-follow-code"})
	docs, _ := set.Select([]string{"web/src/app.ts"}, []string{"review"})
	var names []string
	for _, d := range docs {
		names = append(names, d.Path)
	}
	want := []string{"AGENTS.md", "web/AGENTS.md", ".kiro/steering/review.md", ".kiro/steering/style.md", ".kiro/steering/tech.md", ".kiro/steering/ts.md"}
	if !slices.Equal(names[:len(want)], want) || len(names) != len(want)+1 || !strings.HasSuffix(names[len(want)], "global.md") {
		t.Fatalf("selected %v", names)
	}
	r, err := Render(root, "Update the tests of {{range .files}}{{.path}}{{end}} ({{.hook.name}}).\nAlso #[[file:../secret]] and #[[file:/etc/passwd]].", Input{Env: env, Steering: docs})
	if err != nil {
		t.Fatal(err)
	}
	prompt := r.Text
	if len(r.Steering) != len(docs) {
		t.Errorf("rendered with %d steering documents, want all %d", len(r.Steering), len(docs))
	}
	for _, s := range []string{"Root agents guide.", "Web agents guide.", "Prefer type over interface.", "REVIEW CHECKLIST", "- tests pass", "repository style wins",
		"Global always rule.", "Update the tests of web/src/app.ts (tests-follow-code).", "[../secret: it leads outside", "[/etc/passwd: it leads outside"} {
		if !strings.Contains(prompt, s) {
			t.Errorf("prompt lacks %q:\n%s", s, prompt)
		}
	}
	for _, s := range []string{"PYTHON RULES", "API GUIDE", "global style loses", "SECRET", "root:"} {
		if strings.Contains(prompt, s) {
			t.Errorf("prompt has %q:\n%s", s, prompt)
		}
	}
	if strings.Index(prompt, "Root agents guide.") > strings.Index(prompt, "Update the tests") {
		t.Error("steering comes before the request")
	}
}

func TestSymlinkOutOfTheRepositoryIsRefused(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(outside, "key"), []byte("PRIVATE"), 0o600)
	if err := os.Symlink(filepath.Join(outside, "key"), filepath.Join(root, "link")); err != nil {
		t.Skip(err)
	}
	if got, warns := ExpandFileRefs(root, "#[[file:link]]"); strings.Contains(got, "PRIVATE") || !strings.Contains(got, "outside the repository") || len(warns) != 1 {
		t.Errorf("got %q", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("---\ninclusion: fileMatch\nfileMatchPattern: \"*.ts,{a,b}/**\"\n---\nbody"))
	f.Add([]byte("---\ninclusion: manual\n---\n"))
	f.Add([]byte("---\n: : :\n---"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, _ := Parse("x.md", data)
		if d.Inclusion == FileMatch && len(d.Patterns) == 0 {
			t.Fatal("fileMatch without patterns")
		}
		(&Set{Docs: []Doc{d}}).Select([]string{"a/b.ts"}, []string{"x"})
	})
}

// Steering reads only the repository's own regular files: a document that
// is a symlink out of the repository, to a device or to a FIFO is refused
// with a warning naming it (and nothing hangs), and so is an AGENTS.md
// that leads out, or a #[[file:]] into .git.
func TestSteeringReadsOnlyTheRepositorysOwnFiles(t *testing.T) {
	root := t.TempDir()
	secret := filepath.Join(t.TempDir(), "id_rsa")
	os.WriteFile(secret, []byte("PRIVATE KEY"), 0o600)
	dir := filepath.Join(root, ".kiro", "steering")
	os.MkdirAll(dir, 0o755)
	os.MkdirAll(filepath.Join(root, ".git"), 0o755)
	os.WriteFile(filepath.Join(root, ".git", "config"), []byte("[remote] url = token@host"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok.md"), []byte("Fine. #[[file:.git/config]]"), 0o644)
	os.Symlink(secret, filepath.Join(dir, "leak.md"))
	os.Symlink("/dev/zero", filepath.Join(dir, "zero.md"))
	os.Symlink("/proc/self/environ", filepath.Join(dir, "environ.md"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.md"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Symlink(secret, filepath.Join(root, "AGENTS.md"))

	done := make(chan struct{})
	var set *Set
	var warns []Warning
	go func() { set, warns = Load(root, ""); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Load hangs on a FIFO or a device")
	}
	var names []string
	for _, d := range set.Docs {
		names = append(names, d.Name)
	}
	if !slices.Equal(names, []string{"ok"}) {
		t.Errorf("docs = %v, want only ok", names)
	}
	refused := map[string]bool{}
	for _, w := range warns {
		refused[filepath.Base(w.File)] = strings.Contains(w.Message, "not read")
	}
	for _, name := range []string{"leak.md", "zero.md", "environ.md", "fifo.md"} {
		if !refused[name] {
			t.Errorf("no warning names %s: %v", name, warns)
		}
	}
	docs, agentWarns := set.Select([]string{"a.go"}, nil)
	if len(agentWarns) != 1 || agentWarns[0].File != "AGENTS.md" {
		t.Errorf("AGENTS.md warnings: %v", agentWarns)
	}
	r, err := Render(root, "go", Input{Steering: docs})
	prompt, renderWarns := r.Text, r.Warnings
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(prompt, "PRIVATE") || strings.Contains(prompt, "token@host") || len(renderWarns) != 1 {
		t.Errorf("prompt %q, warnings %v", prompt, renderWarns)
	}
}

// One prompt has a total cap: steering that does not fit is left out from
// the last one back, and a text that alone is over the cap is cut; the
// prompt says what was cut, and so does a warning.
func TestPromptHasATotalCap(t *testing.T) {
	root := t.TempDir()
	big := strings.Repeat("x", 150<<10)
	docs := []Doc{{Name: "a", Path: "a.md", Body: "first " + big}, {Name: "b", Path: "b.md", Body: "second " + big}}
	r, err := Render(root, "the task", Input{Steering: docs})
	if err != nil {
		t.Fatal(err)
	}
	prompt, warns := r.Text, r.Warnings
	if len(r.Steering) != 1 || r.Steering[0].Path != "a.md" {
		t.Errorf("rendered with %v, want a.md alone", r.Steering)
	}
	if len(prompt) > MaxPrompt || !strings.Contains(prompt, "first") || strings.Contains(prompt, "second") ||
		!strings.Contains(prompt, "steering left out to keep the prompt within 200 KB: b.md") || len(warns) != 1 || warns[0].File != "b.md" {
		t.Fatalf("%d bytes, warnings %v, ends %q", len(prompt), warns, prompt[len(prompt)-120:])
	}
	r, _ = Render(root, strings.Repeat("é", MaxPrompt), Input{})
	prompt, warns = r.Text, r.Warnings
	if len(prompt) > MaxPrompt || !utf8.ValidString(prompt) || !strings.Contains(prompt, "it is cut to 200 KB") || len(warns) != 1 {
		t.Fatalf("%d bytes, warnings %v", len(prompt), warns)
	}
}

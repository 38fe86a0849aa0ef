package ignore_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookd-dev/hookd/daemon/ignore"
)

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed: the oracle for ignore rules is git itself")
	}
}

func run(t *testing.T, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "XDG_CONFIG_HOME="+dir+"/.xdg")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return out // check-ignore: nothing ignored
		}
		t.Fatalf("git %v: %v", args, err)
	}
	return out
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// compare checks every path under root against git check-ignore.
func compare(t *testing.T, root string, extraGit ...string) {
	t.Helper()
	var paths []string
	isDir := map[string]bool{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel == ".git" || rel == ".xdg" {
			return filepath.SkipDir
		}
		paths = append(paths, rel)
		isDir[rel] = d.IsDir()
		return nil
	})
	args := append(extraGit, "check-ignore", "--no-index", "--stdin")
	out := run(t, root, []byte(strings.Join(paths, "\n")+"\n"), args...)
	want := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			want[l] = true
		}
	}
	m := ignore.New(root, filepath.Join(root, ".git"), nil)
	bad := 0
	for _, p := range paths {
		if got := m.Ignored(p, isDir[p]); got != want[p] {
			bad++
			if bad <= 20 {
				t.Errorf("%s (dir=%v): hookd ignored=%v, git ignored=%v", p, isDir[p], got, want[p])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d paths disagree with git", bad, len(paths))
	}
	t.Logf("%d paths compared, %d ignored", len(paths), len(want))
}

func TestMatchesGitCheckIgnore(t *testing.T) {
	needGit(t)
	root := t.TempDir()
	run(t, root, nil, "init", "-q")
	writeFile(t, filepath.Join(root, ".gitignore"), strings.Join([]string{
		"# comment", "", "*.log", "!keep.log", "build/", "/top-only.txt", "docs/**/*.tmp",
		"**/cache", "a/**/z", "*.[oa]", "![!x]*.a", "tmp?", "\\#hash", "trail\\ ", "spaced   ",
		"node_modules", "*.min.*", "out/*", "!out/keep/", "[[:digit:]]*.gen", "dironly/",
		"/anch/deep/", "mid/*/leaf",
	}, "\n")+"\n")
	writeFile(t, filepath.Join(root, "sub/.gitignore"), "!*.log\nlocal.txt\n/anchored.txt\n*.swp\n!important.swp\n")
	writeFile(t, filepath.Join(root, "sub/deeper/.gitignore"), "*.txt\n!keep.txt\nbuild\n")
	writeFile(t, filepath.Join(root, ".git/info/exclude"), "excluded-by-info\n*.bak\n")
	writeFile(t, filepath.Join(root, "global-ignore"), "global-*\n!global-keep\n")

	files := []string{
		"a.log", "keep.log", "x/keep.log", "x/y.log", "build/out.js", "src/build/x.go", "build.txt",
		"top-only.txt", "src/top-only.txt", "docs/a/b/c.tmp", "docs/c.tmp", "docs/a.txt", "x/cache/f", "cache/g",
		"a/z", "a/b/z", "a/b/c/z", "b/a/z", "x.o", "x.a", "y.a", "tmp1", "tmp12", "tmp/x", "#hash", "trail ",
		"spaced", "node_modules/p/index.js", "web/node_modules/q.js", "app.min.js", "out/a.txt", "out/keep/k.txt",
		"out/sub/s.txt", "1file.gen", "afile.gen", "dironly/f", "x/dironly/f", "dironly2", "anch/deep/f",
		"anch/other/f", "x/anch/deep/f", "mid/one/leaf", "mid/one/two/leaf", "sub/a.log", "sub/local.txt",
		"sub/x/local.txt", "sub/anchored.txt", "sub/x/anchored.txt", "sub/f.swp", "sub/important.swp",
		"sub/deeper/a.txt", "sub/deeper/keep.txt", "sub/deeper/build/x", "sub/deeper/n/a.txt",
		"excluded-by-info", "z/excluded-by-info", "f.bak", "global-x", "global-keep", "plain.go",
	}
	for _, f := range files {
		writeFile(t, filepath.Join(root, f), "x")
	}
	if err := os.Mkdir(filepath.Join(root, "empty-build-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	// core.excludesFile is honoured.
	run(t, root, nil, "config", "core.excludesFile", filepath.Join(root, "global-ignore"))
	compare(t, root)
}

// Random patterns over a random tree, seeded so a failure reproduces.
func TestMatchesGitCheckIgnoreRandom(t *testing.T) {
	needGit(t)
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			root := t.TempDir()
			run(t, root, nil, "init", "-q")
			dirNames := []string{"a", "b", "ab", "build", "lib", "c1", "d_2", "x.d"}
			fileNames := []string{"x.go", "y.txt", "z.log", "a1", "b.txt", "build.log", "_x"}
			pickDir := func() string { return dirNames[rng.IntN(len(dirNames))] }
			pick := func() string { return fileNames[rng.IntN(len(fileNames))] }
			var dirs = []string{""}
			for range 40 {
				parent := dirs[rng.IntN(len(dirs))]
				d := strings.TrimPrefix(parent+"/"+pickDir(), "/")
				dirs = append(dirs, d)
				writeFile(t, filepath.Join(root, d, pick()), "x")
			}
			atoms := []string{"*", "**", "?", "a", "b", "x", ".go", ".txt", "[ab]", "[!a]", "[a-c]", "build", "lib", "1", "_"}
			genPattern := func() string {
				var b strings.Builder
				if rng.IntN(4) == 0 {
					b.WriteString("!")
				}
				if rng.IntN(4) == 0 {
					b.WriteString("/")
				}
				segs := 1 + rng.IntN(3)
				for i := range segs {
					if i > 0 {
						b.WriteString("/")
					}
					for range 1 + rng.IntN(3) {
						b.WriteString(atoms[rng.IntN(len(atoms))])
					}
				}
				if rng.IntN(4) == 0 {
					b.WriteString("/")
				}
				return b.String()
			}
			for _, d := range dirs[:1+rng.IntN(len(dirs))] {
				var lines []string
				for range 1 + rng.IntN(5) {
					lines = append(lines, genPattern())
				}
				writeFile(t, filepath.Join(root, d, ".gitignore"), strings.Join(lines, "\n")+"\n")
			}
			compare(t, root)
		})
	}
}

func TestExtraPatternsComeFirst(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, ".gitignore"), "dist/\n")
	m := ignore.New(root, "", []string{"*.gen.go", "!dist/"})
	if !m.Ignored("pkg/a.gen.go", false) {
		t.Error("extra pattern not applied")
	}
	if m.Ignored("dist/app.js", false) {
		t.Error("extra negation must re-include what git ignores")
	}
	if !m.Ignored(".git", true) || !m.Ignored("sub/.git", true) {
		t.Error(".git must always be ignored")
	}
}

// Walk lists the tree as the watcher sees it: ignored directories are not
// entered, ignored files are not listed, .git never is.
func TestWalkAppliesTheRules(t *testing.T) {
	root := t.TempDir()
	for rel, body := range map[string]string{
		".gitignore": "build/\n*.log\n", "a.go": "", "x.log": "", "build/out": "", "src/.gitignore": "!keep.log\n",
		"src/keep.log": "", "src/b.go": "", ".git/config": "", "node_modules/m/i.js": "",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	tree := ignore.Walk(root, "", []string{"node_modules/"})
	slices.Sort(tree.Files)
	if want := []string{".gitignore", "a.go", "src/.gitignore", "src/b.go", "src/keep.log"}; !slices.Equal(tree.Files, want) || tree.Dirs != 2 {
		t.Fatalf("files %v, %d dirs; want %v and 2 (the root and src)", tree.Files, tree.Dirs, want)
	}
}

// Git's rules do not apply to a file git tracks (`git add -f`, or one
// ignored after it was added): it is watched, its directory is walked
// into, and only the tracked files of an ignored directory count. hookd's
// own ignore setting holds for tracked files too.
func TestTrackedFilesAreNotIgnored(t *testing.T) {
	needGit(t)
	root := t.TempDir()
	for rel, body := range map[string]string{
		".gitignore": ".kiro/\n*.log\n", ".kiro/specs/login/requirements.md": "# R", ".kiro/specs/login/notes.md": "",
		"keep.log": "", "other.log": "", "vendor/v.go": "",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	run(t, root, nil, "init", "-q")
	run(t, root, nil, "add", "-f", ".kiro/specs/login/requirements.md", "keep.log", "vendor/v.go")
	tree := ignore.Walk(root, filepath.Join(root, ".git"), []string{"vendor/"})
	slices.Sort(tree.Files)
	if want := []string{".gitignore", ".kiro/specs/login/requirements.md", "keep.log"}; !slices.Equal(tree.Files, want) {
		t.Fatalf("files %v, want %v", tree.Files, want)
	}
}

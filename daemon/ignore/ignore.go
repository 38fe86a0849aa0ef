// Package ignore decides which paths hookd never watches, with exactly
// git's rules: nested .gitignore files, .git/info/exclude and
// core.excludesFile, with negation, directory-only, anchored and `**`
// patterns, and git's precedence (the deepest .gitignore first, the last
// matching line in a file wins, and nothing inside an ignored directory can
// be re-included). Patterns from hookd's own `ignore` setting are consulted
// before git's, so they can also re-include with `!`.
//
// The watcher asks before it adds a watch, so an ignored tree such as
// node_modules costs nothing. .git itself is always ignored.
//
// A Matcher is not safe for concurrent use; the watcher owns it.
package ignore

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/safefile"
)

type pattern struct {
	glob     string // without the leading "!", trailing "/" and leading "/"
	base     string // directory of the file that holds it, "" at the root
	negate   bool
	dirOnly  bool
	basename bool // no slash: matches the base name at any depth below base
}

// Matcher holds the ignore rules of one work tree.
type Matcher struct {
	root string
	// lists in precedence order after the per-directory ones.
	extra  []pattern // hookd's ignore setting
	info   []pattern // .git/info/exclude
	global []pattern // core.excludesFile
	dirs   map[string][]pattern
	// tracked holds the files git tracks though its rules ignore them
	// (`git add -f`, or ignored after they were added): git's rules do not
	// apply to a tracked file, so neither do hookd's. trackedDirs holds
	// their directories; entered records the ignored directories walked
	// into for them, inside which only tracked files count.
	tracked, trackedDirs, entered map[string]bool
}

// New returns a matcher for the work tree at root, with extra patterns in
// .gitignore syntax rooted there. gitDir is the repository's git dir ("" when
// root is not in a git repository); info/exclude and core.excludesFile are
// read only then.
func New(root, gitDir string, extra []string) *Matcher {
	m := &Matcher{root: root, dirs: map[string][]pattern{}}
	m.extra = parse([]byte(strings.Join(extra, "\n")), "")
	if gitDir != "" {
		if data, err := readIgnoreFile(filepath.Join(gitDir, "info", "exclude")); err == nil {
			m.info = parse(data, "")
		}
		if f := excludesFile(root); f != "" {
			if data, err := safefile.Read(f, maxIgnoreFile); err == nil {
				m.global = parse(data, "")
			}
		}
		m.readTracked()
	}
	return m
}

// readTracked asks git which tracked files its ignore rules match.
func (m *Matcher) readTracked() {
	out, err := gitcmd.Output(context.Background(), m.root, "ls-files", "-z", "--cached", "--ignored", "--exclude-standard")
	if err != nil || len(out) == 0 {
		return
	}
	m.tracked, m.trackedDirs, m.entered = map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		m.tracked[f] = true
		for d := path.Dir(f); d != "." && !m.trackedDirs[d]; d = path.Dir(d) {
			m.trackedDirs[d] = true
		}
	}
}

// excludesFile finds core.excludesFile the way git does, falling back to
// $XDG_CONFIG_HOME/git/ignore.
func excludesFile(root string) string {
	if out, err := gitcmd.Output(context.Background(), root, "config", "--path", "--get", "core.excludesFile"); err == nil {
		if f := strings.TrimSpace(string(out)); f != "" {
			return f
		}
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "git", "ignore")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config", "git", "ignore")
	}
	return ""
}

// maxIgnoreFile bounds an ignore file; a larger one is not read.
const maxIgnoreFile = 4 << 20

// readIgnoreFile reads a .gitignore or info/exclude as git does: never
// through a symlink (git has refused to since 2.32), and only a regular
// file, within a size cap.
func readIgnoreFile(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return nil, safefile.ErrSymlink
	}
	return safefile.Read(path, maxIgnoreFile)
}

// LoadDir reads the .gitignore of the directory rel ("" for the root),
// replacing what was known of it. A missing file clears the directory's
// rules.
func (m *Matcher) LoadDir(rel string) {
	data, err := readIgnoreFile(filepath.Join(m.root, filepath.FromSlash(rel), ".gitignore"))
	if err != nil {
		delete(m.dirs, rel)
		return
	}
	m.dirs[rel] = parse(data, rel)
}

// ForgetDir drops the rules of rel and every directory below it.
func (m *Matcher) ForgetDir(rel string) {
	for d := range m.dirs {
		if d == rel || (rel == "" || strings.HasPrefix(d, rel+"/")) {
			delete(m.dirs, d)
		}
	}
}

// Match reports whether rel itself is ignored, assuming its parent
// directories are not. The watcher walks top-down and never enters an
// ignored directory, so this is the check it needs.
func (m *Matcher) Match(rel string, isDir bool) bool {
	if rel == ".git" || strings.HasSuffix(rel, "/.git") {
		return true
	}
	if ignored, ok := lastMatch(m.extra, rel, isDir); ok {
		return ignored // hookd's own setting holds for tracked files too
	}
	ignored := m.gitMatch(rel, isDir) || m.inEntered(rel)
	if !ignored || m.tracked == nil {
		return ignored
	}
	if isDir && m.trackedDirs[rel] {
		m.entered[rel] = true
		return false
	}
	return !m.tracked[rel]
}

// inEntered says whether rel is inside an ignored directory walked into
// for its tracked files.
func (m *Matcher) inEntered(rel string) bool {
	if len(m.entered) == 0 {
		return false
	}
	for d := path.Dir(rel); d != "." && d != ""; d = path.Dir(d) {
		if m.entered[d] {
			return true
		}
	}
	return false
}

// gitMatch is Match by git's own rules: the per-directory files,
// info/exclude, core.excludesFile.
func (m *Matcher) gitMatch(rel string, isDir bool) bool {
	// Per-directory files, deepest first.
	dir := path.Dir(rel)
	for {
		if dir == "." {
			dir = ""
		}
		if ignored, ok := lastMatch(m.dirs[dir], rel, isDir); ok {
			return ignored
		}
		parent := path.Dir(dir)
		if dir == "" || parent == dir {
			break
		}
		dir = parent
	}
	if ignored, ok := lastMatch(m.info, rel, isDir); ok {
		return ignored
	}
	ignored, _ := lastMatch(m.global, rel, isDir)
	return ignored
}

// Ignored reports whether rel is ignored, itself or through a parent
// directory. It loads the .gitignore files it needs.
func (m *Matcher) Ignored(rel string, isDir bool) bool {
	parts := strings.Split(rel, "/")
	prefix := ""
	if _, ok := m.dirs[""]; !ok {
		m.LoadDir("")
	}
	for i, p := range parts {
		cur := p
		if prefix != "" {
			cur = prefix + "/" + p
		}
		last := i == len(parts)-1
		if m.Match(cur, isDir || !last) {
			return true
		}
		if !last {
			if _, ok := m.dirs[cur]; !ok {
				m.LoadDir(cur)
			}
		}
		prefix = cur
	}
	return false
}

// lastMatch finds the last pattern in list that matches, as git does.
func lastMatch(list []pattern, rel string, isDir bool) (ignored, matched bool) {
	for i := len(list) - 1; i >= 0; i-- {
		p := &list[i]
		if p.dirOnly && !isDir {
			continue
		}
		if p.matches(rel) {
			return !p.negate, true
		}
	}
	return false, false
}

func (p *pattern) matches(rel string) bool {
	name := rel
	if p.base != "" {
		if !strings.HasPrefix(rel, p.base+"/") {
			return false
		}
		name = rel[len(p.base)+1:]
	}
	if p.basename {
		return wildmatch(p.glob, path.Base(name), false)
	}
	// git's match_pathname compares the literal prefix on its own and
	// wildmatches only the rest. That is not just speed: in "x**/**" the
	// "**" then counts as leading, so it matches "x.d". Do the same.
	prefix := simpleLength(p.glob)
	if prefix > len(name) || name[:prefix] != p.glob[:prefix] {
		return false
	}
	return wildmatch(p.glob[prefix:], name[prefix:], true)
}

// simpleLength is the length of the pattern's prefix without glob
// characters.
func simpleLength(glob string) int {
	for i := 0; i < len(glob); i++ {
		if isGlobSpecial(glob[i]) {
			return i
		}
	}
	return len(glob)
}

// parse reads .gitignore lines as git's add_patterns_from_buffer does.
func parse(data []byte, base string) []pattern {
	var out []pattern
	for _, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSuffix(string(line), "\r")
		if s == "" || s[0] == '#' {
			continue
		}
		s = trimTrailingSpaces(s)
		var p pattern
		p.base = base
		if strings.HasPrefix(s, "!") {
			p.negate = true
			s = s[1:]
		}
		if strings.HasSuffix(s, "/") {
			p.dirOnly = true
			s = s[:len(s)-1]
		}
		if s == "" {
			continue
		}
		p.basename = !strings.Contains(s, "/")
		s = strings.TrimPrefix(s, "/")
		p.glob = s
		out = append(out, p)
	}
	return out
}

// trimTrailingSpaces drops unescaped trailing spaces.
func trimTrailingSpaces(s string) string {
	end := len(s)
	for end > 0 && s[end-1] == ' ' {
		// Count the backslashes before this space.
		bs := 0
		for i := end - 2; i >= 0 && s[i] == '\\'; i-- {
			bs++
		}
		if bs%2 == 1 {
			break
		}
		end--
	}
	return s[:end]
}

// Tree lists what the watcher would watch in the work tree at root: its
// directories and files, git's ignore rules (and extra) applied, .git
// never entered. gitDir is "" outside git.
type Tree struct {
	Dirs  int
	Files []string // repository-relative, forward slashes
}

// Walk lists the work tree at root as the watcher sees it.
func Walk(root, gitDir string, extra []string) Tree {
	m := New(root, gitDir, extra)
	var t Tree
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (d.Name() == ".git" || m.Ignored(rel, true)) {
				return filepath.SkipDir
			}
			t.Dirs++
			return nil
		}
		if d.Type().IsRegular() && !m.Ignored(rel, false) {
			t.Files = append(t.Files, rel)
		}
		return nil
	})
	return t
}

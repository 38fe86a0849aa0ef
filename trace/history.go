package trace

import (
	"bufio"
	"bytes"
	"context"
	"github.com/hookd-dev/hookd/safefile"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hookd-dev/hookd/gitcmd"
)

// Commit is the commit that last changed a line, as git blame says.
type Commit struct {
	Hash string `json:"hash"`
	// Time is the committer time, seconds since the epoch.
	Time int64 `json:"time"`
}

// Uncommitted is true for a line changed in the work tree and not
// committed yet: newer than any commit.
func (c Commit) Uncommitted() bool { return c.Hash == "" || strings.Trim(c.Hash, "0") == "" }

// History answers when lines of files last changed, from git blame: one
// blame per file, kept until the file or HEAD changes, so a daemon
// answers a second trace from memory. Safe for concurrent use.
type History struct {
	root string

	mu     sync.Mutex
	blames map[string]*blame
	// order caches which of two commits with the same time is the newer.
	order map[[2]string]bool
	head  string
	stamp string
	// stats are the files' stamps, read once per report.
	stats map[string]string
	// gitDir and commonDir locate HEAD and the refs, read without a git
	// process.
	gitDir, commonDir string
	locate            sync.Once
	// dirty are the files the work tree changed from HEAD (untracked
	// ones included), as of head and stamp; since, per commit, the files
	// it and the commits after it changed.
	dirty map[string]bool
	since map[string]map[string]bool
	// hunks are, per commit and file, the line ranges of the work tree's
	// file that differ from the commit's parent: what was touched in the
	// commit or after it. A file absent from its map did not differ.
	hunks map[string]map[string][][2]int
	// diffed are, per commit, the files whose hunks are known.
	diffed map[string]map[string]bool
	// blamesRun counts the git blame passes, for tests and benchmarks.
	blamesRun int
}

// blame is one file's blame: for each line (1-based), its commit.
type blame struct {
	key   string
	lines []Commit
	err   error
	done  chan struct{}
}

// NewHistory reads the history of the repository at root.
func NewHistory(root string) *History {
	return &History{root: root, blames: map[string]*blame{}, order: map[[2]string]bool{}}
}

// Blames is how many git blame passes have run.
func (h *History) Blames() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.blamesRun
}

// Last is the newest commit among lines first..last of file (the work
// tree's content, uncommitted lines included). ok is false when git
// cannot tell (not a repository, the file unreadable).
func (h *History) Last(ctx context.Context, file string, first, last int) (Commit, bool) {
	b := h.blame(ctx, file)
	if b.err != nil || first < 1 {
		return Commit{}, false
	}
	var newest Commit
	found := false
	for n := first; n <= last && n <= len(b.lines); n++ {
		c := b.lines[n-1]
		if !found || h.Newer(ctx, c, newest) {
			newest, found = c, true
		}
	}
	return newest, found
}

// Newer reports whether a came after b: uncommitted after any commit, a
// later committer time after an earlier, and at the same second the
// descendant after its ancestor.
func (h *History) Newer(ctx context.Context, a, b Commit) bool {
	switch {
	case a.Hash == b.Hash:
		return false
	case a.Uncommitted() || b.Uncommitted():
		return a.Uncommitted() && !b.Uncommitted()
	case a.Time != b.Time:
		return a.Time > b.Time
	}
	key := [2]string{a.Hash, b.Hash}
	h.mu.Lock()
	v, ok := h.order[key]
	h.mu.Unlock()
	if !ok {
		// exit 0: b is an ancestor of a.
		_, err := gitcmd.Output(ctx, h.root, "merge-base", "--is-ancestor", b.Hash, a.Hash)
		v = err == nil
		h.mu.Lock()
		h.order[key] = v
		h.mu.Unlock()
	}
	return v
}

// blame returns file's blame, running git blame when the file or HEAD
// changed since the last one; concurrent callers of one file share a run.
func (h *History) blame(ctx context.Context, file string) *blame {
	key := h.key(file)
	h.mu.Lock()
	b := h.blames[file]
	if b != nil && b.key == key && key != "" {
		h.mu.Unlock()
		<-b.done
		return b
	}
	b = &blame{key: key, done: make(chan struct{})}
	h.blames[file] = b
	h.blamesRun++
	h.mu.Unlock()
	b.lines, b.err = runBlame(ctx, h.root, file)
	close(b.done)
	return b
}

// key is what a blame depends on: the file's size and time, and HEAD.
func (h *History) key(file string) string {
	h.mu.Lock()
	k, ok := h.stats[file]
	head := h.head
	h.mu.Unlock()
	if ok {
		return k
	}
	if fi, err := os.Stat(filepath.Join(h.root, filepath.FromSlash(file))); err == nil {
		k = strconv.FormatInt(fi.Size(), 10) + "/" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "/" + head
	}
	h.mu.Lock()
	if h.stats != nil {
		h.stats[file] = k
	}
	h.mu.Unlock()
	return k
}

// readHead is HEAD's commit, read from the git dir's files (a loose ref,
// else packed-refs), or by git when they do not say.
func (h *History) readHead(ctx context.Context) string {
	h.locate.Do(func() {
		if l, err := gitcmd.Lines(ctx, h.root, "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"); err == nil && len(l) == 2 {
			h.gitDir, h.commonDir = l[0], l[1]
		}
	})
	if h.gitDir != "" {
		if b, err := safefile.Read(filepath.Join(h.gitDir, "HEAD"), 4096); err == nil {
			head := strings.TrimSpace(string(b))
			ref, sym := strings.CutPrefix(head, "ref: ")
			if !sym && len(head) >= 40 && isHex(head) {
				return head
			}
			if sym && strings.HasPrefix(ref, "refs/") && !strings.Contains(ref, "..") {
				if b, err := safefile.Read(filepath.Join(h.commonDir, filepath.FromSlash(ref)), 4096); err == nil {
					if c := strings.TrimSpace(string(b)); len(c) >= 40 && isHex(c) {
						return c
					}
				}
				if b, err := safefile.Read(filepath.Join(h.commonDir, "packed-refs"), 64<<20); err == nil {
					for _, l := range strings.Split(string(b), "\n") {
						if c, r, ok := strings.Cut(l, " "); ok && r == ref && isHex(c) {
							return c
						}
					}
				}
			}
		}
	}
	out, _ := gitcmd.Output(ctx, h.root, "rev-parse", "-q", "--verify", "HEAD")
	return strings.TrimSpace(string(out))
}

// Refresh reads HEAD, which every kept blame depends on, and the work
// tree's changes: call it before each report. stamp says whether files may
// have changed since the last call: a daemon passes a counter of the
// changes it has seen, and the work tree is read again only when it
// moved; "" reads it every time.
func (h *History) Refresh(ctx context.Context, stamp string) {
	head := h.readHead(ctx)
	h.mu.Lock()
	h.stats = map[string]string{}
	same := head == h.head && stamp != "" && stamp == h.stamp && h.dirty != nil
	if head != h.head {
		h.since = map[string]map[string]bool{}
	}
	h.head, h.stamp = head, stamp
	h.mu.Unlock()
	if same {
		return
	}
	dirty := map[string]bool{}
	if out, err := gitcmd.Output(ctx, h.root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"); err == nil {
		for _, e := range strings.Split(string(out), "\x00") {
			if len(e) > 3 {
				dirty[e[3:]] = true
				if e[:2] == "??" {
					dirty[e[3:]+"\x00untracked"] = true
				}
			}
		}
	}
	h.mu.Lock()
	h.dirty = dirty
	h.hunks, h.diffed = map[string]map[string][][2]int{}, map[string]map[string]bool{}
	h.mu.Unlock()
}

// Diff learns which lines of files were touched in commit c or after it
// (uncommitted: in the work tree), from one git diff of the work tree
// against c's parent (HEAD for c uncommitted): a line that does not differ
// from before c is older than c. Files already known are not diffed again.
func (h *History) Diff(ctx context.Context, c Commit, files []string) {
	base := c.Hash + "^"
	if c.Uncommitted() {
		base = "HEAD"
	}
	h.mu.Lock()
	if h.diffed == nil {
		h.hunks, h.diffed = map[string]map[string][][2]int{}, map[string]map[string]bool{}
	}
	known := h.diffed[base]
	var todo []string
	for _, f := range files {
		// git quotes such names in a diff even with core.quotePath off:
		// they are blamed instead.
		if !known[f] && !strings.ContainsAny(f, "\"\\\t\n") {
			todo = append(todo, f)
		}
	}
	h.mu.Unlock()
	if len(todo) == 0 {
		return
	}
	// Paths as arguments, literally (git 2.39's diff reads no pathspec
	// file), a few hundred at a time.
	hunks := map[string][][2]int{}
	for chunk := range slices.Chunk(todo, 500) {
		args := append([]string{"--literal-pathspecs", "-c", "core.quotePath=false", "diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames", base, "--"}, chunk...)
		out, err := gitcmd.Output(ctx, h.root, args...)
		if err != nil {
			return // unknown: the files are blamed instead
		}
		maps.Copy(hunks, parseHunks(out))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.diffed[base] == nil {
		h.diffed[base], h.hunks[base] = map[string]bool{}, map[string][][2]int{}
	}
	for _, f := range todo {
		h.diffed[base][f] = true
		if r, ok := hunks[f]; ok {
			h.hunks[base][f] = r
		}
	}
}

// TouchedSince reports whether line of file was touched in c or after it,
// by what Diff learned; known is false when Diff did not learn it.
func (h *History) TouchedSince(file string, line int, c Commit) (touched, known bool) {
	base := c.Hash + "^"
	if c.Uncommitted() {
		base = "HEAD"
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.diffed[base][file] {
		return false, false
	}
	for _, r := range h.hunks[base][file] {
		if line >= r[0] && line <= r[1] {
			return true, true
		}
	}
	return false, true
}

// parseHunks reads git diff -U0: per file ("+++ b/PATH"), the new side's
// line ranges of each hunk ("@@ -a,b +c,d @@"; no d is one line, d = 0 a
// deletion, which touches no line that is there).
func parseHunks(out []byte) map[string][][2]int {
	hunks := map[string][][2]int{}
	file := ""
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "+++ "):
			file = strings.TrimPrefix(strings.TrimPrefix(l, "+++ "), "b/")
			if file == "/dev/null" {
				file = ""
			}
		case strings.HasPrefix(l, "@@ ") && file != "":
			f := strings.Fields(l)
			if len(f) < 3 || !strings.HasPrefix(f[2], "+") {
				continue
			}
			start, count, hasCount := strings.Cut(f[2][1:], ",")
			a, err := strconv.Atoi(start)
			if err != nil {
				continue
			}
			n := 1
			if hasCount {
				if n, err = strconv.Atoi(count); err != nil {
					continue
				}
			}
			if n > 0 {
				hunks[file] = append(hunks[file], [2]int{a, a + n - 1})
			}
		}
	}
	return hunks
}

// Since says how file's lines stand against commit c, without a blame
// when it can: all older (not touched in c or after it, nor in the work
// tree), all as new or newer (the file came to be in c or after, or is not
// committed at all), or mixed, which takes a blame to tell line by line.
func (h *History) Since(ctx context.Context, file string, c Commit) Age {
	h.mu.Lock()
	dirty := h.dirty
	set, ok := h.since[c.Hash]
	h.mu.Unlock()
	switch {
	case dirty == nil:
		return Mixed
	case dirty[file] && dirty[file+"\x00untracked"]:
		return Newer
	case dirty[file]:
		return Mixed
	case c.Uncommitted():
		return Older
	}
	if !ok {
		// c and what came after it: reachable from HEAD, not from c's
		// parents, newest first; what each first did to the file is the
		// last status seen.
		out, err := gitcmd.Output(ctx, h.root, "log", "--format=", "--name-status", "--no-renames", "HEAD", "--not", c.Hash+"^@")
		if err != nil {
			return Mixed
		}
		set = map[string]bool{}
		for _, l := range strings.Split(string(out), "\n") {
			if status, path, ok := strings.Cut(l, "\t"); ok {
				set[path] = status == "A"
			}
		}
		h.mu.Lock()
		if h.since == nil {
			h.since = map[string]map[string]bool{}
		}
		h.since[c.Hash] = set
		h.mu.Unlock()
	}
	added, touched := set[file]
	switch {
	case !touched:
		return Older
	case added:
		return Newer
	}
	return Mixed
}

// Age is how a file's lines stand against a commit.
type Age int

// Ages.
const (
	Mixed Age = iota // some may be older, some not: blame it
	Older            // every line is older
	Newer            // every line is as new or newer
)

// runBlame blames the work tree's file, whitespace changes ignored (a
// re-wrap is no change of what a requirement says). A file git does not
// has not committed is all uncommitted.
func runBlame(ctx context.Context, root, file string) ([]Commit, error) {
	out, err := gitcmd.Output(ctx, root, "blame", "--porcelain", "-w", "--", file)
	if err != nil {
		data, rerr := safefile.ReadInside(root, file, 64<<20)
		if rerr != nil {
			return nil, err
		}
		if _, herr := gitcmd.Output(ctx, root, "cat-file", "-e", "HEAD:./"+file); herr == nil {
			return nil, err // in HEAD, and blame failed all the same
		}
		return make([]Commit, bytes.Count(data, []byte("\n"))+1), nil
	}
	return parseBlame(out), nil
}

// parseBlame reads git blame --porcelain: a header "HASH ORIG FINAL [N]"
// per line, the commit's fields the first time it appears, then the line
// itself after a tab.
func parseBlame(out []byte) []Commit {
	times := map[string]int64{}
	var lines []Commit
	var cur string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "\t"):
			lines = append(lines, Commit{Hash: cur})
		case strings.HasPrefix(l, "committer-time "):
			t, _ := strconv.ParseInt(strings.TrimPrefix(l, "committer-time "), 10, 64)
			times[cur] = t
		default:
			if f := strings.Fields(l); len(f) >= 3 && len(f[0]) >= 40 && isHex(f[0]) {
				cur = f[0]
			}
		}
	}
	for i := range lines {
		lines[i].Time = times[lines[i].Hash]
	}
	return lines
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

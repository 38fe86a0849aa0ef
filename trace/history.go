package trace

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	fi, err := os.Stat(filepath.Join(h.root, filepath.FromSlash(file)))
	if err != nil {
		return ""
	}
	h.mu.Lock()
	head := h.head
	h.mu.Unlock()
	return strconv.FormatInt(fi.Size(), 10) + "/" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "/" + head
}

// Refresh reads HEAD, which every kept blame depends on: call it once
// before each report.
func (h *History) Refresh(ctx context.Context) {
	head, _ := gitcmd.Output(ctx, h.root, "rev-parse", "-q", "--verify", "HEAD")
	h.mu.Lock()
	h.head = strings.TrimSpace(string(head))
	h.mu.Unlock()
}

// runBlame blames the work tree's file, whitespace changes ignored (a
// re-wrap is no change of what a requirement says). A file git does not
// has not committed is all uncommitted.
func runBlame(ctx context.Context, root, file string) ([]Commit, error) {
	out, err := gitcmd.Output(ctx, root, "blame", "--porcelain", "-w", "--", file)
	if err != nil {
		data, rerr := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
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

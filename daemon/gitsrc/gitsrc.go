// Package gitsrc is hookd's git source: it turns what git records into
// typed events (git.commit, git.merge, git.rewrite, git.checkout) and
// answers the repository state every event carries (git.branch, head,
// dirty).
//
// # Seeing commits without hooks
//
// It reads HEAD's reflog (.git/logs/HEAD), which git appends to on every
// move of HEAD, whoever moved it: a commit from the CLI, a GUI client, one
// made with --no-verify or with core.hooksPath pointing elsewhere. New
// lines are read from where the last read stopped and classified by git's
// own reflog messages ("commit:", "commit (amend):", "checkout: moving
// from …", "rebase (finish): …").
//
// # Busy
//
// While git is in the middle of an operation (index.lock, a rebase, a
// merge or cherry-pick in progress) the file events it causes are not the
// user's edits. Busy and LastActivity let the daemon hold them and fold
// them into the git event that follows.
package gitsrc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/hookd-dev/hookd/safefile"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
)

// maxCommits bounds the commits one event lists (a huge pull).
const maxCommits = 1000

// Source watches one work tree's git dir.
type Source struct {
	root   string
	gitDir string
	repo   *git.Repository
	emit   func(Read)
	log    *slog.Logger

	readMu sync.Mutex // one reader of the reflog at a time: the watcher or Sync

	mu sync.Mutex
	// mu guards the fields that follow.
	offset       int64     // bytes of logs/HEAD already read
	catchUp      bool      // the first read replays what came while hookd was down
	lastActivity time.Time // last change seen in the git dir
	lastBusy     time.Time // last time a busy marker (index.lock, …) came or went
	rebase       rebasing  // a rebase under way, across reflog reads
	dirty        *bool     // cached; nil once something changed
}

// Read is what one read of the reflog found: the events of its entries,
// in order, and how far the reflog has been read once they are handled
// (what a checkpoint records, for the next Resume).
type Read struct {
	Changes []Change
	Offset  int64
}

// Change is a HEAD move's event. Worktree says whether the operation
// changed files in the work tree (a checkout, a merge, a rebase, a
// cherry-pick) or only the repository (a commit, an amend): only the first
// explain file events around them.
type Change struct {
	Event    event.Event
	Worktree bool
}

// Open prepares the git source of the work tree at root with git dir
// gitDir. Each read of the reflog that moved is handed to emit, from the
// goroutine that read it (Run's, or Sync's caller).
func Open(root, gitDir string, emit func(Read), log *slog.Logger) (*Source, error) {
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("gitsrc: open %s: %w", root, err)
	}
	s := &Source{root: root, gitDir: gitDir, repo: repo, emit: emit, log: log}
	// History before now is not news.
	if fi, err := os.Stat(s.reflog()); err == nil {
		s.offset = fi.Size()
	}
	return s, nil
}

func (s *Source) reflog() string { return filepath.Join(s.gitDir, "logs", "HEAD") }

// Resume continues from where a previous daemon stopped reading the
// reflog: on Run, what git appended since comes out as events marked
// CatchUp. Call it before Run.
func (s *Source) Resume(offset int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fi, err := os.Stat(s.reflog()); err == nil && offset <= fi.Size() && offset < s.offset {
		s.offset, s.catchUp = offset, true
	}
}

// Offset is how far the reflog has been read: where a daemon that handles
// nothing of it yet stands.
func (s *Source) Offset() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset
}

// Run watches the git dir until ctx is done.
func (s *Source) Run(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("gitsrc: %w", err)
	}
	defer w.Close()
	if err := w.Add(s.gitDir); err != nil {
		return fmt.Errorf("gitsrc: watch %s: %w", s.gitDir, err)
	}
	logsDir := filepath.Join(s.gitDir, "logs")
	_ = os.MkdirAll(logsDir, 0o755) // git creates it with the first commit; watch it from the start
	_ = w.Add(logsDir)
	s.readReflog() // whatever came while no one was watching
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			s.mu.Lock()
			s.lastActivity = time.Now()
			if busyMarker(filepath.Base(ev.Name)) {
				s.lastBusy = s.lastActivity
			}
			s.dirty = nil
			s.mu.Unlock()
			if filepath.Clean(ev.Name) == s.reflog() {
				s.readReflog()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.log.Warn("git dir watch", tint.Err(err))
		}
	}
}

var busyMarkers = [...]string{"index.lock", "rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD"}

func busyMarker(name string) bool {
	for _, m := range busyMarkers {
		if m == name {
			return true
		}
	}
	return false
}

// Busy reports whether git is in the middle of an operation, or was within
// the last window: a checkout's last files settle after its lock is gone.
func (s *Source) Busy(window time.Duration) bool {
	for _, name := range busyMarkers {
		if _, err := os.Lstat(filepath.Join(s.gitDir, name)); err == nil {
			return true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Since(s.lastBusy) < window
}

// LastActivity is when the git dir last changed.
func (s *Source) LastActivity() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastActivity
}

// Invalidate forgets cached state after the work tree changed.
func (s *Source) Invalidate() {
	s.mu.Lock()
	s.dirty = nil
	s.mu.Unlock()
}

// StateOf returns the state of the repository at root for rule
// environments, as State does, for a caller with no Source running
// (`hookd explain`, replay); nil when root is not in git.
func StateOf(root string) func(dirty bool) event.Git {
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil
	}
	s := &Source{root: root, repo: repo}
	return s.State
}

// State returns the repository state for the rule environment. dirty
// costs a git process, so it is only worked out when asked for.
func (s *Source) State(dirty bool) event.Git {
	var g event.Git
	if head, err := s.repo.Head(); err == nil {
		g.Head = head.Hash().String()
		if head.Name().IsBranch() {
			g.Branch = head.Name().Short()
		}
	} else if ref, err := s.repo.Reference(plumbing.HEAD, false); err == nil && ref.Target().IsBranch() {
		g.Branch = ref.Target().Short() // an unborn branch
	}
	if dirty {
		g.Dirty = s.isDirty()
	}
	return g
}

// isDirty asks git itself: go-git's Status walks ignored trees and is
// known to be slow on real repositories. The answer is cached until the
// next change.
func (s *Source) isDirty() bool {
	s.mu.Lock()
	if s.dirty != nil {
		d := *s.dirty
		s.mu.Unlock()
		return d
	}
	s.mu.Unlock()
	out, err := gitcmd.Output(context.Background(), s.root, "status", "--porcelain", "-uno")
	dirty := err == nil && len(strings.TrimSpace(string(out))) > 0
	s.mu.Lock()
	s.dirty = &dirty
	s.mu.Unlock()
	return dirty
}

// Sync reads whatever git has appended to the reflog by now and hands its
// events to emit before returning. git writes the reflog before its command
// returns, so after Sync every HEAD move made so far has its event.
func (s *Source) Sync() { s.readReflog() }

// readReflog reads the lines appended since the last read and emits their
// events.
func (s *Source) readReflog() {
	s.readMu.Lock()
	defer s.readMu.Unlock()
	f, err := safefile.Open(s.reflog())
	if err != nil {
		return
	}
	defer f.Close()
	s.mu.Lock()
	offset := s.offset
	s.mu.Unlock()
	if fi, err := f.Stat(); err == nil && fi.Size() < offset {
		offset = 0 // rewritten (reflog expire): read it afresh
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return
	}
	r := bufio.NewReader(f)
	var entries []reflogEntry
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break // a line without its newline is still being written
		}
		offset += int64(len(line))
		if e, ok := parseReflog(line); ok {
			entries = append(entries, e)
		}
	}
	s.mu.Lock()
	moved := s.offset != offset
	s.offset = offset
	catchUp := s.catchUp
	s.catchUp = false
	s.mu.Unlock()
	if !moved {
		return
	}
	read := Read{Offset: offset}
	for _, e := range entries {
		if ev, worktree, ok := s.eventFor(e); ok {
			ev.CatchUp = catchUp
			read.Changes = append(read.Changes, Change{ev, worktree})
		}
	}
	s.emit(read)
}

// eventFor turns a reflog entry into its event, if it is one.
func (s *Source) eventFor(e reflogEntry) (event.Event, bool, bool) {
	s.mu.Lock()
	next, m, ok := classify(s.rebase, e)
	s.rebase = next
	s.mu.Unlock()
	if !ok {
		return event.Event{}, false, false
	}
	ev := event.Event{Kind: m.kind, Time: time.Now()}
	st := s.State(true)
	st.From, st.To = m.from, m.to
	ev.Git = &st
	if m.kind == event.GitCheckout {
		ev.Files = s.filesBetween(m.from, m.to)
		return ev, m.worktree, true
	}
	commits := s.commitsBetween(m.from, m.to)
	if len(commits) == 0 {
		if c, ok := s.commit(m.to); ok {
			commits = []event.Commit{c}
		}
	}
	if len(commits) > 0 {
		last := commits[len(commits)-1]
		ev.Commit, ev.Commits = &last, commits
	}
	ev.Files = s.filesBetween(m.from, m.to)
	return ev, m.worktree, true
}

// commit describes one commit, with the files it changed against its first
// parent (renames detected).
func (s *Source) commit(hash string) (event.Commit, bool) {
	c, err := s.repo.CommitObject(plumbing.NewHash(hash))
	if err != nil {
		return event.Commit{}, false
	}
	out := event.Commit{
		Hash: c.Hash.String(), Short: c.Hash.String()[:7], Message: c.Message,
		Author: c.Author.Name, Email: c.Author.Email, Time: c.Author.When,
		Parents: []string{}, Files: []string{},
	}
	out.Subject, _, _ = strings.Cut(strings.TrimSpace(c.Message), "\n")
	for _, p := range c.ParentHashes {
		out.Parents = append(out.Parents, p.String())
	}
	parent := ""
	if len(c.ParentHashes) > 0 {
		parent = c.ParentHashes[0].String()
	}
	for _, f := range s.filesBetween(parent, hash) {
		out.Files = append(out.Files, f.Path)
	}
	return out, true
}

// commitsBetween lists the commits reachable from to but not from, oldest
// first, at most maxCommits.
func (s *Source) commitsBetween(from, to string) []event.Commit {
	if from == to || isZero(to) {
		return nil
	}
	iter, err := s.repo.Log(&git.LogOptions{From: plumbing.NewHash(to)})
	if err != nil {
		return nil
	}
	var hashes []string
	stop := errors.New("stop")
	_ = iter.ForEach(func(c *object.Commit) error {
		if c.Hash.String() == from || len(hashes) >= maxCommits {
			return stop
		}
		hashes = append(hashes, c.Hash.String())
		return nil
	})
	var out []event.Commit
	for i := len(hashes) - 1; i >= 0; i-- {
		if c, ok := s.commit(hashes[i]); ok {
			out = append(out, c)
		}
	}
	return out
}

// filesBetween diffs two commits' trees (either may be empty or zero).
func (s *Source) filesBetween(from, to string) []event.File {
	tree := func(h string) *object.Tree {
		if h == "" || isZero(h) {
			return &object.Tree{}
		}
		c, err := s.repo.CommitObject(plumbing.NewHash(h))
		if err != nil {
			return nil
		}
		t, err := c.Tree()
		if err != nil {
			return nil
		}
		return t
	}
	a, b := tree(from), tree(to)
	if a == nil || b == nil {
		return nil
	}
	changes, err := object.DiffTreeWithOptions(context.Background(), a, b, &object.DiffTreeOptions{DetectRenames: true})
	if err != nil {
		return nil
	}
	var out []event.File
	for _, ch := range changes {
		switch {
		case ch.From.Name == "":
			out = append(out, event.NewFile(s.root, ch.To.Name, event.Created, 0))
		case ch.To.Name == "":
			out = append(out, event.NewFile(s.root, ch.From.Name, event.Deleted, 0))
		default:
			f := event.NewFile(s.root, ch.To.Name, event.Saved, 0)
			if ch.From.Name != ch.To.Name {
				f.From = ch.From.Name
			}
			out = append(out, f)
		}
	}
	return out
}

func isZero(h string) bool { return strings.Trim(h, "0") == "" }

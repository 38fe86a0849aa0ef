package hooks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/hookd-dev/hookd/safefile"
)

// Review is what `hookd trust` is about to approve: every committed hook
// file of a work tree as one read saw it, with what the user trusted of it
// before, so that nothing is approved unread (a .kiro/hooks file added in
// the same pull as a reviewed hookd.toml change included).
type Review struct {
	Root  string
	Files []Reviewed
	// Held is what the files hold back until they are trusted.
	Held []Held

	store  TrustStore
	gitDir string
	sums   map[string]string
	guards []Guard
}

// Reviewed is one file a Review approves.
type Reviewed struct {
	Path  string // relative to the work tree
	Sum   string
	Data  []byte
	State ReviewState
	// Before is the version trusted last time, when the store kept it
	// (State Changed); nil otherwise.
	Before []byte
}

// ReviewState is how a file stands against what the user trusted.
type ReviewState string

const (
	New       ReviewState = "new"       // never trusted in this work tree
	Changed   ReviewState = "changed"   // trusted before with other contents
	Unchanged ReviewState = "unchanged" // trusted as it is
)

// ReviewTrust reads the committed hook files of opts.Root for the user to
// review. Approve trusts exactly the bytes read here.
func ReviewTrust(opts LoadOptions) (*Review, error) {
	cfg, _ := Load(opts)
	all := opts
	all.TrustAll = true
	read, _ := Load(all)
	store := opts.Trust
	if store.Path == "" {
		store = DefaultTrustStore()
	}
	trusted := store.Read()
	if err := trusted.Err(); err != nil {
		return nil, err
	}
	r := &Review{Root: opts.Root, gitDir: opts.GitDir, Held: cfg.Held, store: store, sums: map[string]string{}, guards: GuardsOf(read, opts.Root)}
	for _, f := range read.Files {
		if !f.Committed || f.Sum == "" {
			continue
		}
		rel, err := filepath.Rel(opts.Root, f.Path)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		item := Reviewed{Path: rel, Sum: f.Sum, Data: f.Data, State: New}
		if before, ok := trusted.trees[opts.Root].Files[rel]; ok {
			item.State = Unchanged
			if before != f.Sum {
				item.State = Changed
				item.Before, _ = store.Kept(before)
			}
		}
		r.sums[rel] = f.Sum
		r.Files = append(r.Files, item)
	}
	slices.SortFunc(r.Files, func(a, b Reviewed) int {
		switch {
		case a.Path < b.Path:
			return -1
		case a.Path > b.Path:
			return 1
		}
		return 0
	})
	return r, nil
}

// Approve trusts the files as the review read them, and keeps a copy of
// each, so that the next review can show what changed since.
func (r *Review) Approve() error {
	if len(r.Files) == 0 {
		return nil
	}
	for _, f := range r.Files {
		if err := r.store.keep(f.Sum, f.Data); err != nil {
			return err
		}
	}
	return r.store.trust(r.Root, r.gitDir, r.sums, r.guards)
}

// Pending says whether the review approves anything not trusted yet.
func (r *Review) Pending() bool {
	return slices.ContainsFunc(r.Files, func(f Reviewed) bool { return f.State != Unchanged })
}

// keptDir holds a copy of every file version the user trusted, by its
// SHA-256, beside the store.
func (s TrustStore) keptDir() string { return filepath.Join(filepath.Dir(s.Path), "trusted") }

// keep stores a trusted file's contents under their sum.
func (s TrustStore) keep(sum string, data []byte) error {
	if sum != Sum(data) {
		return errors.New("trust: the contents do not match their sum")
	}
	if err := os.MkdirAll(s.keptDir(), 0o700); err != nil {
		return fmt.Errorf("keep the trusted version: %w", err)
	}
	p := filepath.Join(s.keptDir(), sum)
	if _, err := os.Lstat(p); err == nil {
		return nil
	}
	if err := safefile.Write(p, data, 0o600); err != nil {
		return fmt.Errorf("keep the trusted version: %w", err)
	}
	return nil
}

// Kept returns the trusted contents with this sum, when the store kept
// them (and they still hash to it).
func (s TrustStore) Kept(sum string) ([]byte, bool) {
	data, err := safefile.Read(filepath.Join(s.keptDir(), filepath.Base(sum)), MaxConfigFile)
	if err != nil || Sum(data) != sum {
		return nil, false
	}
	return data, true
}

// TrustRefusedIn says why `hookd trust` may not approve anything here:
// inside an agent's session or a hook's run, where a repository's README
// can steer an agent into trusting for the user; "". The environment
// (getenv) names the hook's run or the agent; the process's ancestry
// (ancestor: the agent CLI this process descends from) holds when an
// agent has scrubbed its environment.
func TrustRefusedIn(getenv func(string) string, ancestor func() string) string {
	for _, v := range []string{"HOOKD_RUN_ID", "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "GEMINI_CLI", "CODEX_SANDBOX", "CODEX_THREAD_ID", "CODEX_MANAGED_BY_NPM"} {
		if getenv(v) != "" {
			return "an agent's session or a hook's run (" + v + " is set)"
		}
	}
	if a := ancestor(); a != "" {
		return "an agent's session (this runs under " + a + ")"
	}
	return ""
}

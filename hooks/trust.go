package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hookd-dev/hookd/safefile"
)

// TrustStore records which contents of a work tree's committed config files
// the user has trusted. A repository's hookd.toml and .kiro/hooks files run
// commands on the user's machine, so a fresh clone runs nothing until
// `hookd trust`, and a change to one of those files (a pull) holds it back
// again until it is trusted again. The store lives in the user's state
// directory, never in the repository.
//
// What is trusted is the SHA-256 of a file's bytes: the very bytes Load
// parsed, so nothing can be swapped in between reading and hashing.
type TrustStore struct {
	Path string
}

// MaxTrustStore bounds the trust store's size (some tens of thousands of
// work trees).
const MaxTrustStore = 16 << 20

// DefaultTrustStore is $XDG_STATE_HOME/hookd/trust.json (or
// ~/.local/state/hookd/trust.json).
func DefaultTrustStore() TrustStore {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "state")
		}
	}
	return TrustStore{Path: filepath.Join(dir, "hookd", "trust.json")}
}

// UserConfigFile is the user's own config: $XDG_CONFIG_HOME/hookd/config.toml
// (or ~/.config/hookd/config.toml); "" when there is no home.
func UserConfigFile() string {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "hookd", "config.toml")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config", "hookd", "config.toml")
	}
	return ""
}

type trustFile struct {
	Trees map[string]trustedTree `json:"trees"`
}

type trustedTree struct {
	Files   map[string]string `json:"files"` // path relative to the tree -> sha256 of its contents
	Trusted time.Time         `json:"trusted"`
	// Guards are the blocking hooks of those files, as trusted; nil in a
	// store written before guards were recorded (then nobody knows them).
	Guards []Guard `json:"guards"`
	// Common is the repository's git common dir: its other work trees
	// (git worktree add) are of a repository the user trusted.
	Common string `json:"common,omitempty"`
}

// Guard is a blocking hook the user trusted, recorded with the files: a
// later change to them (a pull that sets enabled = false, blocking = false,
// on_error = "allow", another on, or removes the hook or the file) cannot
// lift it unseen. Until the user trusts again, its events are refused.
type Guard struct {
	Name  string   `json:"name"`
	On    []string `json:"on"`
	Paths []string `json:"paths,omitempty"`
	Files []string `json:"files"` // the committed files its keys come from
}

// GuardsOf are the blocking hooks of cfg whose keys come from committed
// files: what trusting those files makes the user's guards.
func GuardsOf(cfg *Config, root string) []Guard {
	out := []Guard{} // none known, as opposed to not recorded
	for _, h := range cfg.Hooks {
		if !h.Blocking || !h.Committed {
			continue
		}
		g := Guard{Name: h.Name, On: h.On, Paths: h.Paths}
		for _, f := range h.files {
			for _, src := range cfg.Files {
				if src.Path == f && src.Committed {
					if rel, err := filepath.Rel(root, f); err == nil {
						g.Files = append(g.Files, filepath.ToSlash(rel))
					}
				}
			}
		}
		if len(g.Files) == 0 && h.Origin.Committed() {
			if rel, err := filepath.Rel(root, h.Pos.File); err == nil {
				g.Files = []string{filepath.ToSlash(rel)} // a Kiro hook: its own file
			}
		}
		out = append(out, g)
	}
	return out
}

// Guards are the guards the user trusted in the work tree at root.
func (t Trusted) Guards(root string) []Guard { return t.trees[root].Guards }

// Unrecorded says the work tree at root was trusted by a hookd that did
// not record its guards, and lists the files it trusted then.
func (t Trusted) Unrecorded(root string) ([]string, bool) {
	tree, ok := t.trees[root]
	if !ok || tree.Guards != nil {
		return nil, false
	}
	return SortedKeys(tree.Files), true
}

func (s TrustStore) read() (trustFile, error) {
	tf := trustFile{Trees: map[string]trustedTree{}}
	data, err := safefile.Read(s.Path, MaxTrustStore)
	if errors.Is(err, fs.ErrNotExist) {
		return tf, nil
	}
	if err != nil {
		return tf, fmt.Errorf("read the trust store %s: %w (fix or remove it, then run `hookd trust` again)", s.Path, err)
	}
	tf = trustFile{}
	if err := json.Unmarshal(data, &tf); err != nil {
		return trustFile{Trees: map[string]trustedTree{}}, fmt.Errorf("read the trust store %s: %w (fix or remove it, then run `hookd trust` again)", s.Path, err)
	}
	if tf.Trees == nil {
		// "null", "{}" or another shape: not a store hookd wrote, so not
		// "nothing trusted" either.
		return trustFile{Trees: map[string]trustedTree{}}, fmt.Errorf("read the trust store %s: it holds no \"trees\" (fix or remove it, then run `hookd trust` again)", s.Path)
	}
	return tf, nil
}

// Trusted is what the user trusted, read once for a load.
type Trusted struct {
	trees map[string]trustedTree
	err   error
}

// Read reads the store. A store that cannot be read trusts nothing, and
// says why for every file.
func (s TrustStore) Read() Trusted {
	tf, err := s.read()
	return Trusted{trees: tf.Trees, err: err}
}

// Err is why the store could not be read, or nil.
func (t Trusted) Err() error { return t.err }

// Known says whether the work tree at root was ever trusted, or may have
// been: the store cannot be read; another work tree of its repository
// (git dir gitDir) was trusted; or the repository says one was and the
// store has lost it (deleted, a new machine's state restored without it).
// Its blocking hooks are then the user's guards, and fail closed until
// trusted again.
func (t Trusted) Known(root, gitDir string) bool {
	if t.err != nil {
		return true
	}
	if _, known := t.trees[root]; known {
		return true
	}
	common := commonDir(gitDir)
	if common == "" {
		return false
	}
	for _, tree := range t.trees {
		if tree.Common == common {
			return true
		}
	}
	_, err := os.Lstat(trustedMark(common))
	return err == nil
}

// commonDir is the git common dir of a work tree's git dir (the main
// repository's, for a linked work tree); "" outside git.
func commonDir(gitDir string) string {
	if gitDir == "" {
		return ""
	}
	if data, err := safefile.Read(filepath.Join(gitDir, "commondir"), 4096); err == nil {
		dir := strings.TrimSpace(string(data))
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(gitDir, dir)
		}
		return filepath.Clean(dir)
	}
	return filepath.Clean(gitDir)
}

// trustedMark is the file, in the repository's git dir, that says the
// user trusted hook files of this repository once: what is left of the
// trust when the store is gone.
func trustedMark(common string) string { return filepath.Join(common, "hookd", "trusted") }

// Why says why the file rel of the work tree at root, whose contents hash
// to sum, may not take effect; "" when the user trusted exactly these
// contents.
func (t Trusted) Why(root, rel, sum string) string {
	if t.err != nil {
		return "held back: the trust store cannot be read"
	}
	tree, known := t.trees[root]
	switch want, ok := tree.Files[rel]; {
	case !known || !ok:
		return "not trusted yet: review it, then run `hookd trust`"
	case want != sum:
		return "changed since you trusted it: review the change, then run `hookd trust`"
	}
	return ""
}

// Trust records sums (repository-relative path -> SHA-256 of the contents
// that were read) as trusted for the work tree at root, replacing what was
// trusted there before. Concurrent calls, in any number of work trees, all
// land: the store is locked while it is read and rewritten, and the new
// store replaces the old one whole, synced to disk.
func (s TrustStore) Trust(root string, sums map[string]string, guards ...Guard) error {
	return s.trust(root, "", sums, guards)
}

// trust is Trust, recording the repository's git dir (gitDir) and
// leaving the mark of it there.
func (s TrustStore) trust(root, gitDir string, sums map[string]string, guards []Guard) error {
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return fmt.Errorf("write the trust store: %w", err)
	}
	unlock, err := lockFile(s.Path + ".lock")
	if err != nil {
		return fmt.Errorf("lock the trust store: %w", err)
	}
	defer unlock()
	tf, err := s.read()
	if err != nil {
		return err
	}
	if guards == nil {
		guards = []Guard{}
	}
	tree := trustedTree{Files: map[string]string{}, Trusted: time.Now().UTC(), Guards: guards, Common: commonDir(gitDir)}
	if tree.Common != "" {
		mark := trustedMark(tree.Common)
		if err := os.MkdirAll(filepath.Dir(mark), 0o700); err == nil {
			_ = safefile.Write(mark, []byte("hookd trust was run in a work tree of this repository\n"), 0o600)
		}
	}
	for f, sum := range sums {
		tree.Files[f] = sum
	}
	tf.Trees[root] = tree
	data, err := json.MarshalIndent(tf, "", "  ")
	if err != nil {
		return err
	}
	if err := safefile.Write(s.Path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write the trust store: %w", err)
	}
	s.pruneKept(tf)
	return nil
}

// pruneKept removes the kept copies no work tree's trust refers to any
// more: the store keeps one copy per version trusted now, not every
// version ever trusted. The store's lock is held.
func (s TrustStore) pruneKept(tf trustFile) {
	entries, err := os.ReadDir(s.keptDir())
	if err != nil {
		return
	}
	used := map[string]bool{}
	for _, tree := range tf.Trees {
		for _, sum := range tree.Files {
			used[sum] = true
		}
	}
	for _, e := range entries {
		if !used[e.Name()] {
			_ = os.Remove(filepath.Join(s.keptDir(), e.Name()))
		}
	}
}

// lockFile takes an exclusive lock on path (creating it), for as long as
// the returned function is not called.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// Sum is the hex SHA-256 of a file's contents, as the trust store keeps it.
func Sum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// CommittedFiles lists the config files of cfg that come with the
// repository, relative to root, with the SHA-256 of the bytes that were
// read: what `hookd trust` records.
func CommittedFiles(cfg *Config, root string) map[string]string {
	out := map[string]string{}
	for _, f := range cfg.Files {
		if !f.Committed || f.Sum == "" {
			continue
		}
		if rel, err := filepath.Rel(root, f.Path); err == nil {
			out[filepath.ToSlash(rel)] = f.Sum
		}
	}
	return out
}

// SortedKeys returns the keys of a set of committed files in order.
func SortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TrustAsTheyAre records files of the work tree at root as trusted with
// the contents they have now. It is for a caller that wrote the files
// itself (the demo, tests); `hookd trust` records what Load parsed.
func (s TrustStore) TrustAsTheyAre(root string, rels ...string) error {
	sums := map[string]string{}
	for _, rel := range rels {
		data, err := safefile.Read(filepath.Join(root, filepath.FromSlash(rel)), MaxConfigFile)
		if err != nil {
			return fmt.Errorf("trust %s: %w", rel, err)
		}
		sums[rel] = Sum(data)
	}
	return s.Trust(root, sums)
}

// TrustNow trusts the committed hook files of opts.Root as one read sees
// them now, and returns the files trusted (none when there is none to
// trust) and what they held back until now: ReviewTrust and Approve at
// once. What is recorded is the hash of the bytes just parsed and the
// guards they declare, so a file swapped after this read is not trusted and
// a later change cannot lift a guard unseen.
func TrustNow(opts LoadOptions) (files []string, released []Held, err error) {
	r, err := ReviewTrust(opts)
	if err != nil || len(r.Files) == 0 {
		return nil, nil, err
	}
	if err := r.Approve(); err != nil {
		return nil, nil, err
	}
	return SortedKeys(r.sums), r.Held, nil
}

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
	"time"
)

// TrustStore records which contents of a work tree's committed config files
// the user has trusted. A repository's hookd.toml (and, later, its
// .kiro/hooks) runs commands on the user's machine, so a fresh clone runs
// nothing until `hookd trust`, and a change to those files (a pull) pauses
// their hooks until it is trusted again. The store lives in the user's
// state directory, never in the repository.
type TrustStore struct {
	Path string
}

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

type trustFile struct {
	Trees map[string]trustedTree `json:"trees"`
}

type trustedTree struct {
	Files   map[string]string `json:"files"` // path relative to the tree -> sha256 of its contents
	Trusted time.Time         `json:"trusted"`
}

func (s TrustStore) read() (trustFile, error) {
	tf := trustFile{Trees: map[string]trustedTree{}}
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return tf, nil
	}
	if err != nil {
		return tf, fmt.Errorf("read trust store: %w", err)
	}
	if err := json.Unmarshal(data, &tf); err != nil {
		return tf, fmt.Errorf("read trust store %s: %w", s.Path, err)
	}
	if tf.Trees == nil {
		tf.Trees = map[string]trustedTree{}
	}
	return tf, nil
}

// Trust records the current contents of files (paths relative to root) as
// trusted for the work tree at root, replacing what was trusted before.
func (s TrustStore) Trust(root string, files []string) error {
	tf, err := s.read()
	if err != nil {
		return err
	}
	tree := trustedTree{Files: map[string]string{}, Trusted: time.Now().UTC()}
	for _, f := range files {
		sum, err := fileSum(filepath.Join(root, f))
		if err != nil {
			return fmt.Errorf("trust %s: %w", f, err)
		}
		tree.Files[f] = sum
	}
	tf.Trees[root] = tree
	data, err := json.MarshalIndent(tf, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return fmt.Errorf("write trust store: %w", err)
	}
	tmp := s.Path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write trust store: %w", err)
	}
	return os.Rename(tmp, s.Path)
}

// Untrusted returns the committed config files under root whose current
// contents the user has not trusted, each with why.
func (s TrustStore) Untrusted(root string, files []string) (map[string]string, error) {
	tf, err := s.read()
	if err != nil {
		return nil, err
	}
	tree, known := tf.Trees[root]
	out := map[string]string{}
	for _, f := range files {
		sum, err := fileSum(filepath.Join(root, f))
		if err != nil {
			continue // gone: nothing of it runs
		}
		switch want, ok := tree.Files[f]; {
		case !known || !ok:
			out[f] = "not trusted yet: review it, then run `hookd trust`"
		case want != sum:
			out[f] = "changed since you trusted it: review the change, then run `hookd trust`"
		}
	}
	return out, nil
}

func fileSum(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// CommittedFiles lists the config files of cfg that come with the
// repository, relative to root.
func CommittedFiles(cfg *Config, root string) []string {
	seen := map[string]bool{}
	for _, f := range cfg.Files {
		if !f.Origin.Committed() {
			continue
		}
		if rel, err := filepath.Rel(root, f.Path); err == nil {
			seen[filepath.ToSlash(rel)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// ApplyTrust pauses every hook from a committed file whose contents are not
// trusted, saying why. Hooks from hookd.local.toml, the user config and an
// explicit --config are the user's own and always run.
func ApplyTrust(cfg *Config, root string, store TrustStore) error {
	untrusted, err := store.Untrusted(root, CommittedFiles(cfg, root))
	if err != nil {
		return err
	}
	if len(untrusted) == 0 {
		return nil
	}
	for _, h := range cfg.Hooks {
		if !h.Committed {
			continue
		}
		// A hook waits for the trust of its own file; a hookd.toml hook
		// for hookd.toml's.
		f := h.TrustFile
		if f == "" {
			f = RepoFile
		}
		// A hook that cannot run anyway keeps saying why.
		if why, ok := untrusted[f]; ok && h.Disabled == "" {
			h.Disabled = "paused: " + f + " is " + why
		}
	}
	return nil
}

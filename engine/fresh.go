package engine

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/safefile"
)

// stamp is what the configuration was loaded from: each file's hash (or
// why it could not be read), and the Kiro hook directories' listings. A
// verdict compares it with the disk first, so it never judges by a
// configuration older than the files, whatever the watch saw (a
// git-ignored hookd.local.toml, a symlink's target, the moment between a
// save and its event).
type stamp []string

// stampOf describes the files opts reads.
func stampOf(opts hooks.LoadOptions) stamp {
	var out stamp
	describe := func(p string) {
		// The bytes, not the times: two saves within the file system's
		// clock tick have the same mtime.
		data, err := safefile.Read(p, hooks.MaxConfigFile)
		if err != nil {
			out = append(out, p+" "+err.Error())
			return
		}
		out = append(out, p+" "+hooks.Sum(data))
	}
	for _, src := range opts.Files() {
		describe(src.Path)
	}
	store := opts.Trust
	if store.Path == "" {
		store = hooks.DefaultTrustStore()
	}
	describe(store.Path)
	if opts.Explicit == "" {
		dirs := []string{filepath.Join(opts.Root, ".kiro", "hooks")}
		if opts.KiroHome != "" {
			dirs = append(dirs, filepath.Join(opts.KiroHome, ".kiro", "hooks"))
		}
		for _, dir := range dirs {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				describe(filepath.Join(dir, e.Name()))
			}
			describe(dir)
		}
	}
	return out
}

func (s stamp) equal(o stamp) bool { return slices.Equal(s, o) }

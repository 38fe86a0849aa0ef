package daemon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/lmittmann/tint"
)

// watchConfigOutside reloads when a config file changes that the tree's
// own watch does not see: the user config, an explicit --config file, a
// hookd.local.toml or .kiro/hooks that .gitignore leaves out of the watch
// (hookd init ignores hookd.local.toml), and the target of a config file
// that is a symlink. It watches their directories, since editors replace
// files rather than write them.
func (d *Daemon) watchConfigOutside(ctx context.Context) {
	files := map[string]bool{}
	for _, f := range d.opts.Config.Files() {
		files[filepath.Clean(f.Path)] = true
		if real, err := filepath.EvalSymlinks(f.Path); err == nil {
			files[filepath.Clean(real)] = true
		}
	}
	// Any file in these directories is a config file.
	dirs := map[string]bool{}
	if d.opts.Config.Explicit == "" {
		dirs[filepath.Join(d.opts.Repo.Root, ".kiro", "hooks")] = true
	}
	if len(files) == 0 {
		return
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		d.log.Warn("cannot watch the config files outside the repository; reload them with SIGHUP", tint.Err(err))
		return
	}
	defer w.Close()
	// A config directory that does not exist yet (no user config so far)
	// is followed from its nearest existing ancestor until it appears.
	want := map[string]bool{} // directories on the way to a config file
	follow := func(start string) {
		for d := start; ; d = filepath.Dir(d) {
			want[d] = true
			if err := w.Add(d); err == nil || filepath.Dir(d) == d {
				break
			}
		}
	}
	for f := range files {
		follow(filepath.Dir(f))
	}
	for dir := range dirs {
		follow(dir)
	}
	// A file is reloaded once it has been quiet for a moment: cp and many
	// editors truncate, then write, and the empty file in between must not
	// become the "last good" configuration.
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-quiet.C:
			d.reloads.ask()
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			name := filepath.Clean(ev.Name)
			if want[name] && ev.Has(fsnotify.Create) {
				// A directory on the way appeared. Its own subdirectories
				// may have appeared before the watch did (mkdir -p), so
				// watch every wanted directory that exists now, then look
				// for config files written before the watches were in place.
				for dir := range want {
					_ = w.Add(dir)
				}
				if d.anyConfigIn(files, name) {
					d.reloads.ask()
				}
				continue
			}
			if (files[name] || dirs[filepath.Dir(name)]) && !ev.Has(fsnotify.Chmod) {
				d.log.Debug("config changed", "file", ev.Name)
				quiet.Reset(configQuiet)
			}
		case <-w.Errors:
		}
	}
}

// configQuiet is how long a config file outside the tree's watch must be
// left alone before it is read again.
const configQuiet = 100 * time.Millisecond

// anyConfigIn reports whether a config file exists under dir already (it
// may have been written before the watch on dir was added).
func (d *Daemon) anyConfigIn(files map[string]bool, dir string) bool {
	for f := range files {
		if strings.HasPrefix(f, dir+string(filepath.Separator)) {
			if _, err := os.Stat(f); err == nil {
				return true
			}
		}
	}
	return false
}

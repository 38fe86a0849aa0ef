package daemon

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
	"github.com/lmittmann/tint"
)

// watchConfigOutside reloads when a config file outside the work tree
// changes: the user config, or an explicit --config file. (hookd.toml and
// hookd.local.toml come through the tree's own watch.) It watches their
// directories, since editors replace files rather than write them.
func (d *Daemon) watchConfigOutside(ctx context.Context) {
	files := map[string]bool{}
	for _, f := range d.opts.Config.Files() {
		rel, err := filepath.Rel(d.opts.Repo.Root, f.Path)
		if err == nil && !strings.HasPrefix(rel, "..") {
			continue
		}
		files[filepath.Clean(f.Path)] = true
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
	for f := range files {
		for d := filepath.Dir(f); ; d = filepath.Dir(d) {
			want[d] = true
			if err := w.Add(d); err == nil || filepath.Dir(d) == d {
				break
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
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
			if files[name] && !ev.Has(fsnotify.Chmod) {
				d.log.Info("config changed", "file", ev.Name)
				d.reloads.ask()
			}
		case <-w.Errors:
		}
	}
}

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

package engine

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/ipc"
)

// Files turns repository-relative paths from a client (a shim, an agent's
// tool call, hookd emit) into event files. A path that leaves the
// repository is refused.
func Files(root string, paths []string, change event.Change) ([]event.File, error) {
	var out []event.File
	for _, p := range paths {
		p = filepath.ToSlash(filepath.Clean(p))
		if !filepath.IsLocal(p) {
			return nil, ipc.BadRequest(fmt.Sprintf("%q is not a path inside the repository", p))
		}
		var size int64
		if fi, err := os.Stat(filepath.Join(root, p)); err == nil {
			size = fi.Size()
		}
		out = append(out, event.NewFile(root, p, change, size))
	}
	return out, nil
}

//go:build !linux

package watch

import "os"

// dirent is one entry of a directory: its name, and whether it is a
// directory.
type dirent struct {
	name string
	dir  bool
}

// readDir lists a directory.
func readDir(path string, _ []byte, out []dirent) ([]dirent, error) {
	entries, err := os.ReadDir(path)
	out = out[:0]
	for _, e := range entries {
		out = append(out, dirent{name: e.Name(), dir: e.IsDir()})
	}
	return out, err
}

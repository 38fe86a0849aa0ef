package backend

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Rel makes paths named on a command line (relative to the working
// directory, or absolute) relative to the repository at root.
func Rel(root string, files []string) ([]string, error) {
	var out []string
	for _, f := range files {
		rel, err := RepoRelative(root, f)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, nil
}

// RepoRelative turns one path named on a command line into a
// repository-relative one. The directory's symlinks are resolved, so a
// path through a link into the repository is still inside it.
func RepoRelative(root, p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(resolved, filepath.Base(abs))
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is outside the repository %s", p, root)
	}
	return filepath.ToSlash(rel), nil
}

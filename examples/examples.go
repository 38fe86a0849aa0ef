// Package examples holds example repositories. They are embedded in the
// binary so that `hookd demo` can build its throwaway repository from them
// and the tests can check that each one's hookd.toml stays valid.
package examples

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed all:demo
var files embed.FS

// Demo returns the repository `hookd demo` runs in.
func Demo() fs.FS {
	sub, err := fs.Sub(files, "demo")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// CopyTo writes an example repository into dir.
func CopyTo(src fs.FS, dir string) error {
	return fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if filepath.Ext(p) == ".sh" {
			mode = 0o755
		}
		return os.WriteFile(dst, data, mode)
	})
}

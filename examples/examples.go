// Package examples holds example repositories, one per headline flow:
// kiro (a Kiro spec repository), speckit (a Spec Kit repository) and
// go-service (tests follow code, checks before commits). The Kiro one is
// embedded in the binary: `hookd demo` builds its throwaway repository
// from it. The tests check that every example's hookd.toml stays valid.
package examples

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed all:kiro
var files embed.FS

// Demo returns the repository `hookd demo` runs in: the Kiro example.
func Demo() fs.FS {
	sub, err := fs.Sub(files, "kiro")
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

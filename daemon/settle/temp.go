package settle

import (
	"path"
	"strings"
	"time"
)

// tempGrace is how long a new file named like an atomic save's temporary
// is left alone: a writer that renames it into place within it makes one
// event of the real file, not a create and a delete of the temporary.
const tempGrace = 150 * time.Millisecond

// looksTemporary says whether rel is named like an atomic save's
// temporary file: claude's and node's (FILE.tmp.PID.HEX),
// write-file-atomic's (FILE.HASH.tmp), JetBrains' (FILE___jb_tmp___),
// vim's probe (4913) and swap files, emacs' lock files and backups. It
// is asked of every new file of a burst, so it reads the name once, with
// no regular expression.
func looksTemporary(rel string) bool {
	name := path.Base(rel)
	switch {
	case name == "4913", strings.HasPrefix(name, ".#"), strings.HasSuffix(name, "~"),
		strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"):
		return true
	}
	ext := path.Ext(name)
	if len(ext) == 4 && strings.HasPrefix(ext, ".sw") && ext[3] >= 'a' && ext[3] <= 'p' {
		return true // vim's swap files: .swp, .swo, …
	}
	stem := strings.TrimSuffix(name, ext)
	if ext == ".tmp" {
		// FILE.HASH.tmp: six or more hex digits before it.
		return len(path.Ext(stem)) > 6 && isHex(path.Ext(stem)[1:])
	}
	// FILE.tmp.PID.HEX
	pid := path.Ext(stem)
	return len(ext) > 1 && isHex(ext[1:]) && len(pid) > 1 && isDigits(pid[1:]) && path.Ext(strings.TrimSuffix(stem, pid)) == ".tmp"
}

func isHex(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdef") == ""
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

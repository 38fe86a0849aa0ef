package settle

import (
	"path"
	"regexp"
	"strings"
	"time"
)

// tempGrace is how long a new file named like an atomic save's temporary
// is left alone: a writer that renames it into place within it makes one
// event of the real file, not a create and a delete of the temporary.
const tempGrace = 150 * time.Millisecond

// tempName matches the temporaries of atomic saves: claude's and node's
// (FILE.tmp.PID.HEX), write-file-atomic's (FILE.HASH.tmp), JetBrains'
// (FILE___jb_tmp___), vim's probe (4913) and swap files, emacs' lock files.
var tempName = regexp.MustCompile(`(\.tmp\.\d+\.[0-9a-f]+|\.[0-9a-f]{6,}\.tmp|___jb_(tmp|old)___|\.sw[a-p]|~)$`)

// looksTemporary says whether rel is named like an atomic save's
// temporary file.
func looksTemporary(rel string) bool {
	name := path.Base(rel)
	return name == "4913" || strings.HasPrefix(name, ".#") || tempName.MatchString(name)
}

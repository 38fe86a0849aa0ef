package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"

	"github.com/hookd-dev/hookd/safefile"
)

// ReviewsFile is where reviews are kept, at the repository's root. It is
// committed: a review is a person's word that a link still holds, which
// every clone, CI and the next reviewer must see, as they see the code.
// One review per line, sorted, so two branches' reviews merge without a
// conflict unless they review the same link.
const ReviewsFile = "hookd.reviews"

// maxReviews bounds the file read (a link per line: 16 MB is ~100,000).
const maxReviews = 16 << 20

// Review records that a person checked a link after the requirement it
// cites changed. It holds while the requirement says what it said then
// (Fingerprint), whatever the commits: a rebase or a squash keeps it.
type Review struct {
	Spec        string `json:"spec"`
	ID          string `json:"id"`
	File        string `json:"file"`
	Fingerprint string `json:"fingerprint"`
	By          string `json:"by,omitempty"`
	At          string `json:"at,omitempty"`
}

func (r Review) key() [3]string { return [3]string{r.Spec, r.ID, r.File} }

// Reviews are the reviews of a repository, by link.
type Reviews map[[3]string]Review

// Holds reports whether a review of the link from file to spec#id holds
// for the requirement as it reads now (fingerprint).
func (rs Reviews) Holds(spec, id, file, fingerprint string) bool {
	r, ok := rs[[3]string{spec, id, file}]
	return ok && fingerprint != "" && r.Fingerprint == fingerprint
}

// LoadReviews reads root's reviews file. A missing file is no reviews; a
// line that is not a review is reported as FILE:LINE:COL and skipped, the
// others kept.
func LoadReviews(root string) (Reviews, []error) {
	rs := Reviews{}
	data, err := safefile.Read(filepath.Join(root, ReviewsFile), maxReviews)
	if errors.Is(err, fs.ErrNotExist) {
		return rs, nil
	}
	if err != nil {
		return rs, []error{fmt.Errorf("%s: %w", ReviewsFile, err)}
	}
	var probs []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxReviews)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var r Review
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			col := 1
			var se *json.SyntaxError
			if errors.As(err, &se) {
				col = int(se.Offset)
			}
			probs = append(probs, fmt.Errorf("%s:%d:%d: not a review: %v", ReviewsFile, n, col, err))
			continue
		}
		if r.Spec == "" || r.ID == "" || r.File == "" || r.Fingerprint == "" {
			probs = append(probs, fmt.Errorf("%s:%d:1: a review needs spec, id, file and fingerprint", ReviewsFile, n))
			continue
		}
		rs[r.key()] = r
	}
	return rs, probs
}

// Add records reviews, replacing those of the same links.
func (rs Reviews) Add(add ...Review) {
	for _, r := range add {
		rs[r.key()] = r
	}
}

// Save writes the reviews, sorted, never through a symlink.
func (rs Reviews) Save(root string) error {
	list := make([]Review, 0, len(rs))
	for _, r := range rs {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i].key(), list[j].key()
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	var buf bytes.Buffer
	buf.WriteString("# hookd trace review: links a person checked after their requirement changed (commit this file)\n")
	for _, r := range list {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return safefile.WriteInside(root, ReviewsFile, buf.Bytes(), 0o644)
}

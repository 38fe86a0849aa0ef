package trace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/spec"
)

// Target is what a review names: every link from a file (Line 0), the
// links on one line of it, or every link to a requirement and its
// criteria (Spec and Req, OfReq set).
type Target struct {
	File      string
	Line      int
	OfReq     bool
	Spec, Req string
}

// ParseTarget reads FILE, FILE:LINE or SPEC#REQ. The file is as written:
// the caller makes it repository-relative.
func ParseTarget(arg string) Target {
	if s, id, ok := strings.Cut(arg, "#"); ok {
		return Target{OfReq: true, Spec: s, Req: id}
	}
	if i := strings.LastIndexByte(arg, ':'); i > 0 {
		if n, err := strconv.Atoi(arg[i+1:]); err == nil {
			return Target{File: arg[:i], Line: n}
		}
	}
	return Target{File: arg}
}

// Covers says whether the finding's link is one the target names.
func (t Target) Covers(f Finding) bool {
	if !t.OfReq {
		return f.File == t.File && (t.Line == 0 || f.Line == t.Line)
	}
	return strings.EqualFold(f.Spec, t.Spec) && spec.Covers(t.Req, f.Requirement)
}

// ToReview lists the suspect and stale findings of the report that any
// of the targets names, or all of them when all.
func ToReview(rep *Report, targets []Target, all bool) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Kind != Suspect && f.Kind != Stale {
			continue
		}
		if all || slices.ContainsFunc(targets, func(t Target) bool { return t.Covers(f) }) {
			out = append(out, f)
		}
	}
	return out
}

// Reviewer is who records a review: git's user.name, else the login.
func Reviewer(ctx context.Context, root string) string {
	if l, err := gitcmd.Lines(ctx, root, "config", "user.name"); err == nil && len(l) > 0 && l[0] != "" {
		return l[0]
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// WriteFindings prints findings a line each, as a compiler does:
// FILE:LINE: KIND: MESSAGE.
func WriteFindings(w io.Writer, fs []Finding) {
	for _, f := range fs {
		// A file name or a requirement's text can hold a newline: printed
		// raw it would start a line of its own (a forged workflow command
		// in a CI log).
		fmt.Fprintf(w, "%s:%d: %s: %s\n", human.Printable(f.File, false), f.Line, f.Kind, human.Printable(f.Message, false))
	}
}

// Record records in hookd.reviews, at root, that the suspect and stale
// findings of rep the targets name (all of them when all) were checked,
// by whoever git says is reviewing, today. It returns what it recorded;
// nothing is written when that is nothing. A reviews file that cannot be
// read whole is not added to: it is fixed first.
func Record(ctx context.Context, root string, rep *Report, targets []Target, all bool) ([]Finding, error) {
	if !rep.History {
		return nil, errors.New("not a git repository: nothing is suspect or stale to review")
	}
	rs, probs := LoadReviews(root)
	if len(probs) > 0 {
		return nil, fmt.Errorf("%v; fix %s before adding to it", probs[0], ReviewsFile)
	}
	found := ToReview(rep, targets, all)
	if len(found) == 0 {
		return nil, nil
	}
	by, today := Reviewer(ctx, root), time.Now().Format("2006-01-02")
	for _, f := range found {
		rs.Add(Review{Spec: f.Spec, ID: f.Requirement, File: f.File, Fingerprint: f.Fingerprint, By: by, At: today})
	}
	return found, rs.Save(root)
}

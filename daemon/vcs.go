package daemon

import (
	"time"

	"github.com/hookd-dev/hookd/daemon/gitsrc"
	"github.com/hookd-dev/hookd/event"
)

// vcsWindow is how long after git's lock goes away file events are still
// taken for its doing, and how long a git event keeps claiming the files
// it changed.
const vcsWindow = 300 * time.Millisecond

// vcsSettler folds the file events of a git operation into its git event
// (docs/events.md): a checkout of 5,000 files is one git.checkout, not 5,000
// saves. File events that come while git is busy are held; when the git
// event comes, those of its files are marked VCS (only fold_vcs = false
// hooks see them) and the rest, the user's own edits, go on as usual. If
// no git event comes, everything held goes on when git is idle again.
//
// It belongs to the daemon's loop: every method is called from it.
type vcsSettler struct {
	src     *gitsrc.Source
	deliver func(event.Event)
	// later asks the loop to call release after d.
	later func(d time.Duration)

	held     []event.Event
	armed    bool            // a release is asked for
	claimed  map[string]bool // files the last git event changed
	claimEnd time.Time
}

// files routes settled file events.
func (v *vcsSettler) files(evs []event.Event) {
	busy := v.src.Busy(vcsWindow)
	for _, ev := range evs {
		if time.Now().Before(v.claimEnd) {
			var folded event.Event
			ev, folded = split(ev, v.claimed)
			if len(folded.Files) > 0 {
				v.deliver(folded)
			}
			if len(ev.Files) == 0 {
				continue
			}
		}
		// While anything is held, what follows waits behind it: a file's
		// events must reach the hooks in the order they happened.
		if busy || len(v.held) > 0 {
			v.held = append(v.held, ev)
			v.arm()
			continue
		}
		v.deliver(ev)
	}
}

// git delivers a git event, folding the held file events it explains.
//
// A commit or an amend changes no file of the work tree: it claims none,
// and an edit made just after one is the user's.
func (v *vcsSettler) git(ev event.Event, worktree bool) {
	v.claimed = map[string]bool{}
	for _, f := range ev.Files {
		if !worktree {
			break
		}
		v.claimed[f.Path] = true
		if f.From != "" {
			v.claimed[f.From] = true
		}
	}
	v.claimEnd = time.Now().Add(vcsWindow)
	held := v.held
	v.held = nil
	v.deliver(ev)
	for _, h := range held {
		rest, folded := split(h, v.claimed)
		if len(folded.Files) > 0 {
			v.deliver(folded)
		}
		if len(rest.Files) > 0 {
			v.deliver(rest)
		}
	}
}

// arm asks for the release of held events once git is idle.
func (v *vcsSettler) arm() {
	if !v.armed {
		v.armed = true
		v.later(vcsWindow)
	}
}

// release lets the held events go on once git is idle.
func (v *vcsSettler) release() {
	v.armed = false
	if v.src.Busy(vcsWindow) {
		v.arm()
		return
	}
	held := v.held
	v.held = nil
	for _, ev := range held {
		v.deliver(ev)
	}
}

// holding reports whether file events wait for a git operation.
func (v *vcsSettler) holding() bool { return len(v.held) > 0 }

// split separates the files of ev that git claimed (returned as a VCS
// event) from the others.
func split(ev event.Event, claimed map[string]bool) (rest, folded event.Event) {
	rest, folded = ev, ev
	rest.Files, folded.Files = nil, nil
	folded.VCS = true
	for _, f := range ev.Files {
		if claimed[f.Path] {
			folded.Files = append(folded.Files, f)
		} else {
			rest.Files = append(rest.Files, f)
		}
	}
	return rest, folded
}

// heldPaths returns the paths of the file events held for a git
// operation.
func (v *vcsSettler) heldPaths() map[string]bool {
	out := map[string]bool{}
	for _, ev := range v.held {
		for _, f := range ev.Files {
			out[f.Path] = true
			if f.From != "" {
				out[f.From] = true
			}
		}
	}
	return out
}

package gitsrc

import (
	"strings"

	"github.com/hookd-dev/hookd/event"
)

// reflogEntry is one line of logs/HEAD.
type reflogEntry struct {
	old, new string
	message  string
}

// parseReflog parses "<old> <new> <name> <<email>> <time> <tz>\t<message>".
func parseReflog(line string) (reflogEntry, bool) {
	head, msg, ok := strings.Cut(strings.TrimRight(line, "\n"), "\t")
	if !ok {
		return reflogEntry{}, false
	}
	fields := strings.Fields(head)
	if len(fields) < 2 {
		return reflogEntry{}, false
	}
	return reflogEntry{old: fields[0], new: fields[1], message: msg}, true
}

// rebasing is what the classifier remembers between entries: where HEAD
// was before the rebase under way, or "" when none is.
type rebasing struct{ from string }

// move is what one reflog entry means: an event kind, and the HEAD it went
// from (a rebase's start, not its last step) to the HEAD it reached.
type move struct {
	kind     event.Kind
	from, to string
	// worktree says the operation changed the work tree's files too.
	worktree bool
}

// classify reads one reflog entry, git's own message for a HEAD move, in
// the state the entries before it left, and says what event it is, if
// any. It is a pure function of its input; what real git writes for each
// operation is in reflog_test.go.
//
// A rebase (git rebase, git rebase -i, git pull --rebase, a pull with
// pull.rebase set) writes an entry per step, "OP (start)", "OP (pick)", …,
// "OP (finish)": it is one git.rewrite, when it finishes, from where HEAD
// was before it started. "OP (abort)" returns HEAD to where it was: a
// git.checkout back from where the rebase had taken it. While a rebase is
// under way its own checkouts are not the user's.
func classify(st rebasing, e reflogEntry) (rebasing, move, bool) {
	op, _, _ := strings.Cut(e.message, ":")
	if step, ok := rebaseStep(op); ok {
		switch step {
		case "start":
			if st.from == "" {
				st.from = e.old
			}
			return st, move{}, false
		case "finish":
			from := st.from
			if from == "" {
				from = e.old // started before we were watching
			}
			return rebasing{}, move{kind: event.GitRewrite, from: from, to: e.new, worktree: true}, true
		case "abort":
			if e.old == e.new {
				return rebasing{}, move{}, false
			}
			return rebasing{}, move{kind: event.GitCheckout, from: e.old, to: e.new, worktree: true}, true
		}
		return st, move{}, false // pick, fixup, squash, reword, edit, continue, skip…
	}
	m := move{from: e.old, to: e.new, worktree: true}
	switch {
	case strings.HasPrefix(op, "commit (amend)"):
		m.kind, m.worktree = event.GitRewrite, false
	case strings.HasPrefix(op, "commit (merge)"), strings.HasPrefix(op, "merge "), op == "merge", strings.HasPrefix(op, "pull"):
		m.kind = event.GitMerge
	case op == "commit", op == "commit (initial)":
		m.kind, m.worktree = event.GitCommit, false // it records the work tree; it changes none of it
	case strings.HasPrefix(op, "commit"), strings.HasPrefix(op, "cherry-pick"), strings.HasPrefix(op, "revert"), op == "am":
		m.kind = event.GitCommit
	case strings.HasPrefix(op, "checkout"), strings.HasPrefix(op, "reset"), strings.HasPrefix(op, "switch"):
		if st.from != "" {
			return st, move{}, false // a rebase's own checkout
		}
		if e.old == e.new && !switchesBranch(e.message) {
			return st, move{}, false // nothing moved (a stash's reset, a checkout of the branch one is on)
		}
		m.kind = event.GitCheckout
	default:
		return st, move{}, false // clone, branch renames, and what else git may write
	}
	return st, m, true
}

// rebaseStep returns the step of a rebase entry's operation: "pick" for
// "rebase (pick)", "finish" for "pull --rebase origin main (finish)".
func rebaseStep(op string) (step string, ok bool) {
	i := strings.LastIndex(op, " (")
	if i < 0 || !strings.HasSuffix(op, ")") {
		return "", false
	}
	if base := op[:i]; !strings.HasPrefix(base, "rebase") && !strings.HasPrefix(base, "pull") {
		return "", false
	}
	return op[i+2 : len(op)-1], true
}

// switchesBranch reports whether "checkout: moving from A to B" names two
// different places: a new branch on the same commit is still a checkout.
func switchesBranch(msg string) bool {
	_, rest, ok := strings.Cut(msg, "moving from ")
	if !ok {
		return false
	}
	from, to, ok := strings.Cut(rest, " to ")
	return ok && from != to
}

package engine

import (
	"fmt"
	"strings"

	"github.com/hookd-dev/hookd/daemon/queue"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
)

// Verdict is the one place hookd decides whether the blocking hooks allow
// an event (a commit, a push, an agent's prompt or tool call), for the
// daemon and for every path without one.
//
// A hook that answered decides by its answer: exit 0 allows, any other
// exit denies. A hook that could not answer (its if rule failed, it timed
// out, it did not start, its agent is not installed, it is paused because
// its file changed since the user trusted it, or it could not be loaded)
// denies, unless its own on_error = "allow". A hook whose if rule is false
// does not take part.
//
// cfg is the configuration the records come from; recs are the records of
// its blocking hooks that ev concerns, as queue.RunBlocking returns them.
func Verdict(cfg *hooks.Config, ev event.Event, recs []queue.Record) ipc.Verdict {
	v := ipc.Verdict{OK: true, Hooks: []ipc.Run{}}
	add := func(row ipc.Run, answered bool, allowOnError bool) {
		if row.Denies = !answered && !allowOnError || answered && row.Status != string(runner.StatusOK); row.Denies {
			v.OK = false
		}
		v.Hooks = append(v.Hooks, row)
	}
	for _, r := range recs {
		row := RunRow(r).Run
		h := cfg.Hook(r.Hook)
		allow := h != nil && h.OnErrorAllow
		switch {
		case r.Phase == queue.Skipped && r.RuleErr == nil:
			v.Hooks = append(v.Hooks, row) // its if rule is false
		case r.Phase == queue.Skipped:
			row.Status, row.Error = "error", fmt.Sprintf("its if rule failed: %v; fix the rule (hookd explain %s)", r.RuleErr, r.Hook)
			add(row, false, allow)
		case r.Phase != queue.Finished:
			row.Status, row.Error = "error", "it did not finish"
			add(row, false, allow)
		case r.Result.Status == runner.StatusOK:
			// Exit 0, and maybe an answer on stdout (answer.go): a deny
			// there refuses; an answer hookd cannot read or that does not
			// fit the event could not answer.
			denies, problem := answerDenies(ev.Kind, r.Result.Output)
			if problem != "" {
				row.Error = problem + "; fix the hook (docs/agents.md, a hook's answer)"
				add(row, false, allow)
			} else if denies {
				if a, _ := ParseAnswer(r.Result.Output); a.Reason == "" {
					row.Error = "it answered " + a.Decision + ", with no reason"
				}
				row.Denies, v.OK = true, false
				v.Hooks = append(v.Hooks, row)
			} else {
				add(row, true, allow)
			}
		case r.Result.Status == runner.StatusFailed && (r.Result.Exit == 126 || r.Result.Exit == 127):
			// The shell's "not found" and "cannot execute": the check
			// itself never ran (a linter not installed), which is no
			// answer of no.
			row.Error = fmt.Sprintf("its command could not run (exit %d: not found or not executable): install what it runs, or set on_error", r.Result.Exit)
			add(row, false, allow)
		case r.Result.Status == runner.StatusFailed && r.Result.Exit > 0:
			add(row, true, allow) // it answered no
		default:
			if row.Error == "" {
				row.Error = fmt.Sprintf("it could not answer (%s)", row.Status)
			}
			add(row, false, allow)
		}
	}
	told := map[string]bool{}
	for _, u := range cfg.Unloaded {
		if !u.GuardsEvent(ev) || u.Held && !cfg.TrustedBefore {
			continue
		}
		row := ipc.Run{Hook: u.Name, Event: string(ev.Kind), Status: "error", Exit: -1, Files: []string{},
			Error: fmt.Sprintf("%s could not be loaded: %s: fix it (hookd check)", u.What(), u)}
		if u.Lapsed {
			// The trusted version guarded this; what changed it is not
			// trusted, so not even its on_error is taken.
			row.Status, row.Error = "paused", fmt.Sprintf("%s is paused: %s", u.What(), u.Message)
		}
		if u.Name != "" {
			if told[u.Name] {
				continue
			}
			told[u.Name] = true
		}
		add(row, false, u.OnErrorAllow)
	}
	for _, h := range pausedGuards(cfg, ev) {
		if told[h.Name] {
			continue
		}
		row := ipc.Run{Hook: h.Name, Event: string(ev.Kind), Status: "paused", Exit: -1, Files: []string{},
			Error: h.Disabled + " (it guards this, and cannot answer until then)"}
		add(row, false, h.OnErrorAllow)
	}
	for i := range v.Hooks {
		if r := &v.Hooks[i]; !r.Denies && r.Status != string(runner.StatusOK) && r.Status != "skipped" {
			r.Reason = "on_error = \"allow\" lets it through"
		}
	}
	for _, h := range Untrusted(cfg, ev) {
		v.Hooks = append(v.Hooks, ipc.Run{Hook: h.Name, Event: string(ev.Kind), Status: "untrusted", Exit: -1, Files: []string{}, Reason: UntrustedReason})
	}
	return v
}

// UntrustedReason says why a blocking hook of a work tree never trusted
// takes no part.
const UntrustedReason = "it takes no part: this work tree's hook files were never trusted (read them, then hookd trust)"

// Untrusted are the blocking hooks that would concern ev but take no part
// because the work tree was never trusted: named, so that nobody takes
// their silence for a pass. (A linked worktree of a trusted repository, or
// one whose trust store is gone, counts as trusted before: its guards are
// paused, not silent.)
func Untrusted(cfg *hooks.Config, ev event.Event) []*hooks.Hook {
	if cfg.TrustedBefore {
		return nil
	}
	return heldGuards(cfg, ev)
}

// pausedGuards are the blocking hooks that would concern ev but are
// paused until the user trusts their file again. In a work tree the user
// never trusted they guard nothing: nothing of a clone is the user's yet.
func pausedGuards(cfg *hooks.Config, ev event.Event) []*hooks.Hook {
	if !cfg.TrustedBefore {
		return nil
	}
	return heldGuards(cfg, ev)
}

// heldGuards are the enabled blocking hooks held back by trust that would
// concern ev.
func heldGuards(cfg *hooks.Config, ev event.Event) []*hooks.Hook {
	var out []*hooks.Hook
	for _, h := range cfg.Hooks {
		if h.Held && h.Blocking && h.Enabled && h.WouldConcern(ev) {
			out = append(out, h)
		}
	}
	return out
}

// MayBlock says whether an event of kind k could be refused under cfg:
// some blocking hook, paused guard or unloaded guard handles it. The shims
// and the bridge ask this first, so that most events cost nothing more.
func MayBlock(cfg *hooks.Config, k event.Kind) bool {
	for _, h := range cfg.Hooks {
		if h.Blocking && h.Enabled && h.Wants(k) && (h.Disabled == "" || h.Held && cfg.TrustedBefore) {
			return true
		}
	}
	for _, u := range cfg.Unloaded {
		if u.Guards(k) && (!u.Held || cfg.TrustedBefore) {
			return true
		}
	}
	return false
}

// Explain turns a verdict into the words a person or an agent reads: why
// it denies (one line per hook that denied, with its output or error) and,
// when it allows, the context the hooks gave (their output).
func Explain(v ipc.Verdict) (reason, context string) {
	var reasons, contexts []string
	for _, r := range v.Hooks {
		text := strings.TrimSpace(r.Output)
		if a, err := ParseAnswer(r.Output); err != nil || a.JSON {
			// An answer object: its reason says why it denies (unless
			// it could not be taken: then the error says why); its
			// context is Answer's to hand on.
			text = ""
			if r.Denies && err == nil && r.Error == "" {
				text = a.Reason
			}
		}
		switch {
		case r.Denies:
			why := text
			if why == "" {
				why = r.Error
			}
			if why == "" {
				why = r.Status
			}
			if r.Hook == "" {
				reasons = append(reasons, "hookd: "+why) // a guard that could not be loaded says whose it is
			} else {
				reasons = append(reasons, fmt.Sprintf("hookd hook %s: %s", r.Hook, why))
			}
		case r.Status == string(runner.StatusOK) && text != "":
			contexts = append(contexts, text)
		}
	}
	return strings.Join(reasons, "\n"), strings.Join(contexts, "\n\n")
}

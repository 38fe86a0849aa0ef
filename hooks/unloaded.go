package hooks

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/internal/suggest"
	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/safefile"
)

// Unloaded is a blocking hook that may be declared but could not be
// loaded: a hook table with a problem, or a whole file that could not be
// read or parsed and mentions blocking. It is a guard that cannot answer,
// so the events it may guard are refused (unless its own on_error =
// "allow" could be read), with the reason, until the file is fixed. That
// is what makes a broken configuration fail closed the same way with and
// without a daemon: the sound hooks run, and no guard silently vanishes.
type Unloaded struct {
	// Where the problem is, and what it is.
	Pos     Pos
	Message string
	// Name is the hook's name, when the table got that far.
	Name string
	// Kinds are the events it may guard; nil means any event a blocking
	// hook can answer.
	Kinds []event.Kind
	// OnErrorAllow is its on_error = "allow", when that could be read.
	OnErrorAllow bool
	// Held says its file comes with the repository and is not trusted (or
	// could not be read to tell): like a paused hook, it guards only a
	// work tree the user trusted before (Config.TrustedBefore).
	Held bool
	// Lapsed says it loaded fine once: a guard the user trusted, paused or
	// gone since its file changed.
	Lapsed bool
	// paths are a lapsed guard's paths, as trusted: it guards an event
	// with a file they select.
	paths rules.Globs
}

// Guards says whether the unloaded hook may have answered an event of kind k.
func (u Unloaded) Guards(k event.Kind) bool {
	if !Blockable(k) {
		return false
	}
	return u.Kinds == nil || slices.Contains(u.Kinds, k)
}

// GuardsEvent says whether the unloaded hook may have answered ev: its
// kind, and for a lapsed guard with paths, a file they select.
func (u Unloaded) GuardsEvent(ev event.Event) bool {
	if !u.Guards(ev.Kind) {
		return false
	}
	if u.paths.Empty() {
		return true
	}
	for _, f := range ev.Files {
		if u.paths.Match(f.Path) {
			return true
		}
	}
	return false
}

// What names the unloaded hook for a message.
func (u Unloaded) What() string {
	if u.Name != "" {
		return "hook " + u.Name
	}
	return "a hook of " + u.Pos.File
}

// Blockable says whether a blocking hook can answer events of kind k.
func Blockable(k event.Kind) bool {
	return k == event.GitPreCommit || k == event.GitPrePush || event.Answerable(k)
}

func blockableKinds() []event.Kind {
	var out []event.Kind
	for _, k := range event.Kinds() {
		if Blockable(k) {
			out = append(out, k)
		}
	}
	return out
}

// unloadedFile is what a hookd config file that could not be read or
// parsed may have guarded. A file that cannot be read may hold anything; a
// file that does not parse is scanned for the word that makes a hook
// blocking, so that a broken file without one costs no guard.
func unloadedFile(p Problem, data []byte, readable bool) []Unloaded {
	if readable && !bytes.Contains(data, []byte("blocking")) {
		return nil
	}
	return []Unloaded{{Pos: p.Pos, Message: p.Message}}
}

// kiroTriggers are the Kiro triggers whose hooks answer the agent, by the
// event each becomes.
var kiroTriggers = map[string]event.Kind{
	"preToolUse": event.AgentToolBefore, "postToolUse": event.AgentToolAfter,
	"promptSubmit": event.AgentPrompt, "agentStop": event.AgentStop,
	"PreToolUse": event.AgentToolBefore, "PostToolUse": event.AgentToolAfter,
	"UserPromptSubmit": event.AgentPrompt, "Stop": event.AgentStop,
}

// quotedWord is a JSON string that could name a trigger.
var quotedWord = regexp.MustCompile(`"[A-Za-z_-]{3,24}"`)

// unloadedKiro is what a Kiro hook file that yields no hook may have
// guarded: the session triggers it names.
func unloadedKiro(p Problem, data []byte, readable bool) []Unloaded {
	u := Unloaded{Pos: p.Pos, Message: p.Message}
	if readable {
		// Every quoted word one typo away from a session trigger
		// ("preToolUsee") counts: a typo must not make a guard vanish.
		for _, m := range quotedWord.FindAll(data, -1) {
			w := string(m[1 : len(m)-1])
			// Other spellings of a session trigger ("pre_tool_use",
			// "beforeTool", "toolUse"): a word about tools, prompts or
			// stopping may have been one.
			norm := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(w))
			for word, k := range map[string]event.Kind{"tool": event.AgentToolBefore, "prompt": event.AgentPrompt, "stop": event.AgentStop} {
				// ("prompt" and "toolTypes" are keys of every Kiro hook
				// that has them, not triggers.)
				if strings.Contains(norm, word) && norm != "prompt" && norm != "tooltypes" && !slices.Contains(u.Kinds, k) {
					u.Kinds = append(u.Kinds, k)
				}
			}
			for name, k := range kiroTriggers {
				typos := 1
				if len(name) >= 8 {
					typos = 2
				}
				if suggest.Distance(strings.ToLower(w), strings.ToLower(name)) <= typos && !slices.Contains(u.Kinds, k) {
					u.Kinds = append(u.Kinds, k)
				}
			}
		}
		if len(u.Kinds) == 0 {
			return nil
		}
		slices.Sort(u.Kinds)
	}
	return []Unloaded{u}
}

// unloadedHook is what a [[hook]] table with a problem may have guarded:
// nothing unless it says blocking = true (or says it in a way that could
// not be read); the events of its on, when those could be read.
func unloadedHook(name string, t table, probs Problems) []Unloaded {
	// A key one typo away from blocking ("blockng", "Blocking") was meant
	// as it: the guard the user wrote must not vanish over a typo.
	var bf field
	found := false
	for k, f := range t.fields {
		if k == "blocking" || suggest.Distance(strings.ToLower(k), "blocking") <= 2 || strings.Contains(strings.ToLower(k), "block") {
			bf, found = f, true
			if k == "blocking" {
				break
			}
		}
	}
	if !found {
		return nil
	}
	if b, isBool := bf.v.(bool); isBool && !b {
		return nil
	}
	u := Unloaded{Pos: t.header, Name: name, Message: "it has a problem"}
	if len(probs) > 0 {
		u.Pos, u.Message = probs[0].Pos, probs[0].Message
	}
	if f, ok := t.fields["on"]; ok {
		var pats []string
		switch v := f.v.(type) {
		case string:
			pats = []string{v}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					pats = append(pats, s)
				}
			}
		}
		kinds := []event.Kind{}
		for _, pat := range pats {
			m, ok := event.ParseKindPattern(pat)
			if !ok {
				kinds = nil // unreadable: it may guard anything
				break
			}
			for _, k := range blockableKinds() {
				if m(k) && !slices.Contains(kinds, k) {
					kinds = append(kinds, k)
				}
			}
		}
		if kinds != nil && len(kinds) == 0 {
			return nil // it handles no event a blocking hook answers
		}
		u.Kinds = kinds
	}
	if f, ok := t.fields["on_error"]; ok {
		u.OnErrorAllow = f.v == "allow"
	}
	return []Unloaded{u}
}

// unloadedKiroFiles are the guards of the Kiro hook files that had a
// problem and yielded no hook.
func unloadedKiroFiles(hs []*Hook, probs Problems) []Unloaded {
	yielded := map[string]bool{}
	for _, h := range hs {
		yielded[h.Pos.File] = true
	}
	var out []Unloaded
	for _, p := range probs {
		if yielded[p.Pos.File] {
			continue
		}
		yielded[p.Pos.File] = true
		data, err := safefile.Read(p.Pos.File, MaxConfigFile)
		out = append(out, unloadedKiro(p, data, err == nil)...)
	}
	return out
}

// markHeld marks the unloaded guards whose file is not the user's yet.
func markHeld(cfg *Config, opts LoadOptions) {
	sources := map[string]Source{}
	for _, s := range cfg.Files {
		sources[s.Path] = s
	}
	for i, u := range cfg.Unloaded {
		s, read := sources[u.Pos.File]
		switch {
		case opts.TrustAll || opts.Explicit != "":
		case read:
			cfg.Unloaded[i].Held = s.Held != ""
		default:
			// Never read, so never trusted as it is: held when it may have
			// come with the repository.
			cfg.Unloaded[i].Held = !isUsersOwn(u.Pos.File, opts)
		}
	}
}

// isUsersOwn says whether path is one of the config files that never come
// with the repository (the user's global config, user-level Kiro hooks).
func isUsersOwn(path string, opts LoadOptions) bool {
	for _, src := range opts.Files() {
		if src.Path == path {
			return !src.Origin.Committed() && src.Origin != OriginLocal
		}
	}
	return opts.KiroHome != "" && strings.HasPrefix(path, opts.KiroHome+string(os.PathSeparator))
}

// lapsed are the guards the user trusted that no longer stand as trusted:
// their hook is gone or paused (its file changed, was removed, or a held
// file took its name). Each refuses the events it guarded until the user
// trusts again. A guard the user's own files turn off (enabled = false in
// an untracked hookd.local.toml) still stands: that is the user's choice.
func lapsed(cfg *Config, guards []Guard, opts LoadOptions) []Unloaded {
	var out []Unloaded
	for _, g := range guards {
		h := cfg.Hook(g.Name)
		if h != nil && !h.Held {
			continue
		}
		u := Unloaded{Name: g.Name, Lapsed: true, Pos: Pos{File: filepath.Join(opts.Root, filepath.FromSlash(firstOr(g.Files, RepoFile)))}}
		if globs, err := rules.CompileGlobs(g.Paths); err == nil {
			u.paths = globs
		}
		u.Message = strings.Join(g.Files, ", ") + " changed since you trusted it, when this hook guarded it (now it is paused or gone): review the change, then run `hookd trust`"
		for _, pat := range g.On {
			if m, ok := event.ParseKindPattern(pat); ok {
				for _, k := range blockableKinds() {
					if m(k) && !slices.Contains(u.Kinds, k) {
						u.Kinds = append(u.Kinds, k)
					}
				}
			}
		}
		if len(u.Kinds) > 0 {
			out = append(out, u)
		}
	}
	return out
}

// unrecorded stands for the guards of a work tree trusted by a hookd that
// did not record them: when a file trusted then has changed or is gone,
// nobody can say which guard the change lifted, so every event a blocking
// hook can answer is refused until the user trusts again (which records
// them).
func unrecorded(cfg *Config, files []string, opts LoadOptions) []Unloaded {
	sources := map[string]Source{}
	for _, s := range cfg.Files {
		sources[opts.rel(s.Path)] = s
	}
	for _, f := range files {
		if s, ok := sources[f]; !ok || s.Held != "" {
			return []Unloaded{{Name: "", Lapsed: true, Pos: Pos{File: filepath.Join(opts.Root, filepath.FromSlash(f))},
				Message: f + " changed since you trusted this work tree, with a hookd that did not record which hooks guarded it: review the change, then run `hookd trust`"}}
		}
	}
	return nil
}

func firstOr(l []string, def string) string {
	if len(l) > 0 {
		return l[0]
	}
	return def
}

// unloadedTable is what a top-level table with an unknown name ([[hooks]],
// [hook] for [[hook]], [[Hook]]) may have guarded: any event, when it
// mentions blocking. Such a typo must not make a guard vanish.
func unloadedTable(p Pos, key string, v any) []Unloaded {
	if !strings.Contains(strings.ToLower(fmt.Sprint(v)), "block") {
		return nil
	}
	return []Unloaded{{Pos: p, Message: fmt.Sprintf("the table %q is not one hookd reads (hooks are declared under [[hook]]), and it declares blocking", key)}}
}

// problemsIn returns the problems positioned in the file of t between its
// header and the next table, which is where its keys are.
func problemsIn(probs Problems, from int) Problems {
	if from > len(probs) {
		return nil
	}
	return probs[from:]
}

func (u Unloaded) String() string {
	return fmt.Sprintf("%s: %s", u.Pos, u.Message)
}

package hooks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"time"

	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/safefile"
)

// The repository's config files (docs/config.md).
const (
	RepoFile  = "hookd.toml"
	LocalFile = "hookd.local.toml"
)

// Defaults for keys that are not set anywhere.
const (
	DefaultDebounce  = 300 * time.Millisecond
	DefaultMaxWait   = 10 * time.Second
	DefaultTimeout   = 10 * time.Minute
	DefaultMaxAgents = 1
	DefaultMaxRuns   = 4
	DefaultMaxDepth  = 3
	// DefaultMaxRunsPerMinute is above what a person makes (saving every
	// 1.5 s while a hook keeps up is 40 runs a minute: the breaker must never
	// cost a person's change) and far below a loop's pace (with the default
	// debounce, a loop passes it within 20 s, a fast one within seconds).
	DefaultMaxRunsPerMinute = 60
	DefaultSettle           = time.Millisecond
)

// LoadOptions says which files make up the configuration.
type LoadOptions struct {
	// Root is the repository root holding hookd.toml and hookd.local.toml.
	Root string
	// UserConfig is the user-level config file; empty for none.
	UserConfig string
	// Explicit, when set, is the only file read (--config FILE).
	Explicit string
	// KiroHome, when set, is the home directory whose ~/.kiro/hooks/*.json
	// load as the user's hooks. The repository's .kiro/hooks always load,
	// unless Explicit is set.
	KiroHome string
	// GitDir is the work tree's git dir, "" outside git. It decides whose
	// hookd.local.toml is: the user's when git does not track it; one that
	// git tracks, or any outside git, may have come with the files.
	GitDir string
	// Trust is what the user trusted; the zero value is the user's
	// default store.
	Trust TrustStore
	// TrustAll applies committed files without asking: hookd replay in CI,
	// which runs a repository's hooks as CI runs its build.
	TrustAll bool
}

// MaxConfigFile bounds a config or Kiro hook file.
const MaxConfigFile = 1 << 20

// Files returns the config files that opts read, in precedence order,
// whether or not they exist.
func (opts LoadOptions) Files() []Source {
	if opts.Explicit != "" {
		return []Source{{Path: opts.Explicit, Origin: OriginExplicit}}
	}
	var files []Source
	if opts.UserConfig != "" {
		files = append(files, Source{Path: opts.UserConfig, Origin: OriginUser})
	}
	return append(files,
		Source{Path: opts.Root + "/" + RepoFile, Origin: OriginRepo},
		Source{Path: opts.Root + "/" + LocalFile, Origin: OriginLocal})
}

// Load reads, merges and validates the configuration. It always returns a
// usable Config holding every sound hook, and the problems it found.
//
// # Trust
//
// A file that comes with the repository (hookd.toml, .kiro/hooks, a
// hookd.local.toml that git tracks) takes effect only once the user has
// trusted its exact contents. Until then nothing of it applies: not its
// hooks, and not its [agent.*], [defaults], [watch], [specs], [trace] or
// ignore tables, which would otherwise change what the user's own hooks do.
// Its hooks are listed, paused, with the reason, and Config.Held says what
// else was held back. Every file is still parsed, so `hookd check` reports
// its problems before it is trusted.
func Load(opts LoadOptions) (*Config, Problems) {
	var probs Problems
	trust := Trusted{}
	if !opts.TrustAll && opts.Explicit == "" {
		store := opts.Trust
		if store.Path == "" {
			store = DefaultTrustStore()
		}
		if trust = store.Read(); trust.Err() != nil {
			probs = append(probs, Problem{Pos: Pos{File: store.Path}, Message: trust.Err().Error() + "; the repository's hook files are held back"})
		}
	}
	var all, applied []parsedFile
	var sources []Source
	var unloaded []Unloaded
	var unreadable []string
	for _, src := range opts.Files() {
		data, err := safefile.Read(src.Path, MaxConfigFile)
		if errors.Is(err, fs.ErrNotExist) && src.Origin != OriginExplicit {
			continue
		}
		if err != nil {
			p := Problem{Pos: Pos{File: src.Path}, Message: fmt.Sprintf("read config: %v", err)}
			probs = append(probs, p)
			unloaded = append(unloaded, unloadedFile(p, nil, false)...)
			unreadable = append(unreadable, src.Path)
			continue
		}
		src.Sum = Sum(data)
		switch src.Origin {
		case OriginRepo:
			src.Committed = true
		case OriginLocal:
			src.Committed, src.Why = localCommitted(opts)
		}
		if src.Committed {
			src.Data = data
		}
		if src.Committed && !opts.TrustAll {
			if src.Held = trust.Why(opts.Root, opts.rel(src.Path), src.Sum); src.Held != "" && src.Why != "" {
				src.Held += "; " + src.Why
			}
		}
		sources = append(sources, src)
		pf, perr := parseFile(src, data)
		if perr != nil {
			probs = append(probs, *perr)
			unloaded = append(unloaded, unloadedFile(*perr, data, true)...)
			unreadable = append(unreadable, src.Path)
			continue
		}
		all = append(all, pf)
		if src.Held == "" {
			applied = append(applied, pf)
		}
	}
	// The whole configuration, held files included, is what is checked
	// and listed; only what applies runs.
	whole, more := build(all)
	probs = append(probs, more...)
	cfg := whole
	if len(applied) < len(all) {
		cfg, _ = build(applied)
		cfg.Hooks = pauseHeld(whole.Hooks, cfg.Hooks, sources, opts)
		cfg.Held = heldTables(all, opts)
	}
	cfg.Files = sources
	cfg.Unreadable = unreadable
	cfg.Unloaded = append(unloaded, whole.Unloaded...)
	cfg.TrustedBefore = trust.Known(opts.Root, opts.GitDir)
	if opts.Explicit == "" && opts.Root != "" {
		probs = append(probs, addKiro(cfg, opts, trust)...)
	}
	markHeld(cfg, opts)
	if opts.Explicit == "" && !opts.TrustAll {
		cfg.Unloaded = append(cfg.Unloaded, lapsed(cfg, trust.Guards(opts.Root), opts)...)
		if files, old := trust.Unrecorded(opts.Root); old {
			cfg.Unloaded = append(cfg.Unloaded, unrecorded(cfg, files, opts)...)
		}
	}
	return cfg, probs
}

// localCommitted says whether hookd.local.toml may have come with the
// repository, and why.
func localCommitted(opts LoadOptions) (bool, string) {
	if opts.GitDir == "" {
		return true, "outside git, hookd cannot tell that it is yours"
	}
	switch tracked, err := gitcmd.Tracked(context.Background(), opts.Root, LocalFile); {
	case err != nil:
		return true, fmt.Sprintf("git cannot tell whether it came with the repository (%v), so it is taken to have", err)
	case tracked:
		return true, "git tracks it, so it came with the repository (`git rm --cached " + LocalFile + "` makes it yours)"
	}
	return false, ""
}

func (opts LoadOptions) rel(p string) string {
	if r, err := filepath.Rel(opts.Root, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}

// pauseHeld merges the hooks of the whole configuration with those of the
// part that applies: a hook that takes any key from a held file is listed
// paused, with the file and why; a hook that needs something only a held
// file declares (its agent, its default agent) is paused saying so; every
// other hook is the one built from what applies alone.
func pauseHeld(whole, applied []*Hook, sources []Source, opts LoadOptions) []*Hook {
	held := map[string]Source{}
	for _, s := range sources {
		if s.Held != "" {
			held[s.Path] = s
		}
	}
	byName := map[string]*Hook{}
	for _, h := range applied {
		byName[h.Name] = h
	}
	var out []*Hook
	seen := map[string]bool{}
	for _, h := range whole {
		seen[h.Name] = true
		var why string
		for _, f := range h.files {
			if s, ok := held[f]; ok {
				why = "paused: " + opts.rel(s.Path) + " is " + s.Held
				break
			}
		}
		ok := byName[h.Name]
		switch {
		case ok != nil:
			// The files that apply declare it whole: it runs as they have
			// it, and what a held file would change of it waits (a clone
			// cannot turn the user's own guard off by naming it).
			out = append(out, ok)
			continue
		case why != "":
		default:
			for _, s := range sources {
				if s.Held != "" {
					why = "paused: it needs what " + opts.rel(s.Path) + " declares (its agent, or [defaults] agent), and that file is " + s.Held
					break
				}
			}
		}
		if h.Disabled == "" {
			h.Disabled, h.Held = why, true
		}
		out = append(out, h)
	}
	// A hook the whole configuration lost to a problem in a held file
	// still runs as the files that apply have it.
	for _, h := range applied {
		if !seen[h.Name] {
			out = append(out, h)
		}
	}
	return out
}

// heldTables says, per held file, what of it was held back.
func heldTables(files []parsedFile, opts LoadOptions) []Held {
	var out []Held
	for _, pf := range files {
		if pf.src.Held == "" {
			continue
		}
		h := Held{File: opts.rel(pf.src.Path), Why: pf.src.Held}
		for _, k := range sortedKeys(pf.data) {
			switch v := pf.data[k].(type) {
			case map[string]any:
				if k == "agent" {
					for _, name := range sortedKeys(v) {
						h.Tables = append(h.Tables, "[agent."+name+"]")
					}
					continue
				}
				h.Tables = append(h.Tables, "["+k+"]")
			case []map[string]any:
				h.Tables = append(h.Tables, fmt.Sprintf("%d [[%s]]", len(v), k))
			default:
				if k != "version" {
					h.Tables = append(h.Tables, k)
				}
			}
		}
		if len(h.Tables) > 0 {
			out = append(out, h)
		}
	}
	return out
}

// addKiro loads the Kiro hook files next to the hookd.toml hooks. A name
// hookd.toml already uses stays hookd.toml's. A committed Kiro file that is
// not trusted has its hooks paused.
func addKiro(cfg *Config, opts LoadOptions, trust Trusted) Problems {
	files, hs, probs := LoadKiro(opts.Root, opts.KiroHome, cfg.Defaults)
	cfg.Unloaded = append(cfg.Unloaded, unloadedKiroFiles(hs, probs)...)
	taken := map[string]*Hook{}
	for _, h := range cfg.Hooks {
		taken[h.Name] = h
	}
	held := map[string]string{}
	for _, f := range files {
		if f.Committed && !opts.TrustAll {
			f.Held = trust.Why(opts.Root, opts.rel(f.Path), f.Sum)
			held[f.Path] = f.Held
		}
		cfg.Files = append(cfg.Files, f)
	}
	for _, h := range hs {
		if other := taken[h.Name]; other != nil {
			if !other.Held || held[h.Pos.File] != "" {
				probs = append(probs, Problem{Pos: h.Pos, Message: fmt.Sprintf("hook name %q is already taken by hookd.toml; this Kiro hook is left out (remove the file if it was imported, else rename it)", h.Name)})
				continue
			}
			// A held hookd.toml hook does not displace a trusted Kiro
			// hook: the held one waits, the trusted one runs.
			probs = append(probs, Problem{Pos: other.Pos, Message: fmt.Sprintf("hook name %q is also a Kiro hook's (%s), which runs while this file is held", h.Name, opts.rel(h.Pos.File))})
			cfg.Hooks = slices.DeleteFunc(cfg.Hooks, func(x *Hook) bool { return x == other })
		}
		taken[h.Name] = h
		// A hook that cannot run anyway keeps saying why.
		if why := held[h.Pos.File]; why != "" && h.Disabled == "" {
			h.Disabled, h.Held = "paused: "+opts.rel(h.Pos.File)+" is "+why, true
		}
		cfg.Hooks = append(cfg.Hooks, h)
	}
	return probs
}

// Parse validates one config file's contents on its own, as if it were the
// only file. It is what fuzzing and `hookd check FILE` use.
func Parse(path string, data []byte) (*Config, Problems) {
	pf, perr := parseFile(Source{Path: path, Origin: OriginExplicit}, data)
	if perr != nil {
		cfg, _ := build(nil)
		return cfg, Problems{*perr}
	}
	return build([]parsedFile{pf})
}

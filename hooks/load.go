package hooks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/gitcmd"
	"github.com/hookd-dev/hookd/internal/suggest"
	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/safefile"
	"github.com/hookd-dev/hookd/spec"
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
	DefaultSettle    = time.Millisecond
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
	for _, src := range opts.Files() {
		data, err := safefile.Read(src.Path, MaxConfigFile)
		if errors.Is(err, fs.ErrNotExist) && src.Origin != OriginExplicit {
			continue
		}
		if err != nil {
			p := Problem{Pos: Pos{File: src.Path}, Message: fmt.Sprintf("read config: %v", err)}
			probs = append(probs, p)
			unloaded = append(unloaded, unloadedFile(p, nil, false)...)
			continue
		}
		src.Sum = Sum(data)
		switch src.Origin {
		case OriginRepo:
			src.Committed = true
		case OriginLocal:
			src.Committed, src.Why = localCommitted(opts)
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
	cfg.Unloaded = append(unloaded, whole.Unloaded...)
	cfg.TrustedBefore = trust.Known(opts.Root)
	if opts.Explicit == "" && opts.Root != "" {
		probs = append(probs, addKiro(cfg, opts, trust)...)
	}
	markHeld(cfg, opts)
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
		case why != "":
		case ok != nil:
			out = append(out, ok)
			continue
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
	taken := map[string]bool{}
	for _, h := range cfg.Hooks {
		taken[h.Name] = true
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
		if taken[h.Name] {
			probs = append(probs, Problem{Pos: h.Pos, Message: fmt.Sprintf("hook name %q is already taken by hookd.toml; this Kiro hook is left out (remove the file if it was imported, else rename it)", h.Name)})
			continue
		}
		taken[h.Name] = true
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

// field is one key's raw value and where it was written.
type field struct {
	path string // key path for messages, e.g. "hook.debounce"
	v    any
	at   keyPos
}

type table struct {
	fields    map[string]field
	header    Pos
	origin    Origin
	committed bool     // some key came from a file that comes with the repository
	files     []string // the files that set keys, in order
}

func (t *table) overlay(o table) {
	if t.fields == nil {
		t.fields = map[string]field{}
	}
	for k, f := range o.fields {
		t.fields[k] = f
	}
	if t.header.Line == 0 {
		t.header = o.header
	}
	t.origin = o.origin
	t.committed = t.committed || o.committed
	for _, f := range o.files {
		if !slices.Contains(t.files, f) {
			t.files = append(t.files, f)
		}
	}
}

type parsedFile struct {
	src  Source
	data map[string]any
	pos  map[string]keyPos
}

func parseFile(src Source, data []byte) (parsedFile, *Problem) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		p := Problem{Pos: Pos{File: src.Path}, Message: err.Error()}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// toml's own column is off for errors at a line's end, so count
			// from the byte offset.
			p.Pos.Line, p.Pos.Col = lineCol(data, pe.Position.Start)
			p.Message = "syntax: " + pe.Message
		}
		return parsedFile{}, &p
	}
	return parsedFile{src: src, data: doc, pos: locateKeys(src.Path, data)}, nil
}

func (pf parsedFile) table(prefix string, m map[string]any) table {
	t := table{fields: map[string]field{}, origin: pf.src.Origin, committed: pf.src.Committed, files: []string{pf.src.Path}, header: pf.pos[prefix].Key}
	if t.header.File == "" {
		t.header = Pos{File: pf.src.Path}
	}
	for k, v := range m {
		at, ok := pf.pos[prefix+"."+k]
		if !ok {
			at = keyPos{Key: t.header, Value: t.header}
		}
		t.fields[k] = field{path: labelOf(prefix) + "." + k, v: v, at: at}
	}
	return t
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// labelOf turns "hook.2" into "hook" for messages.
func labelOf(prefix string) string {
	parts := strings.Split(prefix, ".")
	if len(parts) > 1 {
		if _, err := strconv.Atoi(parts[len(parts)-1]); err == nil {
			parts = parts[:len(parts)-1]
		}
	}
	return strings.Join(parts, ".")
}

var topKeys = []string{"version", "defaults", "hook", "agent", "specs", "trace", "watch", "ignore"}

func build(files []parsedFile) (*Config, Problems) {
	c := &checker{}
	var defaults, watch, specs, trace table
	agents := map[string]*table{}
	var agentOrder []string
	hooks := map[string]*table{}
	var hookOrder []string
	var ignore []string
	var cfgFiles []Source

	for _, pf := range files {
		cfgFiles = append(cfgFiles, pf.src)
		top := pf.table("", pf.data)
		for _, k := range sortedKeys(top.fields) {
			f := top.fields[k]
			f.at = pf.pos[k]
			if f.at.Key.File == "" {
				f.at = keyPos{Key: Pos{File: pf.src.Path}, Value: Pos{File: pf.src.Path}}
			}
			f.path = k
			switch k {
			case "version":
				if n, ok := c.integer(f); ok && n != 1 {
					c.at(f.at.Value, "version %d is not supported; this hookd reads version 1", n)
				}
			case "ignore":
				if l, ok := c.strings(f); ok {
					ignore = append(ignore, l...)
				}
			case "defaults", "watch", "specs", "trace":
				m, ok := c.tableOf(f)
				if !ok {
					continue
				}
				t := pf.table(k, m)
				map[string]*table{"defaults": &defaults, "watch": &watch, "specs": &specs, "trace": &trace}[k].overlay(t)
			case "agent":
				m, ok := c.tableOf(f)
				if !ok {
					continue
				}
				for _, name := range sortedKeys(m) {
					am, ok := c.tableOf(field{path: "agent." + name, v: m[name], at: pf.pos["agent."+name]})
					if !ok {
						continue
					}
					if agents[name] == nil {
						agents[name] = &table{}
						agentOrder = append(agentOrder, name)
					}
					agents[name].overlay(pf.table("agent."+name, am))
				}
			case "hook":
				list, ok := f.v.([]map[string]any)
				if !ok {
					c.at(f.at.Key, "hook must be an array of tables: write each hook under [[hook]]")
					continue
				}
				seen := map[string]Pos{}
				for i, hm := range list {
					t := pf.table("hook."+strconv.Itoa(i), hm)
					nf, ok := t.fields["name"]
					if !ok {
						c.at(t.header, "hook has no name")
						continue
					}
					name, ok := c.str(nf)
					if !ok {
						continue
					}
					if !validName.MatchString(name) {
						c.at(nf.at.Value, "hook name %q must match [a-z0-9][a-z0-9-]*", name)
						continue
					}
					if prev, dup := seen[name]; dup {
						c.at(nf.at.Value, "duplicate hook name %q (first declared at line %d)", name, prev.Line)
						continue
					}
					seen[name] = nf.at.Value
					if hooks[name] == nil {
						hooks[name] = &table{}
						hookOrder = append(hookOrder, name)
					}
					hooks[name].overlay(t)
				}
			default:
				c.unknown(f.at.Key, k, "at the top level", topKeys)
			}
		}
	}

	cfg := &Config{Agents: map[string]*Agent{}, Files: cfgFiles}
	cfg.Defaults = c.defaults(defaults)
	cfg.Watch = c.watch(watch)
	cfg.Watch.Ignore = append(cfg.Watch.Ignore, ignore...)
	cfg.Specs = c.specs(specs)
	cfg.Trace = c.trace(trace)
	for _, name := range agentOrder {
		if a := c.agent(name, *agents[name]); a != nil {
			cfg.Agents[name] = a
		}
	}
	if cfg.Defaults.Agent != "" && !agentKnown(cfg, cfg.Defaults.Agent) {
		c.at(defaults.fields["agent"].at.Value, "unknown agent %q: declare [agent.%s] or use a preset (%s)",
			cfg.Defaults.Agent, cfg.Defaults.Agent, strings.Join(Presets(), ", "))
	}
	for _, name := range hookOrder {
		before := len(c.probs)
		if h := c.hook(cfg, name, *hooks[name]); h != nil {
			cfg.Hooks = append(cfg.Hooks, h)
		} else {
			cfg.Unloaded = append(cfg.Unloaded, unloadedHook(name, *hooks[name], problemsIn(c.probs, before))...)
		}
	}
	sort.SliceStable(c.probs, func(i, j int) bool {
		a, b := c.probs[i].Pos, c.probs[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
	})
	return cfg, c.probs
}

// badWorkdir says what is wrong with a hook's workdir: it must be a
// directory of the repository, named from its root.
func badWorkdir(dir string) string {
	switch clean := path.Clean(filepath.ToSlash(dir)); {
	case dir == "":
		return "is empty: leave it out to run at the repository root"
	case path.IsAbs(clean) || filepath.IsAbs(dir):
		return "is absolute: name a directory of the repository from its root, e.g. \"frontend\""
	case clean == ".." || strings.HasPrefix(clean, "../"):
		return "is outside the repository"
	}
	return ""
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func agentKnown(cfg *Config, name string) bool {
	_, declared := cfg.Agents[name]
	return declared || slices.Contains(Presets(), name)
}

var hookKeys = []string{
	"name", "description", "on", "paths", "if", "debounce", "max_wait", "mode", "timeout",
	"run", "agent", "prompt", "builtin", "blocking", "fold_vcs", "catch_up", "enabled", "steering", "env", "workdir", "session", "on_error",
}

func (c *checker) hook(cfg *Config, name string, t table) *Hook {
	before := len(c.probs)
	h := &Hook{
		Name: name, Origin: t.origin, Committed: t.committed, Pos: t.header, files: t.files,
		Debounce: cfg.Defaults.Debounce, MaxWait: cfg.Defaults.MaxWait, Timeout: cfg.Defaults.Timeout,
		Mode: ModeQueue, FoldVCS: true, CatchUp: true, Enabled: true,
	}
	var onField field
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "name":
		case "description":
			h.Description, _ = c.str(f)
		case "on":
			onField = f
			h.On, _ = c.strings(f)
			for _, pat := range h.On {
				m, ok := event.ParseKindPattern(pat)
				if !ok {
					c.at(f.at.Value, "unknown event kind %q (one of %s, or a family such as \"file.*\")", pat, kindList())
					continue
				}
				h.kinds = append(h.kinds, m)
			}
		case "paths":
			h.Paths, _ = c.strings(f)
			g, err := rules.CompileGlobs(h.Paths)
			if err != nil {
				c.at(f.at.Value, "paths: %v", err)
			}
			h.globs = g
		case "if":
			src, ok := c.str(f)
			if !ok {
				continue
			}
			r, err := rules.Compile(src)
			var ce *rules.CompileError
			if errors.As(err, &ce) {
				c.at(rulePos(f.at, ce.Line, ce.Column), "if: %s", ce.Message)
				continue
			}
			h.If = r
		case "debounce":
			h.Debounce, _ = c.duration(f)
		case "max_wait":
			h.MaxWait, _ = c.duration(f)
		case "timeout":
			h.Timeout, _ = c.duration(f)
		case "on_error":
			s, ok := c.str(f)
			if ok && s != "allow" && s != "deny" {
				c.at(f.at.Value, "on_error must be \"allow\" or \"deny\", not %q", s)
			}
			h.OnErrorAllow = s == "allow"
		case "session":
			s, ok := c.str(f)
			if ok && s != "new" && s != "resume" {
				c.at(f.at.Value, "session must be \"new\" or \"resume\", not %q", s)
			}
			h.Resume = s == "resume"
		case "mode":
			s, ok := c.str(f)
			if !ok {
				continue
			}
			switch m := Mode(s); m {
			case ModeQueue, ModeRestart, ModeSkip, ModeParallel:
				h.Mode = m
			default:
				c.at(f.at.Value, "unknown mode %q (queue, restart, skip or parallel)", s)
			}
		case "run":
			switch v := f.v.(type) {
			case string:
				if strings.TrimSpace(v) == "" {
					c.at(f.at.Value, "run is empty")
				}
				h.Run.Shell = v
			default:
				argv, ok := c.strings(f)
				if ok && len(argv) == 0 {
					c.at(f.at.Value, "run is an empty list")
				}
				h.Run.Argv = argv
			}
		case "agent":
			h.Agent, _ = c.str(f)
		case "prompt":
			h.Prompt, _ = c.str(f)
			if _, err := template.New("prompt").Option("missingkey=zero").Parse(h.Prompt); err != nil {
				line, msg := templateErrLine(err)
				c.at(rulePos(f.at, line, 1), "prompt: %s", msg)
			}
		case "builtin":
			h.Builtin, _ = c.str(f)
			if h.Builtin != "" && !slices.Contains(Builtins(), h.Builtin) {
				c.at(f.at.Value, "unknown builtin %q (one of %s)", h.Builtin, strings.Join(Builtins(), ", "))
			}
		case "blocking":
			h.Blocking, _ = c.boolean(f)
		case "fold_vcs":
			h.FoldVCS, _ = c.boolean(f)
		case "catch_up":
			h.CatchUp, _ = c.boolean(f)
		case "enabled":
			h.Enabled, _ = c.boolean(f)
		case "steering":
			h.Steering, _ = c.strings(f)
		case "env":
			h.Env, _ = c.stringMap(f)
		case "workdir":
			h.Workdir, _ = c.str(f)
			if msg := badWorkdir(h.Workdir); msg != "" {
				c.at(f.at.Value, "workdir %q %s", h.Workdir, msg)
				h.Workdir = ""
			}
		default:
			c.unknown(f.at.Key, k, "in [[hook]] "+strconv.Quote(name), hookKeys)
		}
	}

	if onField.v == nil {
		c.at(t.header, "hook %q has no `on`: say which events it handles, e.g. on = \"file.saved\"", name)
	}
	actions := 0
	for _, k := range []string{"run", "prompt", "builtin"} {
		if _, ok := t.fields[k]; ok {
			actions++
		}
	}
	_, hasAgent := t.fields["agent"]
	switch {
	case actions == 0 && hasAgent:
		c.at(t.fields["agent"].at.Key, "hook %q names an agent but has no prompt", name)
	case actions == 0:
		c.at(t.header, "hook %q has no action: set run, prompt (with agent) or builtin", name)
	case actions > 1:
		c.at(t.header, "hook %q has %d actions: set exactly one of run, prompt or builtin", name, actions)
	case hasAgent && h.Prompt == "":
		c.at(t.fields["agent"].at.Key, "agent is only for prompt hooks")
	}
	if f, ok := t.fields["session"]; ok && h.Prompt == "" {
		c.at(f.at.Key, "session is only for prompt hooks")
	}
	if h.Prompt != "" && actions == 1 {
		if h.Agent == "" {
			h.Agent = cfg.Defaults.Agent
		}
		if h.Agent == "" {
			c.at(t.fields["prompt"].at.Key, "hook %q has a prompt but no agent: set agent here or [defaults] agent", name)
		} else if !agentKnown(cfg, h.Agent) {
			pos := t.header
			if f, ok := t.fields["agent"]; ok {
				pos = f.at.Value
			}
			c.at(pos, "unknown agent %q: declare [agent.%s] or use a preset (%s)", h.Agent, h.Agent, strings.Join(Presets(), ", "))
		} else if preset := cfg.AgentOf(h.Agent).Preset; h.Resume && !Resumable(preset) {
			c.at(t.fields["session"].at.Value, "session = \"resume\" needs an agent whose CLI can resume a session (claude, codex or gemini); agent %q is preset %q", h.Agent, preset)
		}
	}
	if h.Blocking {
		for _, k := range h.On {
			if k != string(event.GitPreCommit) && k != string(event.GitPrePush) && !event.Answerable(event.Kind(k)) {
				c.at(t.fields["blocking"].at.Value, "blocking is only for git.pre-commit, git.pre-push, agent.prompt, agent.tool.before, agent.tool.after and agent.stop, not %q", k)
				break
			}
		}
	}
	if h.MaxWait > 0 && h.MaxWait < h.Debounce {
		c.at(t.header, "hook %q: max_wait (%s) is shorter than debounce (%s)", name, h.MaxWait, h.Debounce)
	}
	if len(c.probs) > before {
		return nil
	}
	return h
}

var (
	watchKeys = []string{"ignore", "settle"}
	specsKeys = []string{"roots"}
	traceKeys = []string{"patterns", "require", "each_criterion", "fail_on"}
)

var defaultsKeys = []string{"agent", "debounce", "max_wait", "timeout", "max_agents", "max_runs", "max_depth"}

func (c *checker) defaults(t table) Defaults {
	d := Defaults{
		Debounce: DefaultDebounce, MaxWait: DefaultMaxWait, Timeout: DefaultTimeout,
		MaxAgents: DefaultMaxAgents, MaxRuns: DefaultMaxRuns, MaxDepth: DefaultMaxDepth,
	}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "agent":
			d.Agent, _ = c.str(f)
		case "debounce":
			d.Debounce = c.durationOr(f, d.Debounce)
		case "max_wait":
			d.MaxWait = c.durationOr(f, d.MaxWait)
		case "timeout":
			d.Timeout = c.durationOr(f, d.Timeout)
		case "max_agents":
			d.MaxAgents = c.positive(f, d.MaxAgents)
		case "max_runs":
			d.MaxRuns = c.positive(f, d.MaxRuns)
		case "max_depth":
			d.MaxDepth = c.positive(f, d.MaxDepth)
		default:
			c.unknown(f.at.Key, k, "in [defaults]", defaultsKeys)
		}
	}
	return d
}

func (c *checker) watch(t table) Watch {
	w := Watch{Settle: DefaultSettle}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "ignore":
			w.Ignore, _ = c.strings(f)
		case "settle":
			w.Settle = c.durationOr(f, w.Settle)
		default:
			c.unknown(f.at.Key, k, "in [watch]", watchKeys)
		}
	}
	return w
}

func (c *checker) specs(t table) Specs {
	s := Specs{Roots: spec.DefaultRoots()}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		if k != "roots" {
			c.unknown(f.at.Key, k, "in [specs]", specsKeys)
			continue
		}
		if l, ok := c.strings(f); ok {
			s.Roots = l
		}
	}
	return s
}

func (c *checker) trace(t table) Trace {
	tr := Trace{Require: []string{"test"}, FailOn: []string{"dangling"}}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "patterns":
			tr.Patterns, _ = c.strings(f)
			for _, p := range tr.Patterns {
				re, err := regexp.Compile(p)
				switch {
				case err != nil:
					c.at(f.at.Value, "trace pattern %q: %v", p, err)
				case re.NumSubexp() < 1:
					c.at(f.at.Value, "trace pattern %q: put a group around the cited ids, e.g. `REQ-(\\d+)`", p)
				}
			}
		case "require":
			tr.Require = c.oneOf(f, "[trace] require", traceCoverKinds)
		case "fail_on":
			tr.FailOn = c.oneOf(f, "[trace] fail_on", traceFindings)
		case "each_criterion":
			tr.EachCriterion, _ = c.boolean(f)
		default:
			c.unknown(f.at.Key, k, "in [trace]", traceKeys)
		}
	}
	return tr
}

// oneOf reads a list of words each of which must be one of allowed.
func (c *checker) oneOf(f field, what string, allowed []string) []string {
	l, ok := c.strings(f)
	if !ok {
		return nil
	}
	out := []string{}
	for _, w := range l {
		if !slices.Contains(allowed, w) {
			msg := fmt.Sprintf("%s: unknown %q; one of %s", what, w, strings.Join(allowed, ", "))
			if near := suggest.Nearest(w, allowed, 2); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			c.at(f.at.Value, "%s", msg)
			continue
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// traceCoverKinds are what [trace] require may name: the kinds of place
// that cover a requirement.
var traceCoverKinds = []string{"test", "code", "task", "design"}

// traceFindings are what [trace] fail_on may name.
var traceFindings = []string{"dangling", "uncovered", "stale", "suspect"}

var agentKeys = []string{"preset", "command", "args", "env", "workdir", "timeout", "max_runs_per_hour", "url", "model", "api_key_env", "prompt_via",
	"max_cost_per_day", "max_tokens_per_day", "max_turns"}

func (c *checker) agent(name string, t table) *Agent {
	before := len(c.probs)
	a := &Agent{Name: name, Pos: t.header}
	for _, k := range sortedKeys(t.fields) {
		f := t.fields[k]
		switch k {
		case "preset":
			a.Preset, _ = c.str(f)
			if !slices.Contains(Presets(), a.Preset) {
				c.at(f.at.Value, "unknown preset %q (one of %s)", a.Preset, strings.Join(Presets(), ", "))
			}
		case "command":
			a.Command, _ = c.strings(f)
		case "args":
			a.Args, _ = c.strings(f)
		case "env":
			a.Env, _ = c.stringMap(f)
		case "workdir":
			a.Workdir, _ = c.str(f)
		case "timeout":
			a.Timeout, _ = c.duration(f)
		case "max_runs_per_hour":
			a.MaxRunsPerHour = c.positive(f, 0)
		case "max_turns":
			a.MaxTurns = c.positive(f, 0)
		case "max_tokens_per_day":
			a.MaxTokensPerDay = int64(c.positive(f, 0))
		case "max_cost_per_day":
			a.MaxCostPerDay = c.amount(f)
		case "url":
			a.URL, _ = c.str(f)
		case "model":
			a.Model, _ = c.str(f)
		case "api_key_env":
			a.APIKeyEnv, _ = c.str(f)
		case "prompt_via":
			a.PromptVia, _ = c.str(f)
			if !slices.Contains([]string{"stdin", "file", "arg"}, a.PromptVia) {
				c.at(f.at.Value, "prompt_via must be stdin, file or arg, not %q", a.PromptVia)
			}
		default:
			c.unknown(f.at.Key, k, "in [agent."+name+"]", agentKeys)
		}
	}
	if a.Preset == "" {
		if slices.Contains(Presets(), name) {
			a.Preset = name
		} else {
			c.at(t.header, "[agent.%s] has no preset (one of %s)", name, strings.Join(Presets(), ", "))
		}
	}
	if a.Preset == "command" && len(a.Command) == 0 {
		c.at(t.header, "[agent.%s] with preset \"command\" needs command = [...]", name)
	}
	if a.Preset == "openai" && (a.URL == "" || a.Model == "") {
		c.at(t.header, "[agent.%s] with preset \"openai\" needs url and model", name)
	}
	if len(c.probs) > before {
		return nil
	}
	return a
}

// checker collects problems while converting raw TOML values.
type checker struct {
	probs Problems
}

func (c *checker) at(p Pos, format string, args ...any) {
	c.probs = append(c.probs, Problem{Pos: p, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) unknown(p Pos, key, where string, known []string) {
	msg := fmt.Sprintf("unknown key %q %s", key, where)
	if s := suggest.Nearest(key, known, 3); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	c.at(p, "%s", msg)
}

func (c *checker) str(f field) (string, bool) {
	s, ok := f.v.(string)
	if !ok {
		c.at(f.at.Value, "%s must be a string, not %s", f.path, tomlType(f.v))
	}
	return s, ok
}

// strings accepts a string or an array of strings.
func (c *checker) strings(f field) ([]string, bool) {
	switch v := f.v.(type) {
	case string:
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				c.at(f.at.Value, "%s must hold strings, not %s", f.path, tomlType(e))
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	c.at(f.at.Value, "%s must be a string or a list of strings, not %s", f.path, tomlType(f.v))
	return nil, false
}

func (c *checker) stringMap(f field) (map[string]string, bool) {
	m, ok := f.v.(map[string]any)
	if !ok {
		c.at(f.at.Value, "%s must be a table of strings, not %s", f.path, tomlType(f.v))
		return nil, false
	}
	out := map[string]string{}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			c.at(f.at.Value, "%s.%s must be a string, not %s", f.path, k, tomlType(v))
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

func (c *checker) tableOf(f field) (map[string]any, bool) {
	m, ok := f.v.(map[string]any)
	if !ok {
		c.at(f.at.Key, "%s must be a table, not %s", f.path, tomlType(f.v))
	}
	return m, ok
}

func (c *checker) boolean(f field) (bool, bool) {
	b, ok := f.v.(bool)
	if !ok {
		c.at(f.at.Value, "%s must be true or false, not %s", f.path, tomlType(f.v))
	}
	return b, ok
}

func (c *checker) integer(f field) (int64, bool) {
	n, ok := f.v.(int64)
	if !ok {
		c.at(f.at.Value, "%s must be an integer, not %s", f.path, tomlType(f.v))
	}
	return n, ok
}

// amount accepts a non-negative number, integer or not (USD).
func (c *checker) amount(f field) float64 {
	var v float64
	switch n := f.v.(type) {
	case int64:
		v = float64(n)
	case float64:
		v = n
	default:
		c.at(f.at.Value, "%s must be a number, not %s", f.path, tomlType(f.v))
		return 0
	}
	if v <= 0 || v != v {
		c.at(f.at.Value, "%s must be more than 0", f.path)
		return 0
	}
	return v
}

func (c *checker) positive(f field, def int) int {
	n, ok := c.integer(f)
	if !ok {
		return def
	}
	if n < 1 {
		c.at(f.at.Value, "%s must be at least 1", f.path)
		return def
	}
	return int(n)
}

func (c *checker) duration(f field) (time.Duration, bool) {
	s, ok := f.v.(string)
	if !ok {
		c.at(f.at.Value, "%s must be a duration string such as \"300ms\" or \"2m\", not %s", f.path, tomlType(f.v))
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		c.at(f.at.Value, "%s: bad duration %q (write e.g. \"300ms\", \"2s\" or \"10m\")", f.path, s)
		return 0, false
	}
	if d < 0 {
		c.at(f.at.Value, "%s must not be negative", f.path)
		return 0, false
	}
	return d, true
}

func (c *checker) durationOr(f field, def time.Duration) time.Duration {
	if d, ok := c.duration(f); ok {
		return d
	}
	return def
}

// rulePos maps a 1-based line and column inside a string value to the
// position in the file, accounting for the string's delimiter.
func rulePos(at keyPos, line, col int) Pos {
	p := at.Value
	switch {
	case at.Newline:
		p.Line += line
		p.Col = col
	case line > 1:
		p.Line += line - 1
		p.Col = col
	default:
		p.Col += len(at.Delim) + col - 1
	}
	return p
}

var templateLine = regexp.MustCompile(`^template: [^:]*:(\d+):\s*(.*)$`)

func templateErrLine(err error) (int, string) {
	m := templateLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 1, err.Error()
	}
	n, _ := strconv.Atoi(m[1])
	return n, m[2]
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case time.Time:
		return "a date"
	}
	return fmt.Sprintf("%T", v)
}

func kindList() string {
	var names []string
	for _, k := range event.Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

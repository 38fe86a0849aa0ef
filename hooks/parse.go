package hooks

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

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
	if off := tooDeep(data, maxNesting); off >= 0 {
		// The TOML parser's cost grows with nesting: 1 MB of "[[[[…" took
		// half a gigabyte, and a clone's file is parsed before it is
		// trusted.
		p := Problem{Pos: Pos{File: src.Path}, Message: fmt.Sprintf("syntax: arrays and tables nested more than %d deep", maxNesting)}
		p.Pos.Line, p.Pos.Col = lineCol(data, off)
		return parsedFile{}, &p
	}
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
				hookOrder = c.hookTables(pf, f, hooks, hookOrder)
			default:
				c.unknown(f.at.Key, k, "at the top level", topKeys)
				c.unloaded = append(c.unloaded, unloadedTable(f.at.Key, k, f.v)...)
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
	cfg.Unloaded = append(cfg.Unloaded, c.unloaded...)
	sort.SliceStable(c.probs, func(i, j int) bool {
		a, b := c.probs[i].Pos, c.probs[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
	})
	return cfg, c.probs
}

// hookTables gathers the [[hook]] tables of one file into hooks, by name,
// merged over those of earlier files; order is the order names first came.
func (c *checker) hookTables(pf parsedFile, f field, hooks map[string]*table, order []string) []string {
	list, ok := f.v.([]map[string]any)
	if !ok {
		c.at(f.at.Key, "hook must be an array of tables: write each hook under [[hook]]")
		c.unloaded = append(c.unloaded, unloadedTable(f.at.Key, "hook", f.v)...)
		return order
	}
	seen := map[string]Pos{}
	for i, hm := range list {
		t := pf.table("hook."+strconv.Itoa(i), hm)
		// A hook whose name is missing or wrong is not loaded; if it is
		// a guard, it refuses what it may guard rather than vanish.
		before := len(c.probs)
		nf, ok := t.fields["name"]
		if !ok {
			c.at(t.header, "hook has no name")
			c.unloaded = append(c.unloaded, unloadedHook("", t, c.probs[before:])...)
			continue
		}
		name, ok := c.str(nf)
		if !ok {
			c.unloaded = append(c.unloaded, unloadedHook("", t, c.probs[before:])...)
			continue
		}
		if !validName.MatchString(name) {
			c.at(nf.at.Value, "hook name %q must match [a-z0-9][a-z0-9-]*", name)
			c.unloaded = append(c.unloaded, unloadedHook("", t, c.probs[before:])...)
			continue
		}
		if prev, dup := seen[name]; dup {
			c.at(nf.at.Value, "duplicate hook name %q (first declared at line %d)", name, prev.Line)
			c.unloaded = append(c.unloaded, unloadedHook(name, t, Problems{{Pos: nf.at.Value, Message: fmt.Sprintf("duplicate hook name %q", name)}})...)
			continue
		}
		seen[name] = nf.at.Value
		if hooks[name] == nil {
			hooks[name] = &table{}
			order = append(order, name)
		}
		hooks[name].overlay(t)
	}
	return order
}

// maxNesting bounds how deep a config file's arrays and inline tables go;
// hookd's own keys need three.
const maxNesting = 32

// tooDeep returns the offset where data's values, or a line's dotted key,
// nest deeper than max, or -1. It follows TOML closely enough to skip strings and comments.
func tooDeep(data []byte, max int) int {
	depth, dots := 0, 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			dots = 0
		case '.':
			// A dotted key (a.b.c = 1, [a.b.c]) nests as deep as its dots:
			// the parser's cost grows with their square.
			if dots++; dots > max {
				return i
			}
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case '"', '\'':
			multi := i+2 < len(data) && data[i+1] == c && data[i+2] == c
			if multi {
				i += 3
				for i+2 < len(data) && !(data[i] == c && data[i+1] == c && data[i+2] == c) {
					if c == '"' && data[i] == '\\' {
						i++
					}
					i++
				}
				i += 2
				continue
			}
			for i++; i < len(data) && data[i] != c && data[i] != '\n'; i++ {
				if c == '"' && data[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			if depth++; depth > max {
				return i
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return -1
}

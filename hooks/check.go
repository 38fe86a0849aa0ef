package hooks

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/internal/suggest"
)

// checker collects problems while converting raw TOML values.
type checker struct {
	probs Problems
	// unloaded are the guards that a problem found while building may
	// have made vanish (an unknown table, a duplicate name).
	unloaded []Unloaded
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

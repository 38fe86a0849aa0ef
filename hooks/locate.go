package hooks

import (
	"strconv"
	"strings"
)

// Pos is a 1-based position in a config file.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// keyPos records where a key and its value start.
type keyPos struct {
	Key   Pos
	Value Pos
	// Delim is the value's opening string delimiter (`"`, `'`, `"""`, `'''`),
	// empty when the value is not a string. Rule positions need it to map a
	// column inside the string to a column in the file.
	Delim string
	// Newline is true when a multi-line string starts with a newline, which
	// TOML trims.
	Newline bool
}

// locateKeys finds where each key of a syntactically valid TOML document
// is written. BurntSushi/toml keeps one position per key path, so in an
// array of tables every [[hook]] but the last would get the wrong line;
// this scanner numbers them instead. Keys are paths with array-of-tables
// indices, such as "hook.2.if" or "agent.claude.preset"; a table header is
// recorded under its own path.
//
// It understands the subset of TOML that matters for positions: headers,
// dotted and quoted keys, strings of all four kinds, and values that span
// lines. It never fails: an odd line only loses its position.
func locateKeys(file string, src []byte) map[string]keyPos {
	out := map[string]keyPos{}
	arrays := map[string]int{} // array-of-tables path -> current index
	var table []string
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")

	// resolve inserts the current index after every segment that is an
	// array of tables, so "hook.name" inside the third [[hook]] is
	// "hook.2.name".
	resolve := func(segs []string) []string {
		var res []string
		for _, s := range segs {
			res = append(res, s)
			if n, ok := arrays[strings.Join(res, ".")]; ok {
				res = append(res, strconv.Itoa(n))
			}
		}
		return res
	}

	var sc valueScanner
	for i, line := range lines {
		lineNo := i + 1
		if sc.open() {
			sc.scan(line)
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if strings.HasPrefix(trimmed, "[[") {
			end := strings.Index(trimmed, "]]")
			if end < 0 {
				continue
			}
			segs := splitKey(trimmed[2:end])
			parent := resolve(segs[:len(segs)-1])
			base := strings.Join(append(parent, segs[len(segs)-1]), ".")
			if n, ok := arrays[base]; ok {
				arrays[base] = n + 1
			} else {
				arrays[base] = 0
			}
			table = append(strings.Split(base, "."), strconv.Itoa(arrays[base]))
			p := Pos{File: file, Line: lineNo, Col: indent + 1}
			out[strings.Join(table, ".")] = keyPos{Key: p, Value: p}
			continue
		}
		if trimmed[0] == '[' {
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				continue
			}
			table = resolve(splitKey(trimmed[1:end]))
			p := Pos{File: file, Line: lineNo, Col: indent + 1}
			out[strings.Join(table, ".")] = keyPos{Key: p, Value: p}
			continue
		}
		eq := keyEnd(trimmed)
		if eq < 0 {
			continue
		}
		key := append(append([]string{}, table...), splitKey(trimmed[:eq])...)
		rest := trimmed[eq+1:]
		valueOff := indent + eq + 1 + (len(rest) - len(strings.TrimLeft(rest, " \t")))
		value := strings.TrimLeft(rest, " \t")
		kp := keyPos{
			Key:   Pos{File: file, Line: lineNo, Col: indent + 1},
			Value: Pos{File: file, Line: lineNo, Col: valueOff + 1},
		}
		for _, d := range []string{`"""`, `'''`, `"`, `'`} {
			if strings.HasPrefix(value, d) {
				kp.Delim = d
				kp.Newline = len(d) == 3 && strings.TrimRight(value[3:], " \t") == ""
				break
			}
		}
		out[strings.Join(key, ".")] = kp
		sc.scan(value)
	}
	return out
}

// keyEnd returns the index of the `=` that ends the key on a key/value
// line, skipping quoted key parts, or -1.
func keyEnd(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '=':
			return i
		case c == '#':
			return -1
		}
	}
	return -1
}

// splitKey splits a dotted TOML key, unquoting quoted parts.
func splitKey(s string) []string {
	var parts []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' && i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			} else if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		case c == ' ' || c == '\t':
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

// valueScanner tracks whether a value continues on the next line: an open
// multi-line string or an unclosed array or inline table.
type valueScanner struct {
	multi string // open multi-line string delimiter
	depth int    // open [ and {
}

func (v *valueScanner) open() bool { return v.multi != "" || v.depth > 0 }

func (v *valueScanner) scan(s string) {
	for i := 0; i < len(s); i++ {
		if v.multi != "" {
			if v.multi == `"""` && s[i] == '\\' {
				i++
				continue
			}
			if strings.HasPrefix(s[i:], v.multi) {
				i += len(v.multi) - 1
				v.multi = ""
			}
			continue
		}
		switch c := s[i]; c {
		case '#':
			return
		case '[', '{':
			v.depth++
		case ']', '}':
			if v.depth > 0 {
				v.depth--
			}
		case '"', '\'':
			d := string(c)
			if strings.HasPrefix(s[i:], d+d+d) {
				v.multi = d + d + d
				i += 2
				continue
			}
			// A single-line string ends on this line.
			for i++; i < len(s) && s[i] != c; i++ {
				if c == '"' && s[i] == '\\' {
					i++
				}
			}
		}
	}
}

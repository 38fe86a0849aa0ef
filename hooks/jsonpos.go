package hooks

import (
	"bytes"
	"encoding/json"
)

// jsonKeyPos finds where a key of a JSON document is, by its path of
// object keys (string) and array indexes (int): the position of the
// deepest part of the path the document has, so a problem with
// then.type points at "type", or at "then" when it has no type. ok is
// false when not even the first part is there.
func jsonKeyPos(path string, data []byte, keys ...any) (Pos, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	off, found := seekKey(dec, keys, -1)
	if found < 0 {
		return Pos{}, false
	}
	before := data[:min(int(off), len(data))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return Pos{File: path, Line: line, Col: col}, true
}

// seekKey reads the value dec is at, looking for keys in it; it returns
// the offset of the deepest key found and how deep it is (-1: none).
func seekKey(dec *json.Decoder, keys []any, depth int) (int64, int) {
	best, bestDepth := int64(0), -1
	tok, err := dec.Token()
	if err != nil || len(keys) == 0 {
		return best, bestDepth
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return best, bestDepth
	}
	switch d {
	case '{':
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return best, bestDepth
			}
			key, _ := k.(string)
			if want, ok := keys[0].(string); ok && key == want && bestDepth < 0 {
				quoted, _ := json.Marshal(key)
				best, bestDepth = dec.InputOffset()-int64(len(quoted)), depth+1
				if len(keys) > 1 {
					if off, dd := seekKey(dec, keys[1:], depth+1); dd > bestDepth {
						best, bestDepth = off, dd
					}
					return best, bestDepth // the rest does not matter
				}
			}
			if !skipValue(dec) {
				return best, bestDepth
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if want, ok := keys[0].(int); ok && want == i && bestDepth < 0 {
				best, bestDepth = dec.InputOffset(), depth+1
				if len(keys) > 1 {
					if off, dd := seekKey(dec, keys[1:], depth+1); dd > bestDepth {
						best, bestDepth = off, dd
					}
					return best, bestDepth
				}
			}
			if !skipValue(dec) {
				return best, bestDepth
			}
		}
	}
	_, _ = dec.Token() // the closing delimiter
	return best, bestDepth
}

// skipValue reads one whole value; false when the document is broken
// there (a decoder that has failed keeps saying More).
func skipValue(dec *json.Decoder) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		for dec.More() {
			if d == '{' {
				if _, err := dec.Token(); err != nil {
					return false
				}
			}
			if !skipValue(dec) {
				return false
			}
		}
		if _, err := dec.Token(); err != nil {
			return false
		}
	}
	return true
}

package layout

// StripJSONC makes JSON with comments (tsconfig.json's dialect: // and
// /* */ comments, commas before a closing bracket) plain JSON: comments
// become spaces, so offsets stay where they were, and a trailing comma is
// dropped. Strings are copied untouched, escapes and all.
func StripJSONC(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(data))
			out = append(out, data[i:end]...)
			i = end - 1
		case c == '/' && i+1 < len(data) && data[i+1] == '/':
			for i < len(data) && data[i] != '\n' {
				out = append(out, ' ')
				i++
			}
			if i < len(data) {
				out = append(out, '\n')
			}
		case c == '/' && i+1 < len(data) && data[i+1] == '*':
			j := i + 2
			for j+1 < len(data) && !(data[j] == '*' && data[j+1] == '/') {
				j++
			}
			end := min(j+2, len(data))
			for k := i; k < end; k++ {
				if data[k] == '\n' {
					out = append(out, '\n')
				} else {
					out = append(out, ' ')
				}
			}
			i = end - 1
		case c == ']' || c == '}':
			// A comma with only space (or comments, now spaces) before the
			// bracket is dropped.
			k := len(out) - 1
			for k >= 0 && (out[k] == ' ' || out[k] == '\n' || out[k] == '\t' || out[k] == '\r') {
				k--
			}
			if k >= 0 && out[k] == ',' {
				out[k] = ' '
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

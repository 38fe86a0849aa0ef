// Package human owns the small wordings of counts and sizes that hookd's
// command-line output shares: "1 hook", "2 hooks", a clipped line, a byte
// count as people read it.
package human

import "fmt"

// Plural says "1 place", "2 places".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Pick is a when cond holds, else b.
func Pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// Clip shortens s to n runes, the last an ellipsis, when it is longer.
func Clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Bytes says a byte count as people read it.
func Bytes(n int) string {
	switch {
	case n < 1<<10:
		return Plural(n, "byte", "bytes")
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

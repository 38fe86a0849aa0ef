// Package suggest finds the "did you mean" of a name that matches none:
// the known name nearest to it by edit distance, when it is close enough
// to be a likely typo.
package suggest

// Nearest is the name of names nearest to s, when fewer than limit edits
// away; "" when none is.
func Nearest(s string, names []string, limit int) string {
	best, bestD := "", limit
	for _, n := range names {
		if d := Distance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

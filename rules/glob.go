package rules

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Globs is a compiled list of path patterns. A pattern that starts with `!`
// excludes; a pattern with no `/` matches the base name at any depth, so
// "*.go" matches "a/b/c.go". Paths are repository-relative with forward
// slashes.
type Globs struct {
	include []string
	exclude []string
}

// CompileGlobs validates patterns and returns the compiled list. The error
// names the first bad pattern.
func CompileGlobs(patterns []string) (Globs, error) {
	var g Globs
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		expanded, err := normalizeGlob(strings.TrimPrefix(p, "!"))
		if err != nil {
			return Globs{}, err
		}
		if neg {
			g.exclude = append(g.exclude, expanded)
		} else {
			g.include = append(g.include, expanded)
		}
	}
	return g, nil
}

// Empty reports whether the list has no patterns at all.
func (g Globs) Empty() bool { return len(g.include) == 0 && len(g.exclude) == 0 }

// Match reports whether rel is selected: it matches an include pattern (or
// there are none) and no exclude pattern.
func (g Globs) Match(rel string) bool {
	if len(g.include) > 0 && !anyMatch(g.include, rel) {
		return false
	}
	return !anyMatch(g.exclude, rel)
}

func anyMatch(patterns []string, rel string) bool {
	for _, p := range patterns {
		if doublestar.MatchUnvalidated(p, rel) {
			return true
		}
	}
	return false
}

// MatchGlob reports whether rel matches one pattern, with the same rules as
// [Globs]. An invalid pattern matches nothing.
func MatchGlob(pattern, rel string) bool {
	p, err := normalizeGlob(pattern)
	if err != nil {
		return false
	}
	return doublestar.MatchUnvalidated(p, rel)
}

func normalizeGlob(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty glob pattern")
	}
	p = strings.TrimPrefix(p, "./")
	p = strings.TrimPrefix(p, "/")
	if !strings.Contains(p, "/") {
		p = "**/" + p
	}
	if !doublestar.ValidatePattern(p) {
		return "", fmt.Errorf("bad glob pattern %q", p)
	}
	return p, nil
}

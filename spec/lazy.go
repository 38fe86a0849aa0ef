package spec

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles a pattern the first time it is used: the CLI links
// this package into every verb (an agent's hook among them), and 46
// patterns compiled at start cost over a millisecond each time.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

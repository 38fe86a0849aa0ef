package hooks

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Lint finds what loads but will not do what its author meant: a `paths`
// list that matches no file of the repository, a workdir that does not
// exist, a Kiro command that relies on a placeholder nothing fills, an
// agent setting its CLI does not honour (agentcli's Warnings). files
// are the repository's files, repository-relative. Each warning is at the
// hook's declaration.
func Lint(cfg *Config, root string, files []string) []Problem {
	var out []Problem
	for _, h := range cfg.Hooks {
		warn := func(format string, args ...any) {
			out = append(out, Problem{Pos: h.Pos, Message: fmt.Sprintf("hook %q: ", h.Name) + fmt.Sprintf(format, args...)})
		}
		if h.HasPaths() && files != nil && !h.matchesAny(files) {
			warn("paths %s match no file in the repository, so it can never run for a file", strings.Join(quoteAll(h.Paths), ", "))
		}
		if h.Workdir != "" {
			if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(h.Workdir))); err != nil || !fi.IsDir() {
				warn("workdir %q is not a directory of the repository", h.Workdir)
			}
		}
		for _, w := range h.PlaceholderWarnings() {
			warn("%s", w)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Agents)) {
		a := cfg.Agents[name]
		if cli := a.CLI(); cli != nil {
			for _, w := range cli.Warnings(a.Spec()) {
				out = append(out, Problem{Pos: a.Pos, Message: fmt.Sprintf("[agent.%s]: %s", name, w)})
			}
		}
	}
	return out
}

func (h *Hook) matchesAny(files []string) bool {
	for _, f := range files {
		if h.MatchPath(f) {
			return true
		}
	}
	return false
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// kiroPlaceholder is a placeholder seen in Kiro commands in the wild that
// Kiro does not document: ${file}, $file, {{filePath}}, $KIRO_HOOK_FILE.
var kiroPlaceholder = regexp.MustCompile(`\$\{file\}|\$file\b|\{\{\s*filePath\s*\}\}|\$\{?KIRO_HOOK_FILE\}?`)

// PlaceholderWarnings says, for a Kiro hook's command, which placeholders
// it uses that nothing fills: under sh -c they expand to nothing, or stay
// as written. hookd splices no file name into a command; the files are in
// HOOKD_FILES and HOOKD_FILES0.
func (h *Hook) PlaceholderWarnings() []string {
	if h.Origin != OriginKiro || h.Run.Shell == "" {
		return nil
	}
	var out []string
	for _, p := range slices.Compact(slices.Sorted(slices.Values(kiroPlaceholder.FindAllString(h.Run.Shell, -1)))) {
		out = append(out, fmt.Sprintf("its command uses %s, which Kiro does not document and hookd does not fill (it expands to nothing); "+
			`the changed files are in $HOOKD_FILES, one per line, e.g. printf '%%s\n' "$HOOKD_FILES" | xargs -r CMD`, p))
	}
	return out
}

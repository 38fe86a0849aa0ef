package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"

	"github.com/hookd-dev/hookd/safefile"
)

// KiroHooks are the hooks of cfg that come from .kiro/hooks.
func KiroHooks(cfg *Config) []*Hook {
	var out []*Hook
	for _, h := range cfg.Hooks {
		if h.Origin == OriginKiro {
			out = append(out, h)
		}
	}
	return out
}

// AppendToRepoFile appends text to the repository's hookd.toml (making
// it when there is none) by rewriting the file whole, never through a
// symlink.
func AppendToRepoFile(root, text string) error {
	current, err := safefile.ReadInside(root, RepoFile, MaxConfigFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return safefile.WriteInside(root, RepoFile, append(current, "\n"+text...), 0o644)
}

// KiroTOML renders Kiro hooks as hookd.toml blocks (what `hookd kiro
// import` prints); n is how many. root is the repository's, for the
// files' names.
func KiroTOML(hs []*Hook, root string) (text string, n int, err error) {
	var b strings.Builder
	b.WriteString("# Imported from .kiro/hooks by `hookd kiro import`.\n")
	for _, h := range hs {
		rel, _ := filepath.Rel(root, h.Pos.File)
		if h.Disabled != "" && len(h.On) == 0 {
			fmt.Fprintf(&b, "\n# %s (%s) is not imported: %s.\n", oneLine(rel), oneLine(h.Title), oneLine(h.Disabled))
			continue
		}
		if h.Builtin == BuiltinContinue {
			fmt.Fprintf(&b, "\n# %s (%s) is not imported: its askAgent speaks into the session that stopped, which .kiro/hooks does and a hookd.toml hook does with a run that prints {\"decision\": \"continue\", \"reason\": …}.\n", oneLine(rel), oneLine(h.Title))
			continue
		}
		if h.Builtin == BuiltinContext {
			// Its prompt is text for the session; as a shell string it
			// would be a command, so it is not written as one.
			fmt.Fprintf(&b, "\n# %s (%s) is not imported: its askAgent gives the agent's session context, which .kiro/hooks does and a hookd.toml hook does with run = \"cat FILE\".\n", oneLine(rel), oneLine(h.Title))
			continue
		}
		block := map[string]any{"name": h.Name, "on": h.On}
		desc := h.Title
		if h.Description != "" {
			desc += ": " + h.Description
		}
		block["description"] = desc
		if len(h.Paths) > 0 {
			block["paths"] = h.Paths
		}
		var conds []string
		if !h.If.IsZero() {
			conds = append(conds, h.If.Source())
		}
		if h.PathRegexp != nil {
			conds = append(conds, fmt.Sprintf("any(files, .path matches %q)", h.PathRegexp.String()))
		}
		if len(conds) > 0 {
			block["if"] = strings.Join(conds, " && ")
		}
		if !h.Enabled {
			block["enabled"] = false
		}
		if h.Blocking {
			block["blocking"] = true // a session command answers the agent
		}
		// The prompt or command goes last, as a multi-line string: a
		// Kiro prompt is kilobytes of prose.
		var last string
		switch h.Action() {
		case "run":
			last = "run = " + tomlText(h.Run.Shell)
			if h.Timeout > 0 && h.Timeout != DefaultTimeout {
				block["timeout"] = h.Timeout.String()
			}
		default:
			// Kiro prompts are text; in hookd.toml a prompt is a template,
			// so braces are escaped and what happened is said at the end.
			prompt := strings.ReplaceAll(h.Prompt, "{{", `{{"{{"}}`)
			last = "prompt = " + tomlText(strings.TrimRight(prompt, "\n")+"\n\n(hookd: {{.event.kind}}{{range .files}} {{.path}}{{end}})\n")
			block["agent"] = h.Agent
		}
		var buf bytes.Buffer
		if err := toml.NewEncoder(&buf).Encode(map[string]any{"hook": []map[string]any{block}}); err != nil {
			return "", 0, err
		}
		fmt.Fprintf(&b, "\n# from %s\n", oneLine(rel))
		for _, w := range h.PlaceholderWarnings() {
			fmt.Fprintf(&b, "# note: %s\n", oneLine(w))
		}
		fmt.Fprintf(&b, "%s  %s\n", buf.String(), last)
		n++
	}
	return b.String(), n, nil
}

// oneLine makes text from a repository's files safe for one line of a
// comment: control characters (a newline that would start a line of
// TOML) are written as escapes.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// tomlText writes s as a TOML string a person can read: one line when it
// is one, else a multi-line string, literal (”'…”') when nothing in it
// needs an escape, basic ("""…""") with escapes when something does.
func tomlText(s string) string {
	if !strings.Contains(s, "\n") {
		var buf bytes.Buffer
		if err := toml.NewEncoder(&buf).Encode(map[string]string{"s": s}); err == nil {
			return strings.TrimSpace(strings.TrimPrefix(buf.String(), "s = "))
		}
	}
	if !strings.Contains(s, "'''") && !strings.HasSuffix(s, "'") && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t'
	}) {
		return "'''\n" + s + "'''"
	}
	var b strings.Builder
	b.WriteString(`"""` + "\n")
	quotes := 0
	for _, r := range s {
		switch {
		case r == '"':
			quotes++
			if quotes == 3 { // never three in a row: that would end the string
				b.WriteString(`\"`)
				quotes = 0
				continue
			}
		default:
			quotes = 0
		}
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	if strings.HasSuffix(s, `"`) {
		b.WriteString("\\\n") // a line-ending backslash: the closing quotes stand apart
	}
	b.WriteString(`"""`)
	return b.String()
}

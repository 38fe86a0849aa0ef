package spec

import (
	"bufio"
	"bytes"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// What the index reads of the repository's own settings
//
// Two files of the repository say how its citations are read, and the
// index reads them as it reads any file, so that the daemon, `hookd trace`
// in process and replay's worktrees all answer alike, and an edit to them
// takes effect with the next question:
//
//   - hookd.toml's [trace] scope, exclude and include: which spec a
//     folder's citations mean, and which paths are not code;
//   - .gitattributes: paths marked linguist-generated or linguist-vendored
//     are not the repository's own code.
//
// hooks.Load validates hookd.toml and reports its mistakes with their
// line and column; here a file that does not decode is read as saying
// nothing.

// DefaultExclude are the paths never indexed for citations unless [trace]
// include names them: the templates and commands spec tools and agent CLIs
// install (Spec Kit's .specify/templates/ and its speckit.* commands for
// each agent, agent definitions such as .claude/agents/*.md), whose
// "Requirement 1 …" placeholders are not citations, and vendored trees.
// docs/specs.md lists them.
var DefaultExclude = []string{
	".specify/",
	".claude/commands/", ".claude/agents/",
	".codex/prompts/",
	".gemini/commands/",
	".github/prompts/", ".github/agents/", ".github/chatmodes/",
	".cursor/commands/", ".cursor/rules/",
	".windsurf/workflows/", ".kilocode/workflows/", ".roo/commands/", ".qwen/commands/",
	".opencode/command/", ".opencode/agent/", ".augment/commands/", ".amazonq/prompts/",
	".kiro/steering/", ".kiro/settings/",
	"**/node_modules/", "vendor/", "**/third_party/",
}

// settings are what the index read of hookd.toml and .gitattributes.
type settings struct {
	// scopes are [trace] scope: folder (no trailing slash) → spec, longest
	// folder first.
	scopes []folderScope
	// exclude and include are [trace]'s globs; generated the paths
	// .gitattributes marks generated or vendored.
	exclude, include, generated []*regexp.Regexp
}

type folderScope struct{ folder, spec string }

// traceSettings is the part of hookd.toml the index reads.
type traceSettings struct {
	Trace struct {
		Scope   map[string]string `toml:"scope"`
		Exclude []string          `toml:"exclude"`
		Include []string          `toml:"include"`
	} `toml:"trace"`
}

// readHookdToml reads [trace] scope, exclude and include into s.
func (s *settings) readHookdToml(data []byte) {
	var t traceSettings
	s.scopes, s.exclude, s.include = nil, nil, nil
	if _, err := toml.Decode(string(data), &t); err != nil {
		return
	}
	for folder, spec := range t.Trace.Scope {
		folder = strings.Trim(path.Clean("/"+folder), "/")
		s.scopes = append(s.scopes, folderScope{folder, spec})
	}
	sort.Slice(s.scopes, func(i, j int) bool {
		if len(s.scopes[i].folder) != len(s.scopes[j].folder) {
			return len(s.scopes[i].folder) > len(s.scopes[j].folder)
		}
		return s.scopes[i].folder < s.scopes[j].folder
	})
	s.exclude, s.include = globs(t.Trace.Exclude), globs(t.Trace.Include)
}

// readGitattributes reads the paths marked linguist-generated or
// linguist-vendored (set, or =true) into s.
func (s *settings) readGitattributes(data []byte) {
	s.generated = nil
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		for _, a := range f[1:] {
			if a == "linguist-generated" || a == "linguist-generated=true" || a == "linguist-vendored" || a == "linguist-vendored=true" {
				if re := Glob(f[0]); re != nil {
					s.generated = append(s.generated, re)
				}
				break
			}
		}
	}
}

func globs(pats []string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, p := range pats {
		if re := Glob(p); re != nil {
			out = append(out, re)
		}
	}
	return out
}

// excluded reports whether the file is out of the citation index: a
// default path or one [trace] exclude or .gitattributes names, unless
// [trace] include names it.
func (s *settings) excluded(file string) bool {
	if matchAny(s.include, file) {
		return false
	}
	return matchAny(defaultExclude(), file) || matchAny(s.exclude, file) || matchAny(s.generated, file)
}

var defaultExclude = sync.OnceValue(func() []*regexp.Regexp { return globs(DefaultExclude) })

func matchAny(res []*regexp.Regexp, file string) bool {
	return slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(file) })
}

// scopeOf is the spec [trace] scope gives the file's folder, "" for none.
func (s *settings) scopeOf(file string) string {
	for _, f := range s.scopes {
		if f.folder == "" || f.folder == "." || strings.HasPrefix(file, f.folder+"/") {
			return f.spec
		}
	}
	return ""
}

// Glob compiles a path pattern as .gitignore and .gitattributes write
// them: one with no slash but a trailing one matches a name at any depth;
// one with a slash is anchored at the root; "**" spans directories; a
// trailing slash matches everything under a directory. nil for an empty
// pattern or a negation, which these lists do not take.
func Glob(pat string) *regexp.Regexp {
	pat = strings.TrimSpace(pat)
	if pat == "" || strings.HasPrefix(pat, "!") {
		return nil
	}
	dir := strings.HasSuffix(pat, "/")
	pat = strings.TrimSuffix(pat, "/")
	anchored := strings.Contains(pat, "/")
	pat = strings.TrimPrefix(pat, "/")
	var b strings.Builder
	b.WriteString("^")
	if !anchored {
		b.WriteString("(?:.*/)?")
	}
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case strings.HasPrefix(pat[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pat[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if dir {
		b.WriteString("/.*$")
	} else {
		b.WriteString("(?:/.*)?$")
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	return re
}

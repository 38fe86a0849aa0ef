// Package starter writes the first hookd.toml of a repository (`hookd
// init`): it finds the spec tools in use, the projects below the root and
// the commands they really have, and the agent CLIs on PATH, and renders a
// commented config from what it found. It proposes no command a project
// does not have and no path that matches no file.
package starter

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/layout"
)

// Project is one project the layout found (package internal/layout):
// its directory, its commands and the globs of its sources.
type Project = layout.Project

// Layout is what the repository holds: the spec tools in use, the
// projects and what was left out, and the agent CLI found.
type Layout struct {
	Kiro, SpecKit, OpenSpec, AgentsMD bool
	layout.Layout
	// Agent is the first agent preset whose CLI is on PATH.
	Agent string
}

// Specs reports whether any spec tool is in use.
func (l Layout) Specs() bool { return l.Kiro || l.SpecKit || l.OpenSpec }

// Blocking reports whether the config has a blocking pre-commit hook,
// which needs the git shims.
func (l Layout) Blocking() bool {
	for _, p := range l.Projects {
		if p.Lint != "" {
			return true
		}
	}
	return false
}

// Detect looks at root, whose files (repository-relative, as the watcher
// sees them: .gitignore respected) are given, and at PATH through
// lookPath.
func Detect(root string, files []string, lookPath func(string) (string, error)) Layout {
	has := map[string]bool{}
	for _, f := range files {
		has[f] = true
	}
	under := func(prefix string) bool {
		for _, f := range files {
			if strings.HasPrefix(f, prefix) {
				return true
			}
		}
		return false
	}
	l := Layout{
		Kiro:     under(".kiro/"),
		SpecKit:  under(".specify/") || under("specs/"),
		OpenSpec: under("openspec/"),
		AgentsMD: has["AGENTS.md"],
		Layout:   layout.Detect(root, files, lookPath),
	}
	for _, preset := range hooks.Presets() { // in the order of preference
		if bin := (&hooks.Agent{Preset: preset}).Program(); bin != "" {
			if _, err := lookPath(bin); err == nil {
				l.Agent = preset
				break
			}
		}
	}
	return l
}

// hookPrefix is the prefix of a project's hooks' names: "" for the root,
// else its directory as a name ("apps/web" → "apps-web").
func hookPrefix(p Project) string {
	return strings.Trim(nonName.ReplaceAllString(strings.ToLower(p.Dir), "-"), "-")
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

//go:embed starter.tmpl
var starterTmpl string

var tmpl = template.Must(template.New("hookd.toml").Funcs(template.FuncMap{
	"q":    func(s string) string { return fmt.Sprintf("%q", s) },
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"qs": func(s []string) string {
		var out []string
		for _, v := range s {
			out = append(out, fmt.Sprintf("%q", v))
		}
		return strings.Join(out, ", ")
	},
	"hookName": func(p Project, what string) string {
		if n := hookPrefix(p); n != "" {
			return n + "-" + what
		}
		return what
	},
	"why": func(p Project) string { return strings.Join(p.Why, "; ") },
}).Parse(starterTmpl))

// Config renders the hookd.toml that fits the layout.
func (l Layout) Config() (string, error) {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, l); err != nil {
		return "", fmt.Errorf("render the starter config: %w", err)
	}
	return b.String(), nil
}

// HasHooks reports whether the layout gives any hook of its own: a project
// command or a spec tool.
func (l Layout) HasHooks() bool {
	for _, p := range l.Projects {
		if p.Tests != "" || p.Lint != "" {
			return true
		}
	}
	return l.Specs()
}

// Describe says in one line what was found.
func (l Layout) Describe() string {
	var parts []string
	for _, f := range []struct {
		on   bool
		name string
	}{{l.Kiro, "Kiro (.kiro/)"}, {l.SpecKit, "Spec Kit"}, {l.OpenSpec, "OpenSpec"}, {l.AgentsMD, "AGENTS.md"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	for _, w := range l.Workspaces {
		parts = append(parts, fmt.Sprintf("a %s workspace at %s (%d members)", w.Tool, Project{Dir: w.Dir}.Where(), len(w.Members)))
	}
	switch n := len(l.Projects); {
	case n == 1:
		p := l.Projects[0]
		parts = append(parts, fmt.Sprintf("a %s project %s", p.Kind, strings.Replace(p.Where(), "the root", "at the root", 1)))
	case n > 1:
		var names []string
		for _, p := range l.Projects {
			names = append(names, p.Kind+" in "+p.Where())
		}
		parts = append(parts, fmt.Sprintf("%d projects (%s)", n, strings.Join(names, ", ")))
	}
	if l.Agent != "" {
		parts = append(parts, "the "+l.Agent+" agent CLI")
	} else {
		parts = append(parts, "no agent CLI on PATH")
	}
	return strings.Join(parts, ", ")
}

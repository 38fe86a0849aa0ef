package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/safefile"
)

func newInitCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a hookd.toml that fits this repository",
		Long: `init looks at the repository (Kiro's .kiro/, Spec Kit's specs/ and .specify/,
OpenSpec's openspec/, AGENTS.md, the language by its manifest files) and the
agent CLIs on your PATH, then writes a commented hookd.toml with the hooks that
fit, puts the agent it found in hookd.local.toml (yours, not committed) and adds
that file to .gitignore. It never overwrites a file unless --force.`,
		Example: `  hookd init
  hookd init --force   # write hookd.toml and hookd.local.toml again`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, _, err := g.locate()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			// Refuse before writing anything: a symlink among the targets
			// would be written through.
			for _, rel := range []string{hooks.RepoFile, hooks.LocalFile, ".gitignore"} {
				if fi, err := os.Lstat(filepath.Join(repo.Root, rel)); err == nil && fi.Mode()&fs.ModeSymlink != 0 && (force || rel == ".gitignore") {
					return fmt.Errorf("%s: %w", rel, safefile.ErrSymlink)
				}
			}
			l := detect(repo.Root)
			fmt.Fprintf(out, "found: %s\n", l.describe())
			if err := writeNew(out, repo.Root, hooks.RepoFile, l.config(), force); err != nil {
				return err
			}
			if l.agent != "" {
				local := fmt.Sprintf("# Yours, not committed: which agent CLI you use here.\n[defaults]\nagent = %q\n", l.agent)
				if err := writeNew(out, repo.Root, hooks.LocalFile, local, force); err != nil {
					return err
				}
			}
			if err := ignoreLocal(out, repo.Root); err != nil {
				return err
			}
			fmt.Fprintf(out, "next:\n  hookd check        # validate it\n  hookd trust        # let its hooks run\n")
			if repo.GitDir != "" {
				fmt.Fprintf(out, "  hookd git install  # for the blocking pre-commit hook\n")
			}
			fmt.Fprintf(out, "  hookd start        # the daemon, in the background\n")
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite hookd.toml and hookd.local.toml if they exist")
	return cmd
}

// layout is what init found in the repository.
type layout struct {
	kiro, speckit, openspec, agentsMD bool
	language                          string // go, node, python, rust, or ""
	agent                             string // the first agent CLI on PATH
}

func detect(root string) layout {
	exists := func(p string) bool { _, err := os.Stat(filepath.Join(root, p)); return err == nil }
	l := layout{
		kiro:     exists(".kiro"),
		speckit:  exists(".specify") || exists("specs"),
		openspec: exists("openspec"),
		agentsMD: exists("AGENTS.md"),
	}
	for _, m := range []struct{ file, lang string }{
		{"go.mod", "go"}, {"package.json", "node"}, {"pyproject.toml", "python"}, {"requirements.txt", "python"}, {"Cargo.toml", "rust"},
	} {
		if exists(m.file) {
			l.language = m.lang
			break
		}
	}
	for _, a := range []struct{ preset, bin string }{{"claude", "claude"}, {"codex", "codex"}, {"gemini", "gemini"}, {"kiro", "kiro-cli"}, {"aider", "aider"}} {
		if _, err := exec.LookPath(a.bin); err == nil {
			l.agent = a.preset
			break
		}
	}
	return l
}

func (l layout) describe() string {
	var parts []string
	for _, f := range []struct {
		on   bool
		name string
	}{{l.kiro, "Kiro (.kiro/)"}, {l.speckit, "Spec Kit"}, {l.openspec, "OpenSpec"}, {l.agentsMD, "AGENTS.md"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	if l.language != "" {
		parts = append(parts, "a "+l.language+" project")
	}
	if l.agent != "" {
		parts = append(parts, "the "+l.agent+" agent CLI")
	} else {
		parts = append(parts, "no agent CLI on PATH")
	}
	return strings.Join(parts, ", ")
}

// testCommand is how a project of the language runs its tests and checks.
func (l layout) testCommand() (tests, check, glob, testGlob string) {
	switch l.language {
	case "go":
		return "go test ./...", "go vet ./...", "**/*.go", "!**/*_test.go"
	case "node":
		return "npm test --silent", "npm run lint --if-present", "src/**/*.{js,jsx,ts,tsx}", "!**/*.test.*"
	case "python":
		return "python -m pytest -q", "python -m pyflakes . || true", "**/*.py", "!**/test_*.py"
	case "rust":
		return "cargo test --quiet", "cargo clippy --quiet", "**/*.rs", "!tests/**"
	}
	return "", "", "", ""
}

// config writes the hooks that fit, with comments that teach.
func (l layout) config() string {
	var b strings.Builder
	b.WriteString(`# hookd.toml: the hooks of this repository. Every key is in docs/config.md;
# 'hookd rules' lists what an 'if' rule can read. Check it with 'hookd check'.
version = 1

[defaults]
debounce = "300ms"   # saves within this quiet period run as one batch
`)
	if l.agent != "" && (l.kiro || l.speckit || l.openspec) {
		fmt.Fprintf(&b, "agent = %q       # the agent of prompt hooks; yours can differ in hookd.local.toml\n", l.agent)
	}
	tests, check, glob, testGlob := l.testCommand()
	if tests != "" {
		fmt.Fprintf(&b, `
# Tests follow code: when source changes, run the tests. File names arrive in
# $HOOKD_FILES and on stdin, never spliced into the command.
[[hook]]
name = "tests-follow-code"
on = ["file.saved", "file.created"]
paths = [%q, %q]
mode = "restart"      # a newer save stops a stale run
run = %q

# Checks on pre-commit: a failure stops the commit (needs 'hookd git install').
[[hook]]
name = "checks"
on = "git.pre-commit"
paths = [%q]
blocking = true
run = %q
`, glob, testGlob, tests, glob, check)
	}
	if l.kiro || l.speckit || l.openspec {
		b.WriteString(`
# Impact on spec change: when a requirement changes, list the code, tests and
# tasks that cite it.
[[hook]]
name = "impact"
on = "spec.changed"
if = 'len(spec.modified) + len(spec.removed) > 0'
builtin = "impact"
`)
	}
	if (l.kiro || l.speckit || l.openspec) && l.agent != "" {
		b.WriteString(`
# Tasks follow requirements: ask the agent to bring the tasks in line with
# the changed requirements.
[[hook]]
name = "tasks-follow-requirements"
on = "spec.changed"
if = 'spec.format != "" && len(spec.changed) > 0'
prompt = '''
The requirements {{range .spec.changed}}{{.}} {{end}}of spec {{.spec.name}} changed.
Update its tasks file so the tasks match them. Do not change the requirements.
'''
`)
	}
	if tests == "" && !(l.kiro || l.speckit || l.openspec) {
		b.WriteString(`
# A first hook to start from: list what changed.
[[hook]]
name = "changes"
on = "file.*"
run = 'printf "%s\n" "$HOOKD_FILES"'
`)
	}
	return b.String()
}

// writeNew writes root/rel unless it exists (or force), never through a
// symlink.
func writeNew(out io.Writer, root, rel, content string, force bool) error {
	if _, err := os.Lstat(filepath.Join(root, rel)); err == nil && !force {
		fmt.Fprintf(out, "kept %s: it exists (--force writes it again)\n", rel)
		return nil
	}
	if err := safefile.WriteInside(root, rel, []byte(content), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s\n", rel)
	return nil
}

// ignoreLocal adds hookd.local.toml to .gitignore once.
func ignoreLocal(out io.Writer, root string) error {
	data, err := safefile.ReadInside(root, ".gitignore", 4<<20)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read .gitignore: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == hooks.LocalFile || strings.TrimSpace(line) == "/"+hooks.LocalFile {
			return nil
		}
	}
	text := string(data)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += hooks.LocalFile + "\n"
	if err := safefile.WriteInside(root, ".gitignore", []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "added %s to .gitignore\n", hooks.LocalFile)
	return nil
}

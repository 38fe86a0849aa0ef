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

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/starter"
	"github.com/hookd-dev/hookd/safefile"
)

func newInitCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a hookd.toml that fits this repository",
		Long: `init looks at the repository (Kiro's .kiro/, Spec Kit's specs/ and .specify/,
OpenSpec's openspec/, AGENTS.md), at its projects (go.mod, package.json,
pyproject.toml, Cargo.toml at the root and in directories below it, skipping
what git ignores) and the agent CLIs on your PATH, then writes a commented
hookd.toml with the hooks that fit: each project's own test and check commands
(a package.json's test and lint scripts, pytest and ruff where configured),
run in its directory, for paths that hold its files. It puts the agent it found
in hookd.local.toml (yours, not committed) and adds that file to .gitignore. It
never overwrites a file unless --force.`,
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
			l := starter.Detect(repo.Root, ignore.Walk(repo.Root, repo.GitDir, nil).Files, exec.LookPath)
			fmt.Fprintf(out, "found: %s\n", l.Describe())
			config, err := l.Config()
			if err != nil {
				return err
			}
			if err := writeNew(out, repo.Root, hooks.RepoFile, config, force); err != nil {
				return err
			}
			if l.Agent != "" {
				local := fmt.Sprintf("# Yours, not committed: which agent CLI you use here.\n[defaults]\nagent = %q\n", l.Agent)
				if err := writeNew(out, repo.Root, hooks.LocalFile, local, force); err != nil {
					return err
				}
			}
			if err := ignoreLocal(out, repo.Root); err != nil {
				return err
			}
			fmt.Fprintf(out, "next:\n  hookd check        # validate it\n  hookd trust        # let its hooks run\n")
			if repo.GitDir != "" && l.Blocking() {
				fmt.Fprintf(out, "  hookd git install  # for the blocking pre-commit checks\n")
			}
			fmt.Fprintf(out, "  hookd start        # the daemon, in the background\n")
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite hookd.toml and hookd.local.toml if they exist")
	return cmd
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

package agentcli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A codex patch as codex 0.169.0 hands it to its hooks: every header that
// names a file is a file of the call, a move's destination too.
const codexPatchText = "*** Begin Patch\n*** Update File: src/a.go\n*** Move to: src/b.go\n@@\n-old\n+new\n" +
	"*** Add File: /repo/notes/new.md\n+hello\n*** Delete File: scratch.txt\n*** Update File: src/a.go\n@@\n+again\n*** End Patch"

func TestPatchPaths(t *testing.T) {
	paths, ok := patchPaths(codexPatchText)
	if want := []string{"src/a.go", "src/b.go", "/repo/notes/new.md", "scratch.txt"}; !ok || !slices.Equal(paths, want) {
		t.Errorf("paths %q (%v), want %q", paths, ok, want)
	}
	if _, ok := patchPaths("echo '*** Add File: x'"); ok {
		t.Error("a command without a patch read as one")
	}
	// Lines after the end are not the patch's.
	paths, _ = patchPaths("*** Begin Patch\r\n*** Add File: a.txt\r\n+x\r\n*** End Patch\r\n*** Add File: b.txt\r\n")
	if !slices.Equal(paths, []string{"a.txt"}) {
		t.Errorf("paths %q", paths)
	}
}

// codex's apply_patch tool and a shell command that applies a patch both
// name the patch's files; only the tool's patch is not a shell command.
func TestCodexApplyPatch(t *testing.T) {
	s := Lookup("codex").Sessions()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "sub"), 0o755)
	in := func(tool, command, cwd string) []byte {
		data, _ := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "cwd": cwd, "tool_name": tool, "tool_input": map[string]any{"command": command}})
		return data
	}
	patch := "*** Begin Patch\n*** Update File: .kiro/specs/x/requirements.md\n@@\n+a\n*** Add File: " + root + "/docs/new.md\n+b\n" +
		"*** Delete File: old.txt\n*** Update File: a.txt\n*** Move to: ../moved.txt\n*** End Patch"
	c, err := s.Parse("PreToolUse", in("apply_patch", patch, filepath.Join(root, "sub")), root)
	want := []string{"sub/.kiro/specs/x/requirements.md", "docs/new.md", "sub/old.txt", "sub/a.txt", "moved.txt"}
	if err != nil || !slices.Equal(c.Files, want) || c.Agent.Command != "" || !c.Agent.Writes || c.Agent.Tool != "apply_patch" {
		t.Errorf("apply_patch: files %q command %q writes %v err %v; want files %q and no command", c.Files, c.Agent.Command, c.Agent.Writes, err, want)
	}
	// The heredoc the model may type instead, seen by the hook as Bash
	// (codex 0.169.0), from the directory a leading cd names.
	heredoc := "cd sub && apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: notes/n.md\n+x\n*** End Patch\nEOF"
	c, err = s.Parse("PreToolUse", in("Bash", heredoc, root), root)
	if err != nil || !slices.Equal(c.Files, []string{"sub/notes/n.md"}) || c.Agent.Command != heredoc || !c.Agent.Writes {
		t.Errorf("heredoc: files %q command %q writes %v err %v", c.Files, c.Agent.Command, c.Agent.Writes, err)
	}
	// A patch hookd cannot read names no file: a guard cannot tell, so it
	// is unplaced (refused where a guard may be concerned).
	c, _ = s.Parse("PreToolUse", in("apply_patch", "garbage", root), root)
	if len(c.Unplaced) != 1 || len(c.Files) != 0 {
		t.Errorf("unreadable patch: files %q unplaced %q", c.Files, c.Unplaced)
	}
	// A shell command that only mentions a patch is a shell command.
	c, _ = s.Parse("PreToolUse", in("Bash", "grep -r '*** Begin Patch' .", root), root)
	if len(c.Files) != 0 || c.Agent.Writes {
		t.Errorf("grep: files %q writes %v", c.Files, c.Agent.Writes)
	}
}

func FuzzPatchPaths(f *testing.F) {
	f.Add(codexPatchText)
	f.Add("*** Begin Patch\n*** Add File:\n*** End Patch")
	f.Add("cd 'a b' && apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: x\nEOF")
	f.Fuzz(func(t *testing.T, text string) {
		paths, ok := patchPaths(text)
		if !ok && len(paths) > 0 {
			t.Fatalf("no patch, yet paths %q", paths)
		}
		seen := map[string]bool{}
		for _, p := range paths {
			if p == "" || seen[p] {
				t.Fatalf("path %q empty or twice in %q", p, paths)
			}
			seen[p] = true
		}
		if dir, ok := patchDir("/repo", text); ok && !filepath.IsAbs(dir) {
			t.Fatalf("patch dir %q is not absolute", dir)
		}
	})
}

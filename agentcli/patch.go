package agentcli

import (
	"path/filepath"
	"slices"
	"strings"
)

// Codex edits files with apply_patch, whose input is not a file path but a
// patch in its own format:
//
//	*** Begin Patch
//	*** Update File: src/a.go
//	*** Move to: src/b.go
//	@@
//	-old
//	+new
//	*** Add File: notes/new.md
//	+hello
//	*** Delete File: scratch.txt
//	*** End Patch
//
// Codex hands its hooks that patch in tool_input.command, under the tool
// name apply_patch (codex's own tool), or as a shell command that runs
// `apply_patch <<'EOF' … EOF` (what the model may type instead; codex
// intercepts it and applies the patch itself, verified with codex 0.169.0,
// whose hook saw tool_name "Bash"). Either way the files the patch
// touches are the call's files, so that a `paths` guard sees a codex edit
// as it sees a Write.

// patchMarker begins every patch codex applies.
const patchMarker = "*** Begin Patch"

// patchHeaders are the lines of a patch that name a file, each followed by
// the path.
var patchHeaders = []string{"*** Add File:", "*** Update File:", "*** Delete File:", "*** Move to:"}

// patchPaths are the paths a codex patch names (added, updated, deleted,
// and the destination of a move), in order, each once; ok is false when
// text holds no patch.
func patchPaths(text string) (paths []string, ok bool) {
	_, body, ok := strings.Cut(text, patchMarker)
	if !ok {
		return nil, false
	}
	for line := range strings.SplitSeq(body, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "*** End Patch") {
			break
		}
		for _, h := range patchHeaders {
			if p, found := strings.CutPrefix(line, h); found {
				if p = strings.TrimSpace(p); p != "" && !slices.Contains(paths, p) {
					paths = append(paths, p)
				}
				break
			}
		}
	}
	return paths, true
}

// patchDir is the directory a shell command that applies a codex patch
// names its paths from: the cwd, or the directory of a leading
// `cd DIR &&`, which codex also accepts. ok is false when the command is
// not a patch codex would apply (apply_patch or applypatch, after an
// optional cd).
func patchDir(cwd, command string) (dir string, ok bool) {
	cmd := strings.TrimSpace(command)
	dir = cwd
	if rest, found := strings.CutPrefix(cmd, "cd "); found {
		target, after, found := strings.Cut(rest, "&&")
		if !found {
			return "", false
		}
		target = strings.Trim(strings.TrimSpace(target), `'"`)
		if !filepath.IsAbs(target) {
			target = filepath.Join(cwd, target)
		}
		dir, cmd = target, strings.TrimSpace(after)
	}
	if !strings.HasPrefix(cmd, "apply_patch") && !strings.HasPrefix(cmd, "applypatch") {
		return "", false
	}
	return dir, strings.Contains(cmd, patchMarker)
}

package agentcli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// roundTrip installs s into an empty repository and a repository whose
// settings file holds a hook of the user's; each install is read back as
// installed for every event, and uninstall restores the repository as it
// was, byte for byte (no file where there was none). It returns the file
// the first install wrote, decoded.
func roundTrip(t *testing.T, s Sessions, self, userFile string) map[string]any {
	t.Helper()
	var first map[string]any
	for _, before := range []string{"", userFile} {
		root := t.TempDir()
		path := filepath.Join(root, s.SettingsFile())
		if before != "" {
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte(before), 0o644)
		}
		keep := filepath.Join(t.TempDir(), "keep")
		if _, changed, err := s.Install(root, self, keep); err != nil || !changed {
			t.Fatalf("install over %q: %v %v", before, changed, err)
		}
		if _, changed, err := s.Install(root, self, keep); err != nil || changed {
			t.Fatalf("a second install changed the file: %v %v", changed, err)
		}
		if _, evs, err := s.Installed(root); err != nil || len(evs) != len(s.Events()) {
			t.Fatalf("installed for %q, want every one of %q: %v", evs, s.Events(), err)
		}
		data, _ := os.ReadFile(path)
		if first == nil {
			if err := json.Unmarshal(data, &first); err != nil {
				t.Fatal(err)
			}
		}
		if _, changed, err := s.Uninstall(root, keep); err != nil || !changed {
			t.Fatalf("uninstall: %v %v", changed, err)
		}
		after, err := os.ReadFile(path)
		switch {
		case before == "" && err == nil:
			t.Errorf("uninstall left the file it created:\n%s", after)
		case before != "" && string(after) != before:
			t.Errorf("uninstall did not restore the file:\n%s\nwant\n%s", after, before)
		}
	}
	return first
}

// entries are the hook entries of a flat settings file under a hook event.
func entries(settings map[string]any, hookEvent string) []map[string]any {
	hooks, _ := settings["hooks"].(map[string]any)
	list, _ := hooks[hookEvent].([]any)
	var out []map[string]any
	for _, e := range list {
		m, _ := e.(map[string]any)
		out = append(out, m)
	}
	return out
}

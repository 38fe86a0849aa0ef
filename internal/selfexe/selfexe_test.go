package selfexe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A test binary is a go-build one: it goes away, so it is named by PATH.
func TestGoBuildIsNamedByPath(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	if !strings.Contains(self, "go-build") {
		t.Skipf("the test binary %s is not a go-build one", self)
	}
	if got := Name(); got != "hookd" {
		t.Errorf("Name() = %q, want hookd", got)
	}
	if got := OnPath(); got != "hookd" {
		t.Errorf("OnPath() = %q, want hookd", got)
	}
}

// A built binary is named by its path, and by "hookd" only when that is
// what PATH finds.
func TestOnPathComparesWithPath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if got := OnPath(); got != Name() {
		t.Errorf("no hookd on PATH: OnPath() = %q, want %q", got, Name())
	}
	if Name() == "hookd" {
		return // a go-build binary: nothing more to compare
	}
	if err := os.Symlink(Name(), filepath.Join(dir, "hookd")); err != nil {
		t.Fatal(err)
	}
	if got := OnPath(); got != "hookd" {
		t.Errorf("this binary on PATH: OnPath() = %q, want hookd", got)
	}
}

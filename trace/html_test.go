package trace

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium is Debian's headless Chromium, or "" (the test then skips;
// .ci/run installs it).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: apt-get install chromium")
	return ""
}

// browse loads page#fragment in a real headless Chromium and returns the
// DOM once its scripts have run; with shot, it also takes a screenshot.
func browse(t *testing.T, bin, page, fragment, shot string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--window-size=1280,1600"}
	if shot != "" {
		args = append(args, "--screenshot="+shot)
	} else {
		args = append(args, "--dump-dom")
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page+fragment)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}

var (
	reRow    = regexp.MustCompile(`<tr class="row[^"]*" data-spec="([^"]*)" data-id="([^"]*)"[^>]*>`)
	reShown  = regexp.MustCompile(`<body data-shown="(\d+)"`)
	reHidden = regexp.MustCompile(`<tr class="row[^>]*hidden[^>]*>`)
)

// TestHTMLInABrowser opens the report of a real spec in headless
// Chromium: it renders, its matrix has one row per requirement and
// criterion, and its filters, read from the address, hide what they
// should.
func TestHTMLInABrowser(t *testing.T) {
	bin := chromium(t)
	r := authRepo(t)
	r.edit(".kiro/specs/user-authentication/requirements.md", logout21, logout21+" and revoke its refresh token")
	r.commit("logout revokes the refresh token")
	rep := r.report(Options{})
	var page bytes.Buffer
	if err := HTML(&page, rep, HTMLOptions{Title: "user-authentication"}); err != nil {
		t.Fatal(err)
	}
	// Self-contained: nothing is fetched.
	for _, ext := range []string{"<script src", "<link", "@import", "url(http"} {
		if strings.Contains(page.String(), ext) {
			t.Errorf("the page loads %q from elsewhere", ext)
		}
	}
	path := filepath.Join(t.TempDir(), "trace.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// What the document holds, counted apart from the parser: its
	// requirement headings and numbered criteria.
	doc := r.read(".kiro/specs/user-authentication/requirements.md")
	reqs := len(regexp.MustCompile(`(?m)^### Requirement \d+`).FindAllString(doc, -1))
	crits := len(regexp.MustCompile(`(?m)^\d+\. `).FindAllString(doc, -1))
	want := reqs + crits
	dom := browse(t, bin, path, "", "")
	rows := reRow.FindAllStringSubmatch(dom, -1)
	if len(rows) != want {
		t.Fatalf("%d rows in the page; the spec has %d requirements and %d criteria", len(rows), reqs, crits)
	}
	seen := map[string]bool{}
	for _, m := range rows {
		if seen[m[2]] {
			t.Errorf("two rows for %s", m[2])
		}
		seen[m[2]] = true
	}
	all := strconv.Itoa(want)
	if m := reShown.FindStringSubmatch(dom); m == nil || m[1] != all {
		t.Fatalf("unfiltered, the script shows %v rows, want %s", m, all)
	}
	if !strings.Contains(dom, all+" of "+all+" rows shown") {
		t.Error("the row count is not shown")
	}
	if !strings.Contains(dom, `href="www/auth/logout_test.go#L4"`) {
		t.Error("no link to the suspect test's line")
	}

	// Only uncovered: the 7 requirements without a test.
	dom = browse(t, bin, path, "#uncovered=1", "")
	if m := reShown.FindStringSubmatch(dom); m == nil || m[1] != "7" {
		t.Fatalf("#uncovered=1 shows %v rows, want 7", m)
	}
	if n := len(reHidden.FindAllString(dom, -1)); n != want-7 {
		t.Errorf("#uncovered=1 hides %d rows, want %d", n, want-7)
	}
	// Only with findings: 2.1 (suspect, stale), and the 7 uncovered.
	dom = browse(t, bin, path, "#flagged=1", "")
	if m := reShown.FindStringSubmatch(dom); m == nil || m[1] != "8" {
		t.Fatalf("#flagged=1 shows %v rows, want 8", m)
	}
	// A search.
	dom = browse(t, bin, path, "#q=logout", "")
	if m := reShown.FindStringSubmatch(dom); m == nil || m[1] == "0" || m[1] == all {
		t.Fatalf("#q=logout shows %v rows", m)
	}

	// A screenshot, for people.
	shot := filepath.Join(t.ArtifactDir(), "trace.png")
	browse(t, bin, path, "", shot)
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Fatalf("no screenshot: %v", err)
	}
	t.Logf("screenshot: %s", shot)
}

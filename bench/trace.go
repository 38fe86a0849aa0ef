package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// traceBench measures `hookd trace` as a user waits for it: exec to exit
// of the real binary on a 20,000-file git repository with 10 Kiro specs
// and a history in which requirements changed after the code citing them
// (so stale and suspect are judged), cold (no daemon: the index is built
// and every needed file blamed) and with the daemon running; beside it,
// the floor: `git ls-files` of the same tree, the least any such command
// does.
func traceBench(work, bin, repo string, n int) {
	if repo == "" {
		repo = filepath.Join(work, "trace")
	}
	specs, citing := genTraceRepo(repo)
	env := append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(work, "state"), "XDG_RUNTIME_DIR="+filepath.Join(work, "run"))
	run := func(name string, args ...string) (time.Duration, []byte) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = repo, env
		t0 := time.Now()
		out, err := cmd.Output()
		d := time.Since(t0)
		if err != nil && !strings.Contains(strings.Join(args, " "), "check") {
			log.Fatalf("%s %v: %v", name, args, err)
		}
		return d, out
	}
	var floor, cold, warm []time.Duration
	var blames, findings int
	for range n {
		d, _ := run("git", "ls-files")
		floor = append(floor, d)
		d, out := run(bin, "trace", "--format", "json")
		cold = append(cold, d)
		var rep struct {
			Blames   int
			Findings []struct{ Kind string }
		}
		check(json.Unmarshal(out, &rep))
		blames, findings = rep.Blames, len(rep.Findings)
	}
	run(bin, "start")
	defer run(bin, "stop")
	run(bin, "trace", "--format", "json") // the daemon's first: its blames
	var daemonBlames int
	var text []time.Duration
	for range n {
		d, out := run(bin, "trace", "--format", "json")
		warm = append(warm, d)
		var rep struct{ Blames int }
		check(json.Unmarshal(out, &rep))
		daemonBlames = rep.Blames
		d, _ = run(bin, "trace")
		text = append(text, d)
	}
	fmt.Printf("hookd trace on 20,000 files, %d specs, %d citing files; exec to exit, %d each (p50 / p90):\n", specs, citing, n)
	fmt.Printf("  %-52s %s / %s\n", "floor: git ls-files", ms(pct(floor, 50)), ms(pct(floor, 90)))
	fmt.Printf("  %-52s %s / %s  (%d git blame passes, %d findings)\n", "cold: no daemon (index built, files blamed)", ms(pct(cold, 50)), ms(pct(cold, 90)), blames, findings)
	fmt.Printf("  %-52s %s / %s  (%d git blame passes)\n", "daemon running (its index, its kept blames)", ms(pct(warm, 50)), ms(pct(warm, 90)), daemonBlames)
	fmt.Printf("  %-52s %s / %s\n", "daemon running, the text matrix (decoded, rendered)", ms(pct(text, 50)), ms(pct(text, 90)))
}

// genTraceRepo writes and commits the repository: 10 specs of 10
// requirements with 5 criteria each, and 20,000 files of which one in
// twenty cites requirements; then a second commit rewords one criterion of
// each spec, and a third edits a tenth of the citing files away from their
// citations. It returns the specs and the citing files.
func genTraceRepo(repo string) (specs, citing int) {
	const nSpecs = 10
	if _, err := os.Stat(filepath.Join(repo, ".git")); err == nil {
		return nSpecs, (20000 - 2*nSpecs + 19) / 20 // generated before (-tree)
	}
	check(os.MkdirAll(repo, 0o755))
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=bench", "-c", "user.email=b@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	reqs := func(s int, reworded bool) string {
		var b strings.Builder
		b.WriteString("# Requirements Document\n\n## Requirements\n\n")
		for r := 1; r <= 10; r++ {
			fmt.Fprintf(&b, "### Requirement %d: Feature %d of spec %d\n\n**User Story:** As a user, I want feature %d, so that it works.\n\n#### Acceptance Criteria\n\n", r, r, s, r)
			for c := 1; c <= 5; c++ {
				text := fmt.Sprintf("WHEN event %d.%d happens THEN the system SHALL respond", r, c)
				if reworded && r == 2 && c == 1 {
					text += " within a second"
				}
				fmt.Fprintf(&b, "%d. %s\n", c, text)
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	for s := range nSpecs {
		dir := filepath.Join(repo, ".kiro", "specs", fmt.Sprintf("feature-%d", s))
		check(os.MkdirAll(dir, 0o755))
		check(os.WriteFile(filepath.Join(dir, "requirements.md"), []byte(reqs(s, false)), 0o644))
		var tasks strings.Builder
		tasks.WriteString("# Implementation Plan\n\n")
		for r := 1; r <= 10; r++ {
			fmt.Fprintf(&tasks, "- [x] %d. Build feature %d\n  - _Requirements: %d.1, %d.2_\n", r, r, r, r)
		}
		check(os.WriteFile(filepath.Join(dir, "tasks.md"), []byte(tasks.String()), 0o644))
	}
	filler := strings.Repeat("export function helper(a: number): number { return a * 2 }\n", 40)
	for i := range 20000 - 2*nSpecs {
		text := filler
		if i%20 == 0 {
			text = fmt.Sprintf("// Feature: feature-%d\n// Requirements: %d.1, 2.1\n", i/20%nSpecs, i%10+1) + filler
			citing++
		}
		p := filepath.Join(repo, "src", fmt.Sprintf("m%d", i/100), fmt.Sprintf("f%d.test.ts", i))
		check(os.MkdirAll(filepath.Dir(p), 0o755))
		check(os.WriteFile(p, []byte(text), 0o644))
	}
	git("add", "-A")
	git("commit", "-q", "-m", "specs and code")
	for s := range nSpecs {
		check(os.WriteFile(filepath.Join(repo, ".kiro", "specs", fmt.Sprintf("feature-%d", s), "requirements.md"), []byte(reqs(s, true)), 0o644))
	}
	git("commit", "-q", "-am", "2.1 responds within a second")
	// Then a tenth of the citing files is edited below their citations:
	// touched since the change, not at the citing lines (one diff tells).
	for i := 0; i < 20000-2*nSpecs; i += 200 {
		p := filepath.Join(repo, "src", fmt.Sprintf("m%d", i/100), fmt.Sprintf("f%d.test.ts", i))
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		check(err)
		_, err = f.WriteString("export const edited = true\n")
		check(err)
		check(f.Close())
	}
	git("commit", "-q", "-am", "edit some tests")
	return nSpecs, citing
}

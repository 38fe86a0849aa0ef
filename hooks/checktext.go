package hooks

import (
	"fmt"
	"io"
	"strings"

	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/safefile"
)

// CheckResult is what `hookd check --json` prints: whether the
// configuration loads without a problem, from which files, and every
// problem and warning with its position.
type CheckResult struct {
	OK       bool           `json:"ok"`
	Hooks    int            `json:"hooks"`
	Files    []string       `json:"files"`
	Problems []CheckProblem `json:"problems"`
	Warnings []CheckProblem `json:"warnings"`
}

// CheckProblem is a problem or warning of CheckResult.
type CheckProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// NewCheckResult sums up a load's problems and Lint's warnings.
func NewCheckResult(cfg *Config, probs Problems, warnings []Problem) CheckResult {
	res := CheckResult{OK: len(probs) == 0, Hooks: len(cfg.Hooks), Files: []string{}, Problems: []CheckProblem{}, Warnings: []CheckProblem{}}
	for _, p := range warnings {
		res.Warnings = append(res.Warnings, CheckProblem{p.Pos.File, p.Pos.Line, p.Pos.Col, p.Message})
	}
	for _, f := range cfg.Files {
		res.Files = append(res.Files, f.Path)
	}
	for _, p := range probs {
		res.Problems = append(res.Problems, CheckProblem{p.Pos.File, p.Pos.Line, p.Pos.Col, p.Message})
	}
	return res
}

// WriteCheck prints what `hookd check` says: every problem with its line,
// the warnings, and a summary.
func WriteCheck(w io.Writer, cfg *Config, probs Problems, warnings []Problem) {
	for _, p := range probs {
		WriteProblem(w, p)
	}
	for _, warn := range warnings {
		fmt.Fprintf(w, "warning: %s\n", human.Printable(warn.Error(), false))
	}
	if len(probs) > 0 {
		fmt.Fprintf(w, "%s; %s would still run\n", human.Plural(len(probs), "problem", "problems"), human.Plural(len(cfg.Hooks), "sound hook", "sound hooks"))
		return
	}
	var names []string
	for _, f := range cfg.Files {
		names = append(names, f.Path)
	}
	if len(names) == 0 {
		fmt.Fprintln(w, "ok: no config files found (hookd.toml, hookd.local.toml, the user config); no hooks")
	} else {
		fmt.Fprintf(w, "ok: %s from %s\n", human.Plural(len(cfg.Hooks), "hook", "hooks"), human.Printable(strings.Join(names, ", "), false))
	}
}

// WriteProblem prints a problem as a compiler would: the position and
// message, the line of the file, and a caret under the column. Text from
// the file (its name, the line, a key quoted in the message) is printed
// escaped: it cannot move the cursor or forge a line.
func WriteProblem(w io.Writer, p Problem) {
	fmt.Fprintln(w, human.Printable(p.Error(), false))
	if p.Pos.Line == 0 {
		return
	}
	data, err := safefile.Read(p.Pos.File, MaxConfigFile)
	if err != nil {
		return
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if p.Pos.Line > len(lines) {
		return
	}
	line := strings.ReplaceAll(lines[p.Pos.Line-1], "\t", " ")
	fmt.Fprintf(w, "    %s\n    %s^\n", human.Printable(line, false), strings.Repeat(" ", max(p.Pos.Col-1, 0)))
}

package daemon

import (
	"fmt"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/spec"
)

// builtin runs a built-in action. Built-ins run in process: they read
// the event and write their report as the run's output.
func builtin(job runner.Job) runner.Result {
	start := time.Now()
	res := runner.Result{Status: runner.StatusOK, Start: start}
	switch job.Hook.Builtin {
	case "impact":
		res.Output = spec.Report(job.Env.Spec)
	default:
		res.Status, res.Exit, res.Err = runner.StatusFailed, -1, fmt.Errorf("unknown builtin %q", job.Hook.Builtin)
	}
	if job.Line != nil {
		for _, l := range strings.Split(strings.TrimRight(res.Output, "\n"), "\n") {
			job.Line("stdout", l)
		}
	}
	res.Duration = time.Since(start)
	return res
}

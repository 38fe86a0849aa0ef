package daemon

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
)

// agents bounds agent runs, how many run at once (max_agents) and how
// many each agent may start an hour, and follows every run to tell which
// file changes are its own writes (docs/events.md).
type agents struct {
	slots chan struct{}

	mu sync.Mutex
	// mu guards the fields that follow.
	active map[string]*activeRun  // by run id
	starts map[string][]time.Time // by agent name, the last hour's
}

type activeRun struct {
	hook  string
	depth int
	own   bool // its writes are kept from its hook (agents)
	files map[string]bool
}

func newAgents(maxAgents int) *agents {
	return &agents{slots: make(chan struct{}, max(maxAgents, 1)), active: map[string]*activeRun{}, starts: map[string][]time.Time{}}
}

// allow records a start of agent a unless its hourly cap is reached.
func (g *agents) allow(a *hooks.Agent, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	recent := g.starts[a.Name][:0]
	for _, t := range g.starts[a.Name] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	if a.MaxRunsPerHour > 0 && len(recent) >= a.MaxRunsPerHour {
		g.starts[a.Name] = recent
		return false
	}
	g.starts[a.Name] = append(recent, now)
	return true
}

func (g *agents) begin(id, hook string, depth int, own bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.active[id] = &activeRun{hook: hook, depth: depth, own: own, files: map[string]bool{}}
}

// end forgets a run and returns the files put down to it.
func (g *agents) end(id string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.active[id]
	delete(g.active, id)
	files := []string{}
	if r != nil {
		for f := range r.files {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	return files
}

// attribute puts a file event down to the runs going on while it
// happened: it continues their chain one level deeper (so chains stop at
// max_depth), and an agent's hook does not see it. hookd cannot tell who
// wrote a file, so a save made while an agent runs is put down to the
// agent too; a command's hook keeps seeing saves made while it runs, so
// none is lost.
func (g *agents) attribute(ev *event.Event) {
	if !strings.HasPrefix(string(ev.Kind), "file.") {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for id, r := range g.active {
		if r.own && !slices.Contains(ev.Writers, r.hook) {
			ev.Writers = append(ev.Writers, r.hook)
		}
		if r.depth+1 > ev.Depth {
			ev.Depth, ev.Cause = r.depth+1, id
		}
		for _, f := range ev.Files {
			r.files[f.Path] = true
		}
	}
}

// follow runs a job's action with its writes followed: until they have
// settled they are put down to it, and they are its FilesWritten. An
// agent run first passes the agent caps, holds its slot until its writes
// have settled (so the next agent's writes are not taken for its own),
// and is followed by agent.done.
func (d *Daemon) follow(ctx context.Context, job runner.Job, act func(context.Context, runner.Job) runner.Result) runner.Result {
	agent := job.Hook.Action() == "agent"
	if agent {
		release, res, ok := d.agentSlot(ctx, job)
		if !ok {
			return res
		}
		defer release()
	}
	d.agents.begin(job.ID, job.Hook.Name, job.Depth, agent)
	res := act(ctx, job)
	if ctx.Err() == nil {
		// What the run wrote just before it ended is still settling: wait
		// for it, so it is put down to this run and not taken for a user's.
		syncCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := d.Sync(syncCtx); err != nil {
			d.log.Warn("could not wait for a run's last writes to settle", "hook", job.Hook.Name, "run", job.ID, tint.Err(err))
		}
		cancel()
	}
	res.FilesWritten = d.agents.end(job.ID)
	if agent {
		d.accept1(event.Event{
			Kind: event.AgentDone, Time: time.Now(), Cause: job.ID, Depth: job.Depth + 1, Writers: []string{job.Hook.Name},
			Run: &event.Run{Hook: job.Hook.Name, ID: job.ID, Status: string(res.Status), Exit: res.Exit, Duration: res.Duration, FilesWritten: res.FilesWritten},
		})
	}
	return res
}

// agentSlot applies the agent caps: max_runs_per_hour skips the run with
// a reason, max_agents makes it wait for a slot. ok is false when the run
// must not go on; res then says why.
func (d *Daemon) agentSlot(ctx context.Context, job runner.Job) (release func(), res runner.Result, ok bool) {
	cfg, _ := d.Config()
	a := runner.AgentFor(cfg, job.Hook.Agent)
	log := d.log.With("hook", job.Hook.Name, "run", job.ID, "agent", a.Name)
	if !d.agents.allow(a, time.Now()) {
		log.Warn("agent cap reached; run skipped", "max_runs_per_hour", a.MaxRunsPerHour)
		return nil, runner.Result{Status: runner.StatusSkipped, Exit: -1, Start: time.Now(),
			Err: fmt.Errorf("agent %s reached max_runs_per_hour = %d; the run is skipped", a.Name, a.MaxRunsPerHour)}, false
	}
	select {
	case d.agents.slots <- struct{}{}:
	default:
		log.Info("waiting for an agent slot", "max_agents", cap(d.agents.slots))
		select {
		case d.agents.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, runner.Result{Status: runner.StatusInterrupted, Exit: -1, Start: time.Now(), Err: context.Cause(ctx)}, false
		}
	}
	return func() { <-d.agents.slots }, runner.Result{}, true
}

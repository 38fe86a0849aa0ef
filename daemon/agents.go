package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/runner"
	"github.com/hookd-dev/hookd/ipc"
)

// agents bounds agent runs, how many run at once (max_agents), how many
// each agent may start an hour and what it may spend in a day, and
// follows every run to tell which file changes are its own writes
// (docs/events.md, "Whose change is it").
type agents struct {
	slots chan struct{}
	// window is how long after a shell command of an agent's ends its
	// writes may still be settling.
	window time.Duration
	log    *slog.Logger

	mu sync.Mutex
	// mu guards the fields that follow.
	active map[string]*activeRun  // by run id
	starts map[string][]time.Time // by agent name, the last hour's
	day    time.Time              // the local midnight spent counts from
	spent  map[string]*ipc.AgentDay
	held   map[string]string // agent name -> why its runs are skipped today, once logged
	// sessions are the files bridged agent sessions' tools have said
	// they write (agent.tool.before/after), with until when a change of
	// them is taken for that agent's.
	sessions map[string]sessionWrite
}

type sessionWrite struct {
	agent string
	until time.Time
	// seen: a change of the file has been put down to the call; ended:
	// the call has ended (agent.tool.after). The claim ends a settle
	// window after both, however long the write took to settle.
	seen, ended bool
}

// sessionToolLimit bounds how long a tool call announced by a session
// may take to write its file.
const sessionToolLimit = time.Minute

// activeRun is a run going on, and what it has said it does.
type activeRun struct {
	hook  string
	agent string // the agent an agent run runs
	depth int
	chain []string // the hooks whose runs led to this one
	own   bool     // an agent run: its writes are kept from its hook
	// spoke: its output has shown the structured stream its CLI's preset
	// reads; until then (a wrapper, another version, a proxy) nothing it
	// reports can be relied on, and its writes are judged by the time
	// window. warned: that has been logged.
	spoke, warned bool
	// exact: its CLI reports each file write before it makes it
	// (agentcli.Caps.ExactWrites), so a change it did not report is
	// someone else's.
	exact   bool
	catchUp func() bool
	// behind: its output could not be read up to a change (its reader is
	// stuck), so what it did not report is not the user's for sure.
	behind bool
	// reported holds the files its tools said they write, each until
	// when a change of it is taken for that write: a minute after the
	// call, or a settle window after its change was first seen. A save of
	// the same file later in the run is not the agent's for certain.
	reported map[string]sessionWrite
	opaque   map[string]bool // its shell commands going on, by tool id
	// opaqueUntil is when the writes of its last shell command have
	// surely settled.
	opaqueUntil time.Time
	files       map[string]bool // put down to it
	guessed     map[string]bool // of files, those put down by the time window
	users       map[string]bool // changes during it that were the user's
}

// The rules that decide whose a change made during an agent run is.
const (
	ruleReported = "reported"    // the agent's tool named the file
	ruleWindow   = "time window" // nothing can tell: it changed while the agent ran
	ruleShell    = "shell"       // while the agent's shell command ran
	ruleUser     = "not reported"
)

func newAgents(maxAgents int, settle time.Duration, log *slog.Logger) *agents {
	return &agents{slots: make(chan struct{}, max(maxAgents, 1)), window: max(2*settle, 250*time.Millisecond), log: log,
		active: map[string]*activeRun{}, starts: map[string][]time.Time{}, spent: map[string]*ipc.AgentDay{}, held: map[string]string{},
		sessions: map[string]sessionWrite{}}
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

func (g *agents) begin(job runner.Job, agent string, own bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.active[job.ID] = &activeRun{hook: job.Hook.Name, agent: agent, depth: job.Depth, chain: job.Chain, own: own,
		files: map[string]bool{}, guessed: map[string]bool{}, reported: map[string]sessionWrite{}, opaque: map[string]bool{}, users: map[string]bool{}}
}

// chainOf is the chain an event caused by run id continues: that run's
// chain and its hook; nil when hookd does not follow the run (any more).
func (g *agents) chainOf(id string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r := g.active[id]; r != nil {
		return r.next()
	}
	return nil
}

// next is the chain of what r causes.
func (r *activeRun) next() []string {
	if slices.Contains(r.chain, r.hook) {
		return r.chain
	}
	return append(slices.Clip(r.chain), r.hook)
}

// attach records that a run's CLI reports what it does, in format (named
// after its CLI).
func (g *agents) attach(id, format string, catchUp func() bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r := g.active[id]; r != nil {
		cli := agentcli.Lookup(format)
		r.exact = cli != nil && cli.Caps().ExactWrites
		r.catchUp = catchUp
	}
}

// activity records what a run's agent reports as it goes.
func (g *agents) activity(id string, a runner.Activity) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.active[id]
	if r == nil {
		return
	}
	r.spoke = true
	switch a.Kind {
	case runner.Spoke:
	case runner.Writes:
		r.reported[a.Path] = sessionWrite{agent: r.agent, until: time.Now().Add(sessionToolLimit)}
		if r.users[a.Path] {
			g.log.Warn("the agent reported a write after its change was taken for the user's", "hook", r.hook, "run", id, "file", a.Path)
		}
	case runner.OpaqueStart:
		r.opaque[a.Tool] = true
	case runner.OpaqueEnd:
		delete(r.opaque, a.Tool)
		r.opaqueUntil = time.Now().Add(g.window)
	}
}

// end forgets a run and returns the files put down to it, and which of
// them only by the time window.
func (g *agents) end(id string) (files, guessed []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.active[id]
	delete(g.active, id)
	files = []string{}
	if r != nil {
		files = slices.Sorted(maps.Keys(r.files))
		guessed = slices.Sorted(maps.Keys(r.guessed))
	}
	return files, guessed
}

// claims says whether a write the agent reported covers a change of file
// made now.
func (r *activeRun) claims(file string, now time.Time) bool {
	w, ok := r.reported[file]
	return ok && now.Before(w.until)
}

// seen ends a reported write's claim a settle window after its change.
func (r *activeRun) seen(file string, now time.Time, window time.Duration) {
	if w, ok := r.reported[file]; ok && !w.seen {
		w.seen, w.until = true, now.Add(window)
		r.reported[file] = w
	}
}

// rule decides whose a change of file, made now during agent run r, is.
func (r *activeRun) rule(file string, now time.Time) string {
	switch {
	case r.claims(file, now):
		return ruleReported
	case len(r.opaque) > 0 || now.Before(r.opaqueUntil):
		return ruleShell
	case !r.exact || !r.spoke || r.behind:
		return ruleWindow
	}
	return ruleUser
}

// attribute puts a file event down to the runs going on while it
// happened.
//
// An agent run's change (its CLI reported it; or nothing can tell: its
// shell command's, a CLI that reports nothing or whose output is not the
// stream its preset reads) is the agent's: it names the agent in
// written_by (guessed, unless reported), continues the run's chain one
// level deeper (so chains stop at max_depth), and the agent's own hook does
// not see it. A change the agent's CLI would have reported and did not is
// the user's: every hook sees it. A change another run's agent reported is
// that run's alone.
//
// A command run reports nothing, and a person keeps saving while it runs:
// a change during one that a person's change started is put down to it
// only in its files_written, marked guessed, and goes on as the user's (no
// depth: the loop guard never costs a person's save); during one that is
// itself a link of a chain, it continues the chain. A command hook that
// feeds itself through files is stopped by the circuit breaker.
//
// An event whose files are judged differently is split.
func (g *agents) attribute(ev event.Event) []event.Event {
	now := time.Now()
	if ev.Kind == event.AgentToolBefore || ev.Kind == event.AgentToolAfter {
		g.session(ev, now)
		return []event.Event{ev}
	}
	switch ev.Kind {
	case event.GitCommit, event.GitCheckout, event.GitMerge, event.GitRewrite:
		return []event.Event{g.gitDuringRuns(ev)}
	}
	if !strings.HasPrefix(string(ev.Kind), "file.") {
		return []event.Event{ev}
	}
	g.mu.Lock()
	if len(g.sessions) > 0 || len(g.active) > 0 {
		ev.Files = slices.Clone(ev.Files) // marked below; the caller's stay as they were
	}
	if len(g.sessions) > 0 {
		g.bySession(ev.Files, now)
	}
	if len(g.active) == 0 {
		g.mu.Unlock()
		return []event.Event{ev}
	}
	// A change no exact run has reported may have been announced on a
	// line not read yet: read what the agents have printed first.
	waits := g.catchUps(ev.Files, now)
	g.mu.Unlock()
	for _, wait := range waits {
		wait()
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	verdicts := make([]writers, len(ev.Files))
	for i := range verdicts {
		verdicts[i] = writers{writers: ev.Writers, depth: ev.Depth, cause: ev.Cause, chain: ev.Chain}
	}
	ids := slices.Sorted(maps.Keys(g.active))
	// A file some agent reported is that agent's, certainly: no other run
	// guesses it.
	reportedBy := map[string]string{}
	for _, id := range ids {
		if r := g.active[id]; r.own {
			for _, f := range ev.Files {
				if r.claims(f.Path, now) {
					reportedBy[f.Path] = id
				}
			}
		}
	}
	for _, id := range ids {
		r := g.active[id]
		by := map[string][]string{}
		for i, f := range ev.Files {
			if other, ok := reportedBy[f.Path]; ok && other != id {
				continue
			}
			r.files[f.Path] = true
			if !r.own {
				r.guessed[f.Path] = true
				// A command run that is itself a link of a chain continues
				// it: an agent and a command hook feeding each other stop
				// at max_depth like two agents.
				if v := &verdicts[i]; r.depth > 0 && r.depth+1 > v.depth {
					v.depth, v.cause, v.chain = r.depth+1, id, r.next()
				}
				continue
			}
			rule := r.rule(f.Path, now)
			by[rule] = append(by[rule], f.Path)
			if rule == ruleUser {
				delete(r.files, f.Path)
				r.users[f.Path] = true
				continue
			}
			ev.Files[i].WrittenBy = r.agent
			if rule == ruleReported {
				r.seen(f.Path, now, g.window)
			} else {
				r.guessed[f.Path] = true
				ev.Files[i].Guessed = true
			}
			v := &verdicts[i]
			if !slices.Contains(v.writers, r.hook) {
				v.writers = append(slices.Clip(v.writers), r.hook)
			}
			if r.depth+1 > v.depth {
				v.depth, v.cause, v.chain = r.depth+1, id, r.next()
			}
		}
		g.logRules(id, r, by)
	}
	return splitByWriters(ev, verdicts)
}

// gitDuringRuns puts a HEAD move (a commit, a checkout, …) made while
// runs go on down to the deepest of them: a hook that commits on
// git.commit, or checks out on git.checkout, stops at max_depth. The
// reflog does not say who moved HEAD; a person's commit during a run is
// a link of its chain too, which only matters past max_depth, and only to
// the hooks of that chain.
func (g *agents) gitDuringRuns(ev event.Event) event.Event {
	if ev.Cause != "" || ev.CatchUp {
		return ev
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(g.active)) {
		if r := g.active[id]; r.depth+1 > ev.Depth {
			ev.Depth, ev.Cause, ev.Chain = r.depth+1, id, r.next()
		}
	}
	return ev
}

// logRules says which rule put which changes down to run r (or not).
func (g *agents) logRules(id string, r *activeRun, by map[string][]string) {
	for rule, files := range by {
		attrs := []any{"hook", r.hook, "run", id, "rule", rule, "files", len(files), "file", files[0]}
		switch rule {
		case ruleUser:
			g.log.Info("a change during an agent run is not the agent's: it did not report it", attrs...)
		case ruleReported:
			g.log.Debug("a change is the agent's: it reported it", attrs...)
		default:
			g.log.Info("a change is put down to the running agent: nothing can tell whose it is", attrs...)
		}
	}
	if _, ok := by[ruleWindow]; ok && r.exact && !r.spoke && !r.warned {
		r.warned = true
		g.log.Warn("the agent's output is not the stream its preset reads (a wrapper, another version, a proxy?): its writes are put down to it by the time window",
			"hook", r.hook, "run", id, "agent", r.agent)
	}
}

// writers is whose a file's change is: the hooks whose runs made it, and
// the chain it continues.
type writers struct {
	writers []string
	depth   int
	cause   string
	chain   []string
}

// catchUps are the catch-up reads of the exact runs that have not
// reported one of files: their announcement may not be read yet. g.mu is
// held.
func (g *agents) catchUps(files []event.File, now time.Time) []func() {
	var waits []func()
	for _, r := range g.active {
		if !r.own || !r.exact || r.catchUp == nil {
			continue
		}
		for _, f := range files {
			// Not reported, and no shell command going: its announcement
			// may not be read yet (nor, at first, the stream's first line).
			// (An exact run is judged by the window only before it has spoken
			// or while its reader was behind: reading again may settle both.)
			if rule := r.rule(f.Path, now); rule == ruleUser || rule == ruleWindow {
				waits = append(waits, func() {
					caught := r.catchUp()
					g.mu.Lock()
					r.behind = !caught
					g.mu.Unlock()
				})
				break
			}
		}
	}
	return waits
}

// splitByWriters is ev with each file's writers: one event when they all
// agree (most often), else one per distinct verdict, in the order of the
// files.
func splitByWriters(ev event.Event, verdicts []writers) []event.Event {
	same := true
	for _, v := range verdicts[1:] {
		if v.depth != verdicts[0].depth || v.cause != verdicts[0].cause || !slices.Equal(v.writers, verdicts[0].writers) || !slices.Equal(v.chain, verdicts[0].chain) {
			same = false
			break
		}
	}
	if same && len(verdicts) > 0 {
		ev.Writers, ev.Depth, ev.Cause, ev.Chain = verdicts[0].writers, verdicts[0].depth, verdicts[0].cause, verdicts[0].chain
		return []event.Event{ev}
	}
	// Otherwise one event per distinct verdict, in the order of the files.
	var out []event.Event
	index := map[string]int{}
	for i, f := range ev.Files {
		v := verdicts[i]
		key := fmt.Sprint(v.writers, v.depth, v.cause, v.chain)
		j, ok := index[key]
		if !ok {
			part := ev
			part.Files, part.Writers, part.Depth, part.Cause, part.Chain = nil, v.writers, v.depth, v.cause, v.chain
			out = append(out, part)
			j = len(out) - 1
			index[key] = j
		}
		out[j].Files = append(out[j].Files, f)
	}
	if len(out) == 0 {
		out = []event.Event{ev}
	}
	return out
}

// session records the files a bridged session's tool call says it
// writes: a change of one, until the call has ended and its write has
// settled, is that agent's.
func (g *agents) session(ev event.Event, now time.Time) {
	if ev.Agent == nil || len(ev.Files) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for path, w := range g.sessions {
		if now.After(w.until) {
			delete(g.sessions, path)
		}
	}
	for _, f := range ev.Files {
		w, ok := g.sessions[f.Path]
		switch {
		case ev.Kind == event.AgentToolBefore || !ok:
			w = sessionWrite{agent: ev.Agent.Name, until: now.Add(sessionToolLimit)}
		default:
			w.ended = true
			if w.seen {
				w.until = now.Add(g.window)
			}
		}
		g.sessions[f.Path] = w
	}
}

// bySession marks the files a bridged session said it writes. mu is held.
func (g *agents) bySession(files []event.File, now time.Time) {
	for i, f := range files {
		if w, ok := g.sessions[f.Path]; ok && now.Before(w.until) {
			files[i].WrittenBy = w.agent
			if !w.seen && w.ended {
				w.until = now.Add(g.window)
			}
			w.seen = true
			g.sessions[f.Path] = w
		}
	}
}

// today resets what was spent when the local day has changed. mu is held.
func (g *agents) today(now time.Time) {
	y, m, d := now.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	if !midnight.Equal(g.day) {
		g.day, g.spent, g.held = midnight, map[string]*ipc.AgentDay{}, map[string]string{}
	}
}

// spend adds a finished run's reported cost and tokens to its agent's day.
func (g *agents) spend(name string, start time.Time, r *event.AgentReport) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.today(time.Now())
	if start.Before(g.day) {
		return
	}
	day := g.spent[name]
	if day == nil {
		day = &ipc.AgentDay{Name: name}
		g.spent[name] = day
	}
	day.Runs++
	if r != nil {
		day.Cost += r.Cost
		day.Tokens += r.TokensIn + r.TokensOut
	}
}

// overBudget says why agent a may not start a run today, or "". The
// reason is logged once a day.
func (g *agents) overBudget(a *hooks.Agent) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.today(time.Now())
	day := g.spent[a.Name]
	if day == nil {
		return ""
	}
	reason := ""
	switch {
	case a.MaxCostPerDay > 0 && day.Cost >= a.MaxCostPerDay:
		reason = fmt.Sprintf("agent %s has spent $%.4f today, max_cost_per_day = %g", a.Name, day.Cost, a.MaxCostPerDay)
	case a.MaxTokensPerDay > 0 && day.Tokens >= a.MaxTokensPerDay:
		reason = fmt.Sprintf("agent %s has used %d tokens today, max_tokens_per_day = %d", a.Name, day.Tokens, a.MaxTokensPerDay)
	}
	if reason != "" && g.held[a.Name] != reason {
		g.held[a.Name] = reason
		g.log.Warn("agent budget reached; its runs are skipped until tomorrow", "agent", a.Name, "reason", reason)
	}
	return reason
}

// days reports today's spending of every agent that has spent or has a
// budget.
func (g *agents) days(cfg *hooks.Config) []ipc.AgentDay {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.today(time.Now())
	out := map[string]ipc.AgentDay{}
	for name, d := range g.spent {
		out[name] = *d
	}
	for name, a := range cfg.Agents {
		if a.MaxCostPerDay == 0 && a.MaxTokensPerDay == 0 && out[name].Runs == 0 {
			continue
		}
		d := out[name]
		d.Name, d.MaxCostPerDay, d.MaxTokensPerDay = name, a.MaxCostPerDay, a.MaxTokensPerDay
		out[name] = d
	}
	list := make([]ipc.AgentDay, 0, len(out))
	for _, name := range slices.Sorted(maps.Keys(out)) {
		d := out[name]
		d.Held = g.held[name]
		list = append(list, d)
	}
	return list
}

// follow runs a job's action with its writes followed: until they have
// settled they are put down to it, and they are its FilesWritten. An
// agent run first passes the agent caps, holds its slot until its writes
// have settled (so the next agent's writes are not taken for its own),
// and is followed by agent.done.
//
// It runs on the run's goroutine and speaks to the loop by messages only:
// the ledger (agents) is shared under its lock, because the agent's stream
// reports to it while the loop may be waiting for that report.
func (d *Daemon) follow(ctx context.Context, job runner.Job, act func(context.Context, runner.Job) runner.Result) runner.Result {
	agent := job.Hook.Action() == "agent"
	var a *hooks.Agent
	if agent {
		cfg, _ := d.Config()
		a = runner.AgentFor(cfg, job.Hook.Agent)
		release, res, ok := d.agentSlot(ctx, job, a)
		if !ok {
			return res
		}
		defer release()
		job.Activity = func(act runner.Activity) { d.agents.activity(job.ID, act) }
		job.Attached = func(format string, catchUp func() bool) { d.agents.attach(job.ID, format, catchUp) }
		if job.Hook.Resume {
			job.Resume = d.session(ctx, job.Hook.Name, a.Name)
		}
	}
	agentName := ""
	if a != nil {
		agentName = a.Name
	}
	d.agents.begin(job, agentName, agent)
	res := act(ctx, job)
	if d.vcs != nil {
		// A HEAD move the run made is read before its end is handed on,
		// so that it is put down to the run (the reflog's own watch may
		// not have fired yet).
		d.vcs.src.Sync()
	}
	// What the run wrote just before it ended is still settling: the loop
	// puts it down to this run (not to a user) before letting it go, and
	// follows an agent run with agent.done.
	files := d.ended(job, res, agent)
	res.FilesWritten, res.FilesGuessed = files.written, files.guessed
	if agent {
		d.agents.spend(a.Name, res.Start, res.Agent)
		if job.Hook.Resume {
			d.keepSession(job, a.Name, res)
		}
	}
	return res
}

// session is the agent session a hook with session = "resume" continues:
// its last successful run's, if that ran the same agent; "" starts anew.
func (d *Daemon) session(ctx context.Context, hook, agent string) string {
	name, id, err := d.journal.Session(ctx, hook)
	if err != nil || name != agent {
		return ""
	}
	return id
}

// keepSession records the session a resuming hook's run ended in. A
// resumed run that failed forgets it: the session may be gone, and the
// next run starts anew rather than failing the same way.
func (d *Daemon) keepSession(job runner.Job, agent string, res runner.Result) {
	ctx := context.Background()
	switch {
	case res.Status == runner.StatusOK && res.Agent != nil && res.Agent.Session != "":
		if err := d.journal.SetSession(ctx, job.Hook.Name, agent, res.Agent.Session); err != nil {
			d.log.Warn("could not record the agent session", "hook", job.Hook.Name, tint.Err(err))
		}
	case res.Status == runner.StatusFailed && job.Resume != "":
		d.log.Warn("a resumed agent session failed; the next run starts a new one", "hook", job.Hook.Name, "run", job.ID, "session", job.Resume)
		_, _ = d.journal.ForgetSession(ctx, job.Hook.Name)
	}
}

// ForgetSession makes a hook's next agent run start a new session.
func (d *Daemon) ForgetSession(ctx context.Context, hook string) (string, error) {
	cfg, _ := d.Config()
	if !slices.ContainsFunc(cfg.Hooks, func(h *hooks.Hook) bool { return h.Name == hook }) {
		return "", ipc.NotFound(fmt.Sprintf("no hook %q (hookd hooks lists them)", hook))
	}
	return d.journal.ForgetSession(ctx, hook)
}

// agentSlot applies the agent caps: max_runs_per_hour skips the run with
// a reason, max_agents makes it wait for a slot. ok is false when the run
// must not go on; res then says why.
func (d *Daemon) agentSlot(ctx context.Context, job runner.Job, a *hooks.Agent) (release func(), res runner.Result, ok bool) {
	log := d.log.With("hook", job.Hook.Name, "run", job.ID, "agent", a.Name)
	if reason := d.agents.overBudget(a); reason != "" {
		return nil, runner.Result{Status: runner.StatusSkipped, Exit: -1, Start: time.Now(), Err: fmt.Errorf("%s; the run is skipped", reason)}, false
	}
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

// loadSpending counts what each agent has spent today from the journal,
// so budgets hold across restarts.
func (d *Daemon) loadSpending(ctx context.Context) {
	now := time.Now()
	y, m, day := now.Date()
	runs, err := d.journal.AgentRuns(ctx, time.Date(y, m, day, 0, 0, 0, 0, now.Location()))
	if err != nil {
		d.log.Warn("could not read today's agent spending from the journal; budgets count from now", tint.Err(err))
		return
	}
	for _, r := range runs {
		d.agents.spend(r.Name, now, &r.AgentReport)
	}
}

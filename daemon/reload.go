package daemon

import (
	"context"
	"sync"

	"github.com/hookd-dev/hookd/ipc"
)

// reloader owns reloading: one goroutine reads the configuration again,
// swaps it in and hands the new hooks to the scheduler, so two reloads
// never interleave (a config swapped in one order and hooks in the other).
// Asking never blocks (the settler asks when a config file changes and
// goes on with its events); asks that come while one reload waits are
// answered by it; waiting returns the reply of a reload that started after
// the ask.
type reloader struct {
	reload func() ipc.ReloadReply
	wake   chan struct{}

	mu sync.Mutex
	// mu guards the fields that follow.
	asked, done uint64
	last        ipc.ReloadReply
	changed     chan struct{} // closed and replaced when done moves
}

func newReloader(reload func() ipc.ReloadReply) *reloader {
	return &reloader{reload: reload, wake: make(chan struct{}, 1), changed: make(chan struct{})}
}

// ask requests a reload and returns its ticket, for wait.
func (r *reloader) ask() uint64 {
	r.mu.Lock()
	r.asked++
	n := r.asked
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return n
}

// pending is the ticket of the last reload asked for.
func (r *reloader) pending() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asked
}

// wait returns the reply of the reload that answered ticket n.
func (r *reloader) wait(ctx context.Context, n uint64) (ipc.ReloadReply, error) {
	for {
		r.mu.Lock()
		done, last, changed := r.done, r.last, r.changed
		r.mu.Unlock()
		if done >= n {
			return last, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ipc.ReloadReply{}, ctx.Err()
		}
	}
}

// run reloads whenever asked, until ctx is done.
func (r *reloader) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		r.mu.Lock()
		target := r.asked
		r.mu.Unlock()
		reply := r.reload()
		r.mu.Lock()
		r.done, r.last = target, reply
		close(r.changed)
		r.changed = make(chan struct{})
		r.mu.Unlock()
	}
}

// Reload reads the configuration again and waits for it to be in force. A
// broken configuration is not applied: the last good one keeps running,
// and the problems show in the log and in status.
func (d *Daemon) Reload(ctx context.Context) ipc.ReloadReply {
	reply, err := d.reloads.wait(ctx, d.reloads.ask())
	if err != nil {
		return ipc.ReloadReply{Problems: []ipc.Problem{{Message: "reload: " + err.Error()}}}
	}
	return reply
}

// reload is the reloader's one job.
func (d *Daemon) reload() ipc.ReloadReply {
	applied, cfg, probs := d.eng.Reload()
	if !applied {
		inForce, _ := d.Config()
		for _, p := range probs {
			d.log.Error("config problem; keeping the last good config", "at", p.Pos.String(), "problem", p.Message)
		}
		return ipc.ReloadReply{Applied: false, Hooks: len(inForce.Hooks), Problems: toProblems(probs)}
	}
	d.log.Info("config reloaded", "hooks", len(cfg.Hooks), "paused", countPaused(cfg))
	return ipc.ReloadReply{Applied: true, Hooks: len(cfg.Hooks), Problems: []ipc.Problem{}}
}

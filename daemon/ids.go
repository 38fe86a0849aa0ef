package daemon

import (
	"context"
	"strconv"
	"sync"

	"github.com/hookd-dev/hookd/daemon/journal"
)

// eventIDs numbers events across restarts. A block of ids is reserved in
// the journal before any of it is handed out, so a daemon that starts
// again, even after a crash, starts past every id the last one may have
// used: an id in the log and in history names one event.
type eventIDs struct {
	j *journal.Journal

	mu sync.Mutex
	// mu guards the fields that follow.
	last, limit uint64
	broken      bool // the journal refused a reservation: number on, unreserved
}

// idBlock is how many ids one reservation covers: one journal write per
// idBlock events.
const idBlock = 4096

const idsKey = "event_ids_reserved"

// newEventIDs continues after the ids the journal has reserved or used.
func newEventIDs(ctx context.Context, j *journal.Journal) *eventIDs {
	ids := &eventIDs{j: j}
	if v, err := j.Meta(ctx, idsKey); err == nil {
		ids.last, _ = strconv.ParseUint(v, 10, 64)
	}
	if n, err := j.MaxEventID(ctx); err == nil && n > ids.last {
		ids.last = n
	}
	ids.limit = ids.last
	return ids
}

// next hands out the next id.
func (ids *eventIDs) next() uint64 {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	ids.last++
	if ids.last > ids.limit && !ids.broken {
		limit := ids.last + idBlock - 1
		if err := ids.j.SetMeta(context.Background(), idsKey, strconv.FormatUint(limit, 10)); err != nil {
			ids.broken = true // history is already said to be failing
		}
		ids.limit = limit
	}
	return ids.last
}

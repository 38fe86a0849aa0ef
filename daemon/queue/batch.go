package queue

import (
	"slices"

	"github.com/hookd-dev/hookd/event"
)

// batch gathers the files of one hook's events, merged by path.
type batch struct {
	id     string      // set when queued behind a run, so Trigger can name it
	head   event.Event // the first event: kind, id, time, cause, depth
	manual bool
	files  map[string]event.File
	order  []string
}

func newBatch(ev event.Event) *batch {
	head := ev
	head.Files = nil
	return &batch{head: head, files: map[string]event.File{}}
}

// add merges files into the batch. The deepest event decides the batch's
// depth, so a chain is never shortened by merging; the chain holds every
// hook of the merged events' chains.
func (b *batch) add(ev event.Event, files []event.File) {
	if ev.Depth > b.head.Depth {
		b.head.Depth, b.head.Cause = ev.Depth, ev.Cause
	}
	for _, h := range ev.Chain {
		if !slices.Contains(b.head.Chain, h) {
			b.head.Chain = append(slices.Clip(b.head.Chain), h)
		}
	}
	if b.head.Args == nil && ev.Args != nil {
		b.head.Args = ev.Args
	}
	for _, f := range files {
		prev, seen := b.files[f.Path]
		if !seen {
			b.files[f.Path] = f
			b.order = append(b.order, f.Path)
			continue
		}
		change, keep := merge(prev.Change, f.Change)
		if !keep {
			delete(b.files, f.Path)
			continue
		}
		f.Change = change
		if f.From == "" {
			f.From = prev.From
		}
		b.files[f.Path] = f
	}
}

// absorb merges another batch into this one.
func (b *batch) absorb(o *batch) {
	ev := o.head
	b.add(ev, o.event().Files)
}

// merge folds two successive changes of one path into what a hook should
// see: the net change since the batch began.
func merge(first, then event.Change) (event.Change, bool) {
	switch {
	case first == event.Created && then == event.Deleted:
		return "", false // came and went
	case first == event.Created:
		return event.Created, true // still new, whatever happened since
	case first == event.Deleted && then != event.Deleted:
		return event.Saved, true // replaced
	default:
		return then, true
	}
}

// event materialises the batch, files in the order they first came.
func (b *batch) event() event.Event {
	ev := b.head
	ev.Files = make([]event.File, 0, len(b.files))
	seen := make(map[string]bool, len(b.files))
	for _, p := range b.order {
		if f, ok := b.files[p]; ok && !seen[p] {
			seen[p] = true
			ev.Files = append(ev.Files, f)
		}
	}
	if len(ev.Files) > 0 {
		ev.Kind = event.ChangeKind(ev.Files[0].Change)
		if !isFileKind(b.head.Kind) {
			ev.Kind = b.head.Kind
		}
	}
	return ev
}

func isFileKind(k event.Kind) bool {
	return k == event.FileCreated || k == event.FileSaved || k == event.FileDeleted
}

package watch

// SetDrop makes the watcher lose the events of matching paths, as a kernel
// queue overflow would; nil stops it.
func (w *Watcher) SetDrop(drop func(rel string) bool) {
	if drop == nil {
		w.drop.Store(nil)
		return
	}
	w.drop.Store(&drop)
}

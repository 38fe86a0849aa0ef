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

// SetAdd replaces the call that adds a kernel watch, so a test can make
// the kernel refuse.
func (w *Watcher) SetAdd(add func(path string) error) { w.add = add }

// Add returns the call that adds a kernel watch.
func (w *Watcher) Add() func(path string) error { return w.add }

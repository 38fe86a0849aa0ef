// Package watch is hookd's file-system source: recursive watching on
// fsnotify, with the recursion done here because fsnotify has none.
//
// # Guarantees
//
//   - Ignored trees are decided before a watch is added (git's rules, see
//     package ignore), so node_modules and friends cost nothing; .git is
//     never watched.
//   - A directory is watched first and scanned second, so a file created in
//     between is seen by one or the other, never lost (mkdir -p a/b/c &&
//     touch a/b/c/f delivers a/b/c/f).
//   - A directory moved or deleted drops every watch below it before
//     anything is added under a new name, which keeps inotify's
//     per-inode watch descriptors from being reused and then removed.
//   - On an inotify queue overflow the whole tree is rescanned against the
//     settler's index, which synthesises the events that were missed.
//   - Running out of inotify watches is an error that names
//     fs.inotify.max_user_watches and the sysctl that fixes it.
//
// The watcher decides nothing about what changed. It hands touched paths
// to the settler (package settle), which compares them with its index.
//
// # Sync cookies
//
// [Watcher.Sync] writes a cookie file into a watched directory outside the
// work tree and waits for its event. inotify delivers one instance's events
// in order, so once the cookie is seen every earlier change has been read;
// the settler then flushes and answers. This is git fsmonitor's cookie
// trick, and it is what the tests and `POST /v1/sync` use instead of sleeps.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/fsnotify/fsnotify"
	"github.com/lmittmann/tint"

	"github.com/hookd-dev/hookd/daemon/ignore"
	"github.com/hookd-dev/hookd/daemon/settle"
)

// ErrWatchLimit is returned when the kernel's inotify watch limit is too low
// for the tree.
var ErrWatchLimit = errors.New("watch: out of inotify watches")

// Options configure a Watcher.
type Options struct {
	Root      string // absolute work-tree root
	GitDir    string // the repository's git dir, "" outside git
	CookieDir string // absolute directory for sync cookies, outside Root or ignored
	Ignore    []string
	Settler   *settle.Settler
	Log       *slog.Logger
	// NewFSWatcher creates the fsnotify watcher; nil means
	// fsnotify.NewWatcher. Tests use it to lower the kernel queue size.
	NewFSWatcher func() (*fsnotify.Watcher, error)
	// PollInterval is how often directories beyond the inotify watch
	// limit are polled; zero means DefaultPollInterval.
	PollInterval time.Duration
}

// DefaultPollInterval is how often directories that could not be watched
// are rescanned: modest, since it is a fallback until the limit is raised.
const DefaultPollInterval = 2 * time.Second

// Watcher watches a work tree and feeds a settler.
type Watcher struct {
	opts Options
	fw   *fsnotify.Watcher
	log  *slog.Logger

	// walkMu guards the fields that follow: the Run goroutine owns them,
	// but addTree's workers share them while it walks.
	walkMu sync.Mutex
	ig     *ignore.Matcher
	dirs   map[string]struct{} // watched directories, repo-relative ("" for root)
	polled map[string]struct{} // directories over the watch limit, polled instead

	mu       sync.Mutex
	waiters  map[string]chan struct{} // cookie name -> settled
	barriers map[string]func()        // cookie name -> called in event order

	overflow chan struct{} // asks Run to recover as from an overflow
	// bufs are getdents buffers, one per walker at a time.
	bufs         sync.Pool
	polledWarned atomic.Bool
	drop         atomic.Pointer[func(rel string) bool] // tests only: lose matching events
	add          func(path string) error               // fsnotify's Add; tests put the kernel's errors here

	seq       atomic.Uint64
	events    atomic.Uint64 // kernel events read, for Sync to tell a busy watcher from a dead one
	overflows atomic.Int64
	watches   atomic.Int64
	uncovered atomic.Int64 // directories that could not be watched for another reason
	npolled   atomic.Int64 // len(polled), for the event loop to read without the lock
}

// New creates the fsnotify watcher and prepares the cookie directory.
// Nothing is watched until Run.
func New(opts Options) (*Watcher, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	newFS := opts.NewFSWatcher
	if newFS == nil {
		// Buffered: fsnotify's reader hands a burst over without waiting
		// for us to take each event.
		newFS = func() (*fsnotify.Watcher, error) { return fsnotify.NewBufferedWatcher(4096) }
	}
	fw, err := newFS()
	if err != nil {
		return nil, fmt.Errorf("watch: create inotify instance: %w", err)
	}
	if err := os.MkdirAll(opts.CookieDir, 0o700); err != nil {
		fw.Close()
		return nil, fmt.Errorf("watch: create cookie dir: %w", err)
	}
	// Stale cookies from a crashed run would only confuse.
	if entries, err := os.ReadDir(opts.CookieDir); err == nil {
		for _, e := range entries {
			os.Remove(filepath.Join(opts.CookieDir, e.Name()))
		}
	}
	w := &Watcher{
		opts:     opts,
		fw:       fw,
		add:      fw.Add,
		log:      opts.Log,
		ig:       ignore.New(opts.Root, opts.GitDir, opts.Ignore),
		dirs:     map[string]struct{}{},
		polled:   map[string]struct{}{},
		waiters:  map[string]chan struct{}{},
		barriers: map[string]func(){},
		overflow: make(chan struct{}, 1),
	}
	w.bufs.New = func() any { return &scanBufs{buf: make([]byte, 32<<10)} }
	opts.Settler.SetBarrier(w.barrier)
	return w, nil
}

// barrier calls confirm from the event loop once every event that happened
// before the call has been handed to the settler: it writes a cookie and
// waits for its event, in order with all the others.
func (w *Watcher) barrier(confirm func()) {
	name := "b" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(w.seq.Add(1), 10)
	w.mu.Lock()
	w.barriers[name] = confirm
	w.mu.Unlock()
	if err := writeCookie(filepath.Join(w.opts.CookieDir, name)); err != nil {
		w.log.Warn("write barrier cookie; trusting the baseline", tint.Err(err))
		w.mu.Lock()
		delete(w.barriers, name)
		w.mu.Unlock()
		confirm()
	}
}

// Stats report the watcher's counters.
type Stats struct {
	Watches   int64 // directories watched
	Uncovered int64 // directories that could not be watched
	Polled    int64 // of those, the ones over the watch limit, polled instead
	Overflows int64 // inotify queue overflows recovered from
}

// Stats returns the current counters. It is safe to call from any
// goroutine.
func (w *Watcher) Stats() Stats {
	p := w.npolled.Load()
	return Stats{Watches: w.watches.Load(), Uncovered: w.uncovered.Load() + p, Polled: p, Overflows: w.overflows.Load()}
}

// Start watches the whole tree and seeds the settler's index. It returns
// once every directory is watched, or polled when the kernel's watch limit
// is too low for the tree: never a silent partial watch. Call Run next.
func (w *Watcher) Start() error {
	if err := w.fw.Add(w.opts.CookieDir); err != nil {
		return fmt.Errorf("watch: cookie dir: %w", w.explain(err))
	}
	w.opts.Settler.HoldSeeds(true)
	defer w.opts.Settler.HoldSeeds(false)
	if err := w.addTree("", settle.Seed); err != nil {
		return err
	}
	w.warnPolled()
	return nil
}

// warnPolled says, once per episode, how many directories are polled and
// what fixes it.
func (w *Watcher) warnPolled() {
	n := w.npolled.Load()
	if n == 0 || w.polledWarned.Swap(true) {
		return
	}
	limit, _ := os.ReadFile("/proc/sys/fs/inotify/max_user_watches")
	w.log.Warn("directories over the inotify watch limit are polled instead of watched",
		"polled", n, "watched", w.watches.Load(), "every", w.opts.PollInterval,
		"max_user_watches", strings.TrimSpace(string(limit)),
		"fix", fmt.Sprintf("sudo sysctl fs.inotify.max_user_watches=%d", max(524288, 2*(n+w.watches.Load()))))
}

// poll rescans the directories over the watch limit against the index,
// and tries again to watch them: new, changed and deleted files come out as
// events, only later than watched ones.
func (w *Watcher) poll() {
	w.walkMu.Lock()
	var tops []string
	for d := range w.polled {
		parent := path.Dir(d)
		if parent == "." {
			parent = ""
		}
		if _, also := w.polled[parent]; !also || d == "" {
			tops = append(tops, d)
		}
	}
	w.walkMu.Unlock()
	for _, d := range tops {
		w.opts.Settler.Touch(d, settle.Tree|settle.Rescan)
		if err := w.addTree(d, settle.Rescan); err != nil {
			w.log.Error("poll", "dir", d, tint.Err(err))
		}
	}
	if w.npolled.Load() == 0 && w.polledWarned.Swap(false) {
		w.log.Info("every directory is watched again; polling stopped")
	}
}

func (w *Watcher) setPolled(d string, on bool) {
	w.walkMu.Lock()
	defer w.walkMu.Unlock()
	_, was := w.polled[d]
	switch {
	case on && !was:
		w.polled[d] = struct{}{}
		w.npolled.Add(1)
	case !on && was:
		delete(w.polled, d)
		w.npolled.Add(-1)
	}
}

// Close releases the kernel watches of a watcher that was started but not
// run. Run closes the watcher itself when it returns.
func (w *Watcher) Close() error { return w.fw.Close() }

// Run reads events until ctx is done, then closes the watcher.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.fw.Close()
	// The poll ticker runs only while some directory is polled: an idle
	// daemon has no periodic wakeups.
	var ticker *time.Ticker
	var tick <-chan time.Time
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	for {
		switch polling := w.npolled.Load() > 0; {
		case polling && ticker == nil:
			ticker = time.NewTicker(w.opts.PollInterval)
			tick = ticker.C
			w.warnPolled()
		case !polling && ticker != nil:
			ticker.Stop()
			ticker, tick = nil, nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			w.poll()
		case <-w.overflow:
			w.overflowed()
		case ev, ok := <-w.fw.Events:
			if !ok {
				return nil
			}
			w.events.Add(1)
			w.handle(ev)
		case err, ok := <-w.fw.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.overflowed()
				continue
			}
			w.log.Warn("watch error", tint.Err(err))
		}
	}
}

// Resync makes Run recover as from a kernel queue overflow. It is for a
// user who suspects missed events, and for tests.
func (w *Watcher) Resync() {
	select {
	case w.overflow <- struct{}{}:
	default:
	}
}

// overflowed recovers from lost kernel events: it re-walks the tree,
// watching what is missing, and asks the settler to rescan every file
// against its index.
func (w *Watcher) overflowed() {
	n := w.overflows.Add(1)
	w.log.Warn("inotify queue overflowed; rescanning the tree", "overflows", n)
	w.opts.Settler.Touch("", settle.Tree|settle.Rescan)
	if err := w.addTree("", settle.Rescan); err != nil {
		w.log.Error("rescan after overflow", tint.Err(err))
	}
	// The overflow may have swallowed cookie events too. Every cookie
	// written by now is answered by this rescan.
	w.mu.Lock()
	for name, done := range w.waiters {
		if _, err := os.Lstat(filepath.Join(w.opts.CookieDir, name)); err == nil {
			w.opts.Settler.Cookie(done)
			delete(w.waiters, name)
		}
	}
	for name, confirm := range w.barriers {
		if _, err := os.Lstat(filepath.Join(w.opts.CookieDir, name)); err == nil {
			confirm()
			delete(w.barriers, name)
			os.Remove(filepath.Join(w.opts.CookieDir, name))
		}
	}
	w.mu.Unlock()
}

// Sync returns once every change made before the call has been examined
// and its events emitted. It gives up after timeout without any event, as
// git fsmonitor does, for file systems where watches succeed but events
// never come; a watcher busy with a burst ahead of the cookie is not one
// (the wait then ends at most a minute after the call).
func (w *Watcher) Sync(ctx context.Context, timeout time.Duration) error {
	done := make(chan struct{})
	release, err := w.Mark(done)
	if err != nil {
		return err
	}
	defer release()
	t := time.NewTimer(timeout)
	defer t.Stop()
	seen, limit := w.events.Load(), time.Now().Add(max(time.Minute, timeout))
	for {
		select {
		case <-done:
			return nil
		case <-t.C:
			// Events still coming: the cookie is queued behind them.
			if n := w.events.Load(); n != seen && time.Now().Before(limit) {
				seen = n
				t.Reset(timeout)
				continue
			}
			return fmt.Errorf("watch: sync cookie not seen within %s; events may be delayed", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Mark is Sync without the wait, for the goroutine that drives the
// settler (which must go on stepping for the wait to end): done is
// closed once every change made before the call has been examined and
// its events emitted. release forgets the mark; call it once done is
// closed or the caller gives up.
func (w *Watcher) Mark(done chan struct{}) (release func(), err error) {
	name := strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(w.seq.Add(1), 10)
	w.mu.Lock()
	w.waiters[name] = done
	w.mu.Unlock()
	file := filepath.Join(w.opts.CookieDir, name)
	release = func() {
		w.mu.Lock()
		delete(w.waiters, name)
		w.mu.Unlock()
		os.Remove(file)
	}
	if err := writeCookie(file); err != nil {
		release()
		return nil, fmt.Errorf("watch: write sync cookie: %w", err)
	}
	return release, nil
}

// Events counts the events the watcher has read: a mark not seen while
// it still moves is queued behind them.
func (w *Watcher) Events() uint64 { return w.events.Load() }

func (w *Watcher) handle(ev fsnotify.Event) {
	if dir, name := filepath.Split(ev.Name); filepath.Clean(dir) == w.opts.CookieDir {
		if ev.Has(fsnotify.Create) {
			w.mu.Lock()
			done := w.waiters[name]
			delete(w.waiters, name)
			confirm := w.barriers[name]
			delete(w.barriers, name)
			w.mu.Unlock()
			if done != nil {
				w.opts.Settler.Cookie(done)
			}
			if confirm != nil {
				confirm()
				os.Remove(ev.Name)
			}
		}
		return
	}
	rel, ok := w.rel(ev.Name)
	if drop := w.drop.Load(); !ok || (drop != nil && (*drop)(rel)) {
		return
	}
	if ev.Op == fsnotify.Chmod {
		return // metadata only; noisy (indexers, antivirus) and never a content change
	}
	if path.Base(rel) == ".gitignore" {
		w.gitignoreChanged(path.Dir(rel))
	}
	if _, isDir := w.dirs[rel]; isDir && ev.Has(fsnotify.Remove|fsnotify.Rename) {
		w.dropTree(rel)
		w.opts.Settler.Touch(rel, settle.Tree|settle.Event)
		return
	}
	if TempFile(path.Base(rel)) {
		return
	}
	if ev.Has(fsnotify.Create) {
		fi, err := os.Lstat(ev.Name)
		if err == nil && fi.IsDir() {
			if !w.ig.Match(rel, true) {
				if err := w.addTree(rel, settle.Event); err != nil {
					w.log.Error("watch new directory", "dir", rel, tint.Err(err))
				}
			}
			return
		}
	}
	if w.ig.Match(rel, false) {
		return
	}
	w.opts.Settler.Touch(rel, settle.Event)
}

// rel converts an absolute event path into a repository-relative one.
func (w *Watcher) rel(abs string) (string, bool) {
	r, err := filepath.Rel(w.opts.Root, abs)
	if err != nil || r == "." || strings.HasPrefix(r, "..") {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// addTree watches dir and everything below it that is not ignored, then
// touches every file found with flags (or seeds them). The watch is added
// before the directory is read, so nothing created in between is missed.
// Directories are visited by GOMAXPROCS workers: adding a watch is
// serialised in the kernel, but reading directories overlaps.
func (w *Watcher) addTree(dir string, flags settle.Flags) error {
	var (
		mu    sync.Mutex
		cond  = sync.NewCond(&mu)
		stack = []string{dir}
		busy  int
		first error
	)
	worker := func() {
		mu.Lock()
		defer mu.Unlock()
		for {
			for len(stack) == 0 && busy > 0 {
				cond.Wait()
			}
			if len(stack) == 0 {
				cond.Broadcast()
				return
			}
			d := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			busy++
			mu.Unlock()
			subdirs, err := w.visit(d, flags)
			mu.Lock()
			busy--
			if err != nil && first == nil {
				first, stack = err, nil
			}
			if first == nil {
				stack = append(stack, subdirs...)
			}
			cond.Broadcast()
		}
	}
	n := min(runtime.GOMAXPROCS(0), 4)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); worker() }()
	}
	wg.Wait()
	return first
}

// scanBufs are what reading one directory needs.
type scanBufs struct {
	buf     []byte
	entries []dirent
}

// visit watches one directory, reads it, hands its files to the settler
// and returns its subdirectories that are not ignored.
func (w *Watcher) visit(d string, flags settle.Flags) ([]string, error) {
	abs := filepath.Join(w.opts.Root, filepath.FromSlash(d))
	w.walkMu.Lock()
	_, watched := w.dirs[d]
	w.walkMu.Unlock()
	if !watched {
		err := w.add(abs)
		switch {
		case err == nil:
			w.walkMu.Lock()
			w.dirs[d] = struct{}{}
			w.walkMu.Unlock()
			w.watches.Add(1)
			w.setPolled(d, false)
		case errors.Is(err, syscall.ENOSPC):
			// Over the watch limit: read it anyway, and poll it from now
			// on, so nothing in it is lost.
			w.setPolled(d, true)
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			w.setPolled(d, false)
			return nil, nil // gone already; its delete will follow
		default:
			w.uncovered.Add(1)
			w.log.Warn("cannot watch directory", "dir", d, tint.Err(err))
			return nil, nil
		}
	}
	scan := w.bufs.Get().(*scanBufs)
	defer w.bufs.Put(scan)
	entries, err := readDir(abs, scan.buf, scan.entries)
	scan.entries = entries[:0]
	if err != nil && len(entries) == 0 {
		return nil, nil
	}
	w.walkMu.Lock()
	defer w.walkMu.Unlock()
	for _, e := range entries {
		if e.name == ".gitignore" {
			w.ig.LoadDir(d)
			break
		}
	}
	var subdirs, seeds []string
	if flags == settle.Seed {
		seeds = make([]string, 0, len(entries))
	}
	var scratch []byte
	for _, e := range entries {
		if e.dir {
			rel := e.name
			if d != "" {
				rel = d + "/" + e.name
			}
			if !w.ig.Match(rel, true) {
				subdirs = append(subdirs, rel)
			}
			continue
		}
		if TempFile(e.name) {
			continue
		}
		// A file's path is needed for the ignore rules only, most of the
		// time: joined in a scratch buffer, which the matcher reads and
		// keeps nothing of, rather than allocated for every file.
		scratch = append(scratch[:0], d...)
		if d != "" {
			scratch = append(scratch, '/')
		}
		scratch = append(scratch, e.name...)
		if w.ig.Match(unsafe.String(unsafe.SliceData(scratch), len(scratch)), false) {
			continue
		}
		if flags == settle.Seed {
			seeds = append(seeds, e.name)
			continue
		}
		w.opts.Settler.Touch(string(scratch), flags)
	}
	w.opts.Settler.SeedDir(d, seeds)
	return subdirs, nil
}

// dropTree forgets the watches of dir and every directory below it, and
// stops polling them. The
// kernel removed the watch of a deleted directory already, but a moved
// directory's subdirectories keep theirs under stale names; they must go
// before anything is watched under the new name, or inotify would hand the
// same descriptor back and a late removal would take the new watch too.
func (w *Watcher) dropTree(dir string) {
	for d := range w.dirs {
		if d == dir || strings.HasPrefix(d, dir+"/") {
			// An error means the kernel dropped it already.
			_ = w.fw.Remove(filepath.Join(w.opts.Root, filepath.FromSlash(d)))
			delete(w.dirs, d)
			w.watches.Add(-1)
		}
	}
	for d := range w.polled {
		if d == dir || strings.HasPrefix(d, dir+"/") {
			delete(w.polled, d)
			w.npolled.Add(-1)
		}
	}
	w.ig.ForgetDir(dir)
}

// gitignoreChanged reloads a directory's rules and re-walks it, so newly
// un-ignored directories are watched and newly ignored files are dropped
// from the index as deletions.
func (w *Watcher) gitignoreChanged(dir string) {
	if dir == "." {
		dir = ""
	}
	w.ig.LoadDir(dir)
	w.opts.Settler.Touch(dir, settle.Tree|settle.Rescan)
	if err := w.addTree(dir, settle.Rescan); err != nil {
		w.log.Error("re-walk after .gitignore change", "dir", dir, tint.Err(err))
	}
}

// explain turns the kernel's ENOSPC into an error a person can act on.
func (w *Watcher) explain(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		limit, _ := os.ReadFile("/proc/sys/fs/inotify/max_user_watches")
		return fmt.Errorf("%w: fs.inotify.max_user_watches is %s and this tree needs more; raise it with: sudo sysctl fs.inotify.max_user_watches=524288 (and add it to /etc/sysctl.d/ to keep it)",
			ErrWatchLimit, strings.TrimSpace(string(limit)))
	}
	return err
}

// writeCookie creates a new, empty cookie file: never an existing one, and
// never through a symlink.
func writeCookie(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// TempFile reports whether a base name is an editor's temporary or backup
// file, which is never an event: vim's write test file (4913, 5036, …) and
// swap files, `~` backups, JetBrains' safe-write files and emacs locks and
// autosaves.
func TempFile(name string) bool {
	switch {
	case strings.HasSuffix(name, "~"),
		strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"),
		strings.HasPrefix(name, ".#"),
		len(name) > 2 && name[0] == '#' && name[len(name)-1] == '#',
		strings.HasSuffix(name, ".kate-swp"):
		return true
	}
	if ext := path.Ext(name); len(ext) == 4 && strings.HasPrefix(ext, ".sw") && ext[3] >= 'a' && ext[3] <= 'p' {
		return true // vim swap: .swp, .swo, … .swa
	}
	if strings.HasSuffix(name, ".swpx") {
		return true
	}
	// vim probes a directory with a file named 4913, then 4913+123n.
	if name == "" || name[0] < '0' || name[0] > '9' {
		return false // not a number: Atoi would allocate its error for every file
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 4913 && (n-4913)%123 == 0 {
		return true
	}
	return false
}

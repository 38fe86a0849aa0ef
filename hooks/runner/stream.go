package runner

import (
	"bytes"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookd-dev/hookd/agentcli"
)

// An agent CLI's structured output is parsed by agentcli, per CLI; the
// runner splits it into lines as it comes and lets the daemon wait until
// what has been printed has been read.

// FormatText is an agent's output kept as text.
const FormatText = agentcli.FormatText

// Activity is one thing an agent reports while it runs (agentcli's).
type Activity = agentcli.Activity

// ActivityKind is what an Activity reports.
type ActivityKind = agentcli.ActivityKind

// What an Activity reports.
const (
	Writes      = agentcli.Writes
	OpaqueStart = agentcli.OpaqueStart
	OpaqueEnd   = agentcli.OpaqueEnd
	Spoke       = agentcli.Spoke
)

// MaxStreamLine is the longest line of structured output read whole; a
// longer one (a Write of a large file) is read for its head only, which
// is where the CLIs put file_path.
const MaxStreamLine = 1 << 20

// streamHead is how much of an over-long line is kept for its fields.
const streamHead = 64 << 10

// lines splits what is written into lines, keeping at most max bytes of
// each, so that a writer of gigabytes without a newline costs max.
type lines struct {
	max       int
	buf       []byte
	truncated bool
	line      func(b []byte, truncated bool) // each line, without its newline
}

func (l *lines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if room := l.max - len(l.buf); room > 0 {
			l.buf = append(l.buf, chunk[:min(len(chunk), room)]...)
		}
		if len(l.buf)+len(chunk) > l.max {
			l.truncated = true
		}
		if i < 0 {
			break
		}
		l.flush()
		p = p[i+1:]
	}
	return n, nil
}

// flush hands on the line gathered so far.
func (l *lines) flush() {
	l.line(l.buf, l.truncated)
	l.buf, l.truncated = l.buf[:0], false
	if cap(l.buf) > 64<<10 {
		l.buf = nil // one long line does not keep its megabyte
	}
}

// agentOutput splits an agent's stdout into lines for its stream, as it
// comes. It keeps at most MaxStreamLine of a line, so a CLI that writes
// gigabytes without a newline costs a megabyte.
type agentOutput struct {
	// mu serialises the stream's reads of stdout and stderr.
	mu  sync.Mutex
	s   *agentcli.Stream
	out lines
	// read counts the bytes read from the pipe, parsed those fed to the
	// stream: catchUp waits until parsed has reached what was in the pipe.
	read, parsed atomic.Int64
	progress     chan struct{} // signalled after each Write
	eof          chan struct{} // closed once the pipe is read to its end
}

func newAgentOutput(s *agentcli.Stream) *agentOutput {
	w := &agentOutput{s: s, progress: make(chan struct{}, 1), eof: make(chan struct{})}
	w.out = lines{max: MaxStreamLine, line: func(b []byte, truncated bool) {
		if truncated {
			b = b[:min(len(b), streamHead)]
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.s.Feed(b, truncated)
	}}
	return w
}

func (w *agentOutput) Write(p []byte) (int, error) {
	n, _ := w.out.Write(p)
	w.parsed.Add(int64(n))
	select {
	case w.progress <- struct{}{}:
	default:
	}
	return n, nil
}

// close feeds a last line that had no newline.
func (w *agentOutput) close() {
	if len(w.out.buf) > 0 {
		w.out.flush()
	}
}

// stderrLines is the writer of an agent's stderr for its stream, when the
// stream reads it (gemini's API retries); nil otherwise. Lines are read
// for their head only: what is read there is short.
func (w *agentOutput) stderrLines() io.Writer {
	if !w.s.WantsStderr() {
		return nil
	}
	return &lines{max: lineHeadCap, line: func(b []byte, _ bool) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.s.FeedStderr(b)
	}}
}

const lineHeadCap = 4 << 10

// countingReader counts what it reads into n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// catchUpLimit bounds a catch-up whose reader makes no progress at all
// (the daemon's loop waits meanwhile): only a reader stopped for that long
// (a machine frozen, a debugger) gives up, and then the change is not
// judged as if the agent had been heard (the time window decides).
const catchUpLimit = 3 * time.Second

// catchUp returns once everything the agent had written to its stdout
// when it was called has been parsed, or the output has ended: then a tool
// call it announced before making a write is known before that write is
// judged, however busy the machine. False when the reader made no
// progress for catchUpLimit.
func (w *agentOutput) catchUp(pipe *os.File) bool {
	target := w.read.Load() + int64(pending(pipe))
	stuck := time.NewTimer(catchUpLimit)
	defer stuck.Stop()
	for w.parsed.Load() < target {
		select {
		case <-w.progress:
			stuck.Reset(catchUpLimit)
		case <-w.eof:
			return true
		case <-stuck.C:
			return false
		}
	}
	return true
}

func capString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lmittmann/tint"
)

// LogLines turns the daemon's log lines (slog's JSON, one a line) into
// the lines `hookd run` prints for people: tint's format, the time of
// day, the level, the message and the attributes as key=value, coloured
// on a terminal. A line that is not a JSON object (a log file the daemon
// wrote in text already) is passed on as it is, so nothing is dropped.
// Write takes whole lines, one or more per call.
type LogLines struct {
	out io.Writer
	h   slog.Handler
}

// NewLogLines writes people's lines to out; color asks for tint's colours.
func NewLogLines(out io.Writer, color bool) *LogLines {
	return &LogLines{out: out, h: tint.NewTextHandler(out, &tint.Options{Level: slog.LevelDebug, TimeFormat: time.TimeOnly, NoColor: !color})}
}

func (l *LogLines) Write(p []byte) (int, error) {
	for line := range bytes.Lines(p) {
		if err := l.line(bytes.TrimRight(line, "\n")); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// line prints one line: decoded when it is slog's JSON, else as it came.
func (l *LogLines) line(line []byte) error {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	if err := dec.Decode(&m); err != nil || m == nil {
		_, err := fmt.Fprintf(l.out, "%s\n", line)
		return err
	}
	var t time.Time
	if s, ok := m["time"].(string); ok {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	var level slog.Level
	if s, ok := m["level"].(string); ok {
		_ = level.UnmarshalText([]byte(s)) // an unknown level stays INFO
	}
	msg, _ := m["msg"].(string)
	rec := slog.NewRecord(t.Local(), level, msg, 0)
	// slog's JSON keeps the attributes in the order they were logged;
	// decoding into a map loses it, so they are put back in that order.
	for _, k := range keysInOrder(line) {
		switch k {
		case "time", "level", "msg":
			continue
		}
		rec.AddAttrs(attr(k, m[k]))
	}
	return l.h.Handle(context.Background(), rec)
}

// attr makes a decoded JSON value an attribute; a group (an object)
// keeps its keys as a group does in text.
func attr(k string, v any) slog.Attr {
	switch v := v.(type) {
	case map[string]any:
		var as []any
		for kk, vv := range v {
			as = append(as, attr(kk, vv))
		}
		return slog.Group(k, as...)
	case json.Number:
		if i, err := v.Int64(); err == nil {
			if durationKeys[k] {
				return slog.Duration(k, time.Duration(i))
			}
			return slog.Int64(k, i)
		}
		return slog.String(k, v.String())
	case nil:
		return slog.String(k, "")
	case string:
		return slog.String(k, v)
	}
	return slog.Any(k, v)
}

// durationKeys are the daemon's attributes that hold a time.Duration:
// slog's JSON writes those as nanoseconds, which read as "took=25300000"
// unless they are made durations again.
var durationKeys = map[string]bool{"took": true, "ready_in": true, "timeout": true, "debounce": true, "wait": true, "after": true}

// keysInOrder lists the top-level keys of a JSON object as written.
func keysInOrder(line []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(line))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

package render

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The daemon's JSON lines read as `hookd run` prints them: tint's time of
// day, level, message, then the attributes in the order they were logged;
// a line that is not JSON (a text log file) is passed on whole.
func TestLogLines(t *testing.T) {
	var out bytes.Buffer
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local).Format(time.RFC3339Nano)
	in := `{"time":"` + at + `","level":"WARN","msg":"run finished","hook":"lint","exit":2,"took":25300000,"git":{"branch":"main"}}` + "\n" +
		"03:04:05 INF already text\n\n"
	if _, err := NewLogLines(&out, false).Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	want := "03:04:05 WRN run finished hook=lint exit=2 took=25.3ms git.branch=main\n03:04:05 INF already text\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("colour when none was asked for")
	}
}

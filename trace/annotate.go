package trace

import (
	"fmt"
	"io"
	"strings"
)

// Annotate writes each finding as a GitHub Actions workflow command, so
// it shows on the pull request's diff at its line: an error when the
// policy fails on it, a warning when not.
func Annotate(w io.Writer, rep *Report) {
	for _, f := range rep.Findings {
		level := pick(f.Fails, "error", "warning")
		fmt.Fprintf(w, "::%s file=%s,line=%d,title=%s::%s\n", level, ghProperty(f.File), f.Line, ghProperty("hookd trace: "+f.Kind), ghData(f.Message))
	}
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

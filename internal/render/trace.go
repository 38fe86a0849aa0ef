package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/trace"
)

// TraceJSON prints a trace report's JSON indented, as it came (a big
// report is not decoded only to be encoded again), and returns the
// problems it carries, for the caller to warn of.
func TraceJSON(w io.Writer, raw json.RawMessage) (problems []string, err error) {
	var p struct{ Problems []string }
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return p.Problems, err
}

// TraceCheck prints the findings the policy fails on (as JSON when
// asJSON; as GitHub annotations too, every finding, when annotate) on
// out, and the verdict's summary on summary. It returns whether the
// policy holds.
func TraceCheck(out, summary io.Writer, rep *trace.Report, asJSON, annotate bool) (bool, error) {
	failing := rep.Failing()
	if asJSON {
		if failing == nil {
			failing = []trace.Finding{}
		}
		if err := JSON(out, failing); err != nil {
			return false, err
		}
	} else {
		trace.WriteFindings(out, failing)
	}
	if annotate {
		trace.Annotate(out, rep)
	}
	others := len(rep.Findings) - len(failing)
	if len(failing) > 0 {
		fmt.Fprintf(summary, "trace check: %s the policy fails on (fail_on = [%s]), %d other; %d of %d requirements covered\n",
			human.Plural(len(failing), "finding", "findings"), strings.Join(rep.Policy.FailOn, ", "), others, rep.Summary.Covered, rep.Summary.Requirements)
		return false, nil
	}
	fmt.Fprintf(summary, "trace check: ok (%d of %d requirements covered; %d findings the policy does not fail on)\n", rep.Summary.Covered, rep.Summary.Requirements, others)
	return true, nil
}

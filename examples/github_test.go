package examples_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The example workflow uses the repository's action as it is: every input
// it passes is one the action takes, and every output it reads is one the
// action sets.
func TestWorkflowMatchesTheAction(t *testing.T) {
	var action struct {
		Inputs  map[string]any
		Outputs map[string]any
	}
	var workflow struct {
		Jobs map[string]struct {
			Steps []struct {
				ID   string
				Uses string
				With map[string]string
				Env  map[string]string
				Run  string
				If   string
			}
		}
	}
	for file, v := range map[string]any{"../action.yml": &action, "github/specs.yml": &workflow} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	used := false
	ref := regexp.MustCompile(`steps\.hookd\.outputs\.([a-z_-]+)`)
	for _, job := range workflow.Jobs {
		for _, st := range job.Steps {
			if strings.HasPrefix(st.Uses, "hookd-dev/hookd@") {
				used = true
				for k := range st.With {
					if _, ok := action.Inputs[k]; !ok {
						t.Errorf("the workflow passes %q, which action.yml does not take", k)
					}
				}
			}
			text := st.If + st.Run
			for _, v := range st.Env {
				text += " " + v
			}
			for _, m := range ref.FindAllStringSubmatch(text, -1) {
				if _, ok := action.Outputs[m[1]]; !ok {
					t.Errorf("the workflow reads output %q, which action.yml does not set", m[1])
				}
			}
		}
	}
	if !used {
		t.Error("the workflow does not use hookd-dev/hookd")
	}
}

package steering

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/hookd-dev/hookd/rules"
)

// MaxFileRef is how much of one #[[file:…]] reference is inlined.
const MaxFileRef = 64 << 10

// Input is what a prompt is made of besides its template.
type Input struct {
	Env *rules.Env
	// Steering are the documents that apply, in order.
	Steering []Doc
	// Diff is the unified diff of the batch's files, already bounded.
	Diff string
	// Impact is the readable impact report of a spec change.
	Impact string
	// Literal says the prompt is not a template (a Kiro hook's): it goes as
	// written, followed by what happened, which Kiro's IDE would have had
	// in its chat context.
	Literal bool
}

// Render renders a hook's prompt template over the rule environment (the
// names of `hookd rules`: .files, .spec.modified, …) plus .steering, .diff
// and .impact. Steering the template does not place itself is put first.
// #[[file:path]] references, in the prompt and in steering, are replaced by
// the file, which must be inside the repository root.
func Render(root, tmpl string, in Input) (string, error) {
	steer := steeringText(in.Steering)
	if in.Literal {
		prompt := tmpl + eventContext(in.Env)
		if steer != "" {
			prompt = steer + "\n" + prompt
		}
		return ExpandFileRefs(root, prompt), nil
	}
	t, err := template.New("prompt").Option("missingkey=zero").Parse(tmpl)
	if err != nil {
		return "", err
	}
	data := map[string]any{}
	if in.Env != nil {
		raw, err := json.Marshal(in.Env)
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal(raw, &data); err != nil {
			return "", err
		}
	}
	data["steering"], data["diff"], data["impact"] = steer, in.Diff, in.Impact
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	prompt := b.String()
	if steer != "" && !strings.Contains(tmpl, ".steering") {
		prompt = steer + "\n" + prompt
	}
	return ExpandFileRefs(root, prompt), nil
}

// eventContext says what happened, for a literal prompt.
func eventContext(env *rules.Env) string {
	if env == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n\n(hookd: %s", env.Event.Kind)
	if len(env.Files) > 0 {
		b.WriteString(" of")
		for _, f := range env.Files {
			fmt.Fprintf(&b, " %s", f.Path)
		}
	}
	for _, t := range env.Spec.Tasks {
		fmt.Fprintf(&b, "; task %s %q is %s", t.ID, t.Title, t.To)
	}
	if len(env.Spec.Changed) > 0 {
		fmt.Fprintf(&b, "; requirements changed: %s", strings.Join(env.Spec.Changed, ", "))
	}
	if env.Run.Hook != "" {
		fmt.Fprintf(&b, "; run of %s ended %s", env.Run.Hook, env.Run.Status)
	}
	b.WriteString(")\n")
	return b.String()
}

// steeringText joins the documents, each under a heading naming it.
func steeringText(docs []Doc) string {
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&b, "<steering name=%q file=%q>\n%s\n</steering>\n", d.Name, d.Path, strings.TrimSpace(d.Body))
	}
	return b.String()
}

var fileRef = regexp.MustCompile(`#\[\[file:([^\]]+)\]\]`)

// ExpandFileRefs replaces each #[[file:path]] by the file's content. A path
// that leaves the repository, through ".." or a symlink, is refused in
// place, as is a missing file; nothing outside root is ever read.
func ExpandFileRefs(root, text string) string {
	return fileRef.ReplaceAllStringFunc(text, func(m string) string {
		rel := strings.TrimSpace(fileRef.FindStringSubmatch(m)[1])
		data, err := readInside(root, rel)
		if err != nil {
			return fmt.Sprintf("[%s: %v]", rel, err)
		}
		if len(data) > MaxFileRef {
			data = append(data[:MaxFileRef:MaxFileRef], []byte("\n…(truncated)")...)
		}
		return fmt.Sprintf("<file path=%q>\n%s\n</file>", rel, strings.TrimRight(string(data), "\n"))
	})
}

// readInside reads root/rel if it resolves, symlinks followed, inside root.
func readInside(root, rel string) ([]byte, error) {
	if filepath.IsAbs(rel) {
		return nil, fmt.Errorf("not a repository path")
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	p, err := filepath.EvalSymlinks(filepath.Join(realRoot, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("not found")
	}
	if r, err := filepath.Rel(realRoot, p); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("outside the repository")
	}
	return os.ReadFile(p)
}

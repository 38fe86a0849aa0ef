package steering

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/hookd-dev/hookd/rules"
	"github.com/hookd-dev/hookd/safefile"
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

// MaxPrompt bounds a whole prompt, steering and inlined files included.
// What does not fit is left out and said so, in the prompt and as a
// warning: steering documents from the last one back, then the end of the
// text.
const MaxPrompt = 200 << 10

// Render renders a hook's prompt template over the rule environment (the
// names of `hookd rules`: .files, .spec.modified, …) plus .steering, .diff
// and .impact. Steering the template does not place itself is put first.
// #[[file:path]] references, in the prompt and in steering, are replaced by
// the file, which must be a regular file inside the repository root and out
// of .git; a refused one is a warning, and says why in place.
func Render(root, tmpl string, in Input) (Rendered, error) {
	docs := in.Steering
	var left []string
	var warns []Warning
	for {
		text, refWarns, err := render(root, tmpl, in, docs)
		if err != nil {
			return Rendered{}, err
		}
		note := ""
		if len(left) > 0 {
			note = fmt.Sprintf("\n(hookd: steering left out to keep the prompt within %d KB: %s)\n", MaxPrompt>>10, strings.Join(left, ", "))
		}
		if len(text)+len(note) <= MaxPrompt || len(docs) == 0 {
			warns = append(warns, refWarns...)
			if len(text)+len(note) > MaxPrompt {
				cut := MaxPrompt - len(note) - 200
				for cut > 0 && !utf8.RuneStart(text[cut]) {
					cut--
				}
				note += fmt.Sprintf("\n(hookd: the prompt was %d KB; it is cut to %d KB here, and %d bytes are left out)\n", len(text)>>10, MaxPrompt>>10, len(text)-cut)
				warns = append(warns, Warning{File: "prompt", Message: fmt.Sprintf("%d KB, over the %d KB cap: its end is cut", len(text)>>10, MaxPrompt>>10)})
				text = text[:cut]
			}
			return Rendered{Text: text + note, Steering: docs, Warnings: warns}, nil
		}
		last := docs[len(docs)-1]
		docs = docs[:len(docs)-1]
		left = append(left, last.Path)
		warns = append(warns, Warning{File: last.Path, Message: fmt.Sprintf("left out of the prompt: with it the prompt would be over %d KB", MaxPrompt>>10)})
	}
}

// Rendered is a prompt as the agent gets it, and what went into it.
type Rendered struct {
	Text string
	// Steering are the documents in it, in order; each one left out to
	// keep the prompt under MaxPrompt is a warning.
	Steering []Doc
	Warnings []Warning
}

func render(root, tmpl string, in Input, docs []Doc) (string, []Warning, error) {
	steer := steeringText(docs)
	if in.Literal {
		prompt := tmpl + eventContext(in.Env)
		if steer != "" {
			prompt = steer + "\n" + prompt
		}
		text, warns := ExpandFileRefs(root, prompt)
		return text, warns, nil
	}
	t, err := template.New("prompt").Option("missingkey=zero").Parse(tmpl)
	if err != nil {
		return "", nil, err
	}
	data := map[string]any{}
	if in.Env != nil {
		raw, err := json.Marshal(in.Env)
		if err != nil {
			return "", nil, err
		}
		if err := json.Unmarshal(raw, &data); err != nil {
			return "", nil, err
		}
	}
	data["steering"], data["diff"], data["impact"] = steer, in.Diff, in.Impact
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", nil, err
	}
	prompt := b.String()
	if steer != "" && !strings.Contains(tmpl, ".steering") {
		prompt = steer + "\n" + prompt
	}
	text, warns := ExpandFileRefs(root, prompt)
	return text, warns, nil
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

// ExpandFileRefs replaces each #[[file:path]] by the file's start (up to
// MaxFileRef). A path that leaves the repository (through ".." or a
// symlink), leads into .git, or is not a regular file is refused in place,
// as is a missing file, and each refusal is a warning: nothing outside
// root is ever read.
func ExpandFileRefs(root, text string) (string, []Warning) {
	var warns []Warning
	out := fileRef.ReplaceAllStringFunc(text, func(m string) string {
		rel := strings.TrimSpace(fileRef.FindStringSubmatch(m)[1])
		data, more, err := readInside(root, rel)
		if err != nil {
			warns = append(warns, Warning{File: rel, Message: "#[[file:]] not read: " + reason(err)})
			return fmt.Sprintf("[%s: %s]", rel, reason(err))
		}
		if more {
			data = append(data, []byte("\n…(truncated)")...)
		}
		return fmt.Sprintf("<file path=%q>\n%s\n</file>", rel, strings.TrimRight(string(data), "\n"))
	})
	return out, warns
}

// readInside reads the start of root/rel if it resolves, symlinks
// followed, to a regular file inside root and out of root/.git.
func readInside(root, rel string) ([]byte, bool, error) {
	p, err := safefile.Inside(root, rel)
	if err != nil {
		return nil, false, err
	}
	return safefile.ReadHead(p, MaxFileRef)
}

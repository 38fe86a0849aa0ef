package event

import "strings"

// ArgvKey is the key of args that holds the words given after `--` to
// `hookd trigger`, in order.
const ArgvKey = "argv"

// ManualArgs makes the words given after `--` to `hookd trigger` the
// event's args: every word in order under "argv", and each KEY=VALUE also
// as KEY (a later one wins), so a rule or a prompt reads args.version and
// a script can take the words as they were typed. No words: nil.
func ManualArgs(words []string) map[string]any {
	if len(words) == 0 {
		return nil
	}
	argv := make([]any, len(words))
	args := map[string]any{}
	for i, w := range words {
		argv[i] = w
		if k, v, ok := strings.Cut(w, "="); ok && k != "" && k != ArgvKey && !strings.ContainsAny(k, " \t\n") {
			args[k] = v
		}
	}
	args[ArgvKey] = argv
	return args
}

// Argv is the words of args' "argv" that are strings, in order: what
// `hookd trigger HOOK -- …` was given (also through the socket, where a
// client may send any JSON).
func Argv(args map[string]any) []string {
	list, _ := args[ArgvKey].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

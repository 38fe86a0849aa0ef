package backend

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/agentcli"
	"github.com/hookd-dev/hookd/engine"
	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/hooks/bridge"
	"github.com/hookd-dev/hookd/hooks/gitshim"
	"github.com/hookd-dev/hookd/internal/render"
	"github.com/hookd-dev/hookd/ipc"
)

// Decide is the verdict of the blocking hooks on the event req describes,
// from whichever side answers: the one way the git shims and the agents'
// session hooks get an answer. An error means there is no verdict: the
// caller refuses.
func Decide(ctx context.Context, opts Options, req ipc.EmitRequest) (ipc.Verdict, error) {
	b, err := Choose(ctx, opts)
	if err != nil {
		return ipc.Verdict{}, err
	}
	if req.Env == nil {
		// The blocking hooks run with the environment of the command they
		// answer, on the daemon's side as in process.
		req.Env = os.Environ()
	}
	return b.Decide(ctx, req)
}

// MayBlock says whether an event of kind may be refused here, from the
// configuration on disk: what the daemon and the engine judge by.
func MayBlock(opts hooks.LoadOptions, kind event.Kind) bool {
	cfg, _ := hooks.Load(opts)
	return engine.MayBlock(cfg, kind)
}

// GitHook is what a git shim runs: the verdict of the blocking hooks on
// the staged files, with each hook that refused and its output on stderr.
// It returns false when git must stop; whatever keeps hookd from deciding
// stops it too (fail closed).
func GitHook(ctx context.Context, opts Options, name string, stderr io.Writer) (bool, error) {
	kind := event.Kind("git." + name)
	if !event.Known(kind) {
		return false, ArgError{fmt.Errorf("no hookd event for the git hook %q", name)}
	}
	// Most commits have no blocking hook to wait for: find out before
	// asking git for the staged files. A work tree never trusted names its
	// blocking hooks rather than pass in silence.
	if cfg, _ := hooks.Load(opts.Config); !engine.MayBlock(cfg, kind) {
		for _, h := range engine.Untrusted(cfg, event.Event{Kind: kind}) {
			fmt.Fprintf(stderr, "hookd: %s: untrusted; %s\n", h.Name, engine.UntrustedReason)
		}
		return true, nil
	}
	var files []string
	if kind == event.GitPreCommit {
		staged, err := gitshim.StagedFiles(ctx, opts.Repo.Root)
		if err != nil {
			fmt.Fprintf(stderr, "hookd: read the staged files: %v\nhookd: the %s is stopped (fail closed); skip hookd once with HOOKD=0\n", err, name)
			return false, nil
		}
		for _, f := range staged {
			files = append(files, f.Path)
		}
	}
	verdict, err := Decide(ctx, opts, ipc.EmitRequest{Kind: string(kind), Files: files, Depth: opts.Depth, Cause: opts.Cause})
	if err != nil {
		fmt.Fprintf(stderr, "hookd: %v\nhookd: the %s is stopped (fail closed); fix it, or skip hookd once with HOOKD=0\n", err, name)
		return false, nil
	}
	render.Verdict(stderr, verdict)
	if !verdict.OK {
		fmt.Fprintf(stderr, "hookd: the %s is stopped by the hooks above; skip hookd once with HOOKD=0\n", name)
	}
	return verdict.OK, nil
}

// MaxAgentInput bounds what an agent's session hook may send.
const MaxAgentInput = 16 << 20

// AgentHook answers an agent's session hook: the agent's call (stdin, read
// up to one byte over MaxAgentInput) as an agent.* event, answered in the
// agent's protocol. When hookd cannot read the call, or cannot decide, a
// call a blocking hook may guard is refused with the reason: a guard that
// cannot answer must not let the agent through.
func AgentHook(ctx context.Context, opts Options, agent, hookEvent string, stdin []byte) (stdout, stderr string, code int, err error) {
	call, err := bridge.Parse(agent, hookEvent, stdin, opts.Repo.Root)
	if len(stdin) > MaxAgentInput {
		err = fmt.Errorf("the %s hook's input is over %d MB", agent, MaxAgentInput>>20)
	}
	guarded := func() bool {
		return call.Kind != "" && event.Answerable(call.Kind) && MayBlock(opts.Config, call.Kind)
	}
	var v bridge.Verdict
	ownGuard := ""
	if err == nil && call.Kind == event.AgentToolBefore {
		ownGuard = configWrite(opts, call)
	}
	switch {
	case err != nil && guarded():
		v = bridge.Verdict{Deny: true, Reason: fmt.Sprintf("hookd cannot read this call (%v), and a blocking hook may guard it: refused", err)}
	case err != nil && call.Kind != "":
		// A known event no guard could be concerned by: said, and the
		// agent goes on.
		return "", fmt.Sprintf("hookd: %v (no blocking hook could be concerned: the call goes on)\n", err), 0, nil
	case err != nil:
		return "", "", 0, err
	case ownGuard != "":
		v = bridge.Verdict{Deny: true, Reason: ownGuard}
	case len(call.Unplaced) > 0 && guarded():
		v = bridge.Verdict{Deny: true, Reason: fmt.Sprintf("hookd cannot tell where %s is (it does not resolve), and a blocking hook may guard it: refused; name the file by its path in the repository", strings.Join(call.Unplaced, ", "))}
	default:
		v = answerAgent(ctx, opts, call)
	}
	stdout, stderr, code = bridge.Answer(agent, call.Kind, v)
	return stdout, stderr, code, nil
}

// Unconfigured says, for an agent's call through a user-level install,
// why hookd has nothing here to answer it with ("" when it has): no
// hookd configuration applies where the session is, outside a repository
// or in one without any (no hookd.toml, no Kiro hooks, no user config).
// A configuration that cannot be read or loaded, or is held back, is
// configuration: its guards may be concerned, and the call takes the
// usual path, which refuses it.
func Unconfigured(opts Options) string {
	cfg, probs := hooks.Load(opts.Config)
	if len(cfg.Files) > 0 || len(probs) > 0 || len(cfg.Unloaded) > 0 || len(cfg.Held) > 0 || len(cfg.Hooks) > 0 {
		return ""
	}
	if opts.Repo.GitDir == "" {
		return "not in a git repository, and no hookd configuration in " + opts.Repo.Root
	}
	return "no hookd configuration in " + opts.Repo.Root
}

// answerAgent is the verdict of the blocking hooks on call. An event no
// blocking hook can answer is only told to the daemon, when one runs.
func answerAgent(ctx context.Context, opts Options, call bridge.Call) bridge.Verdict {
	req := ipc.EmitRequest{Kind: string(call.Kind), Files: call.Files, Agent: &call.Agent, Depth: opts.Depth, Cause: opts.Cause}
	if !event.Answerable(call.Kind) {
		_, _ = opts.Client.Emit(ctx, req) // no daemon: nobody to tell
		return bridge.Verdict{}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	v, err := Decide(ctx, opts, req)
	if err != nil {
		return bridge.Verdict{Deny: true, Reason: fmt.Sprintf("hookd could not decide (%v); it refuses until that is fixed", err)}
	}
	a := engine.Answer(v)
	return bridge.Verdict{Deny: a.Deny, Ask: a.Ask, Allow: a.Allow, Reason: a.Reason, Context: a.Context, Input: a.Input}
}

// agentSettingsFiles are the repository's agent settings files that
// `hookd agents install` writes, and those the agents also read.
func agentSettingsFiles() []string {
	files := []string{".claude/settings.json"}
	for _, c := range agentcli.Bridged() {
		if s := c.Sessions(); s != nil {
			files = append(files, filepath.ToSlash(s.SettingsFile()))
		}
	}
	return files
}

// configWrite says why an agent's tool call may not run: it writes one of
// hookd's own configuration files (hookd.toml, hookd.local.toml,
// .kiro/hooks, the user config, the trust store). Those decide what guards
// the agent, and what hookd runs on the user's word: an agent that could
// write them could turn its guards off, or declare a hook and trigger it.
// It is hookd's own guard, whatever the hooks say; "" when the call is
// none of that.
func configWrite(opts Options, call bridge.Call) string {
	const why = "hookd's configuration is a person's to change (it says what guards an agent): %s is refused; ask the user to make the change"
	writes := call.Agent.Writes || hooks.WritesFiles(call.Agent.Tool)
	// The agents' settings files hold the hooks that connect them to
	// hookd: rewritten, the next session runs unguarded.
	settings := agentSettingsFiles()
	if writes {
		for _, f := range call.Files {
			if f == hooks.RepoFile || f == hooks.LocalFile || strings.HasPrefix(f, ".kiro/hooks/") || slices.Contains(settings, f) {
				return fmt.Sprintf(why, "writing "+f)
			}
		}
	}
	store := opts.Config.Trust.Path
	if store == "" {
		store = hooks.DefaultTrustStore().Path
	}
	outside := []string{opts.Config.UserConfig, store}
	if opts.Config.KiroHome != "" {
		outside = append(outside, filepath.Join(opts.Config.KiroHome, ".kiro", "hooks"))
	}
	cwd := cmp.Or(call.Agent.Cwd, opts.Repo.Root)
	if writes {
		for _, p := range agentcli.ToolPaths(call.Agent.Input) {
			real, err := agentcli.Resolve(cwd, p)
			if err != nil {
				continue
			}
			for _, o := range outside {
				if o != "" && (real == o || strings.HasPrefix(real, o+string(filepath.Separator))) {
					return fmt.Sprintf(why, "writing "+p)
				}
			}
		}
	}
	// A shell command that names one of them and writes: the common
	// spellings (a redirection, tee, sed -i, mv, cp, rm, truncate).
	cmd := call.Agent.Command
	if cmd == "" {
		return ""
	}
	names := append([]string{hooks.RepoFile, hooks.LocalFile, ".kiro/hooks", "hookd/trust.json", "hookd/config.toml", "hookd/trusted"}, settings...)
	for _, o := range outside {
		if o != "" {
			names = append(names, o)
		}
	}
	for _, n := range names {
		if !strings.Contains(cmd, n) {
			continue
		}
		for _, w := range []string{">", "tee ", "sed -i", "mv ", "cp ", "rm ", "truncate", "dd ", "install ", "ln "} {
			if strings.Contains(cmd, w) {
				return fmt.Sprintf(why, "a shell command that writes "+n)
			}
		}
	}
	return ""
}

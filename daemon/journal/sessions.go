package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hookd-dev/hookd/ipc"
)

// AgentRuns returns the agent report of every run that started at or
// after since, oldest first: what today's budgets count.
func (j *Journal) AgentRuns(ctx context.Context, since time.Time) ([]ipc.AgentRun, error) {
	if err := j.Flush(ctx); err != nil {
		return nil, err
	}
	rows, err := j.db.QueryContext(ctx, `SELECT agent FROM runs WHERE agent != '' AND start_ns >= ? ORDER BY seq`, since.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("journal: agent runs: %w", err)
	}
	defer rows.Close()
	var out []ipc.AgentRun
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var a ipc.AgentRun
		if json.Unmarshal([]byte(raw), &a) == nil {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// Session is the agent session a hook's next run resumes (session =
// "resume"): the agent that ran it, and its id; "" when there is none.
func (j *Journal) Session(ctx context.Context, hook string) (agent, id string, err error) {
	v, err := j.Meta(ctx, "session/"+hook)
	if err != nil || v == "" {
		return "", "", err
	}
	agent, id, _ = strings.Cut(v, "\t")
	return agent, id, nil
}

// SetSession records the session a hook's run of agent ended in.
func (j *Journal) SetSession(ctx context.Context, hook, agent, id string) error {
	return j.SetMeta(ctx, "session/"+hook, agent+"\t"+id)
}

// ForgetSession makes a hook's next run start a new session, and returns
// the one forgotten.
func (j *Journal) ForgetSession(ctx context.Context, hook string) (string, error) {
	_, id, err := j.Session(ctx, hook)
	if err != nil {
		return "", err
	}
	_, err = j.db.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, "session/"+hook)
	return id, err
}

// SetMeta stores a small value the next daemon needs, such as how far the
// git reflog was read.
func (j *Journal) SetMeta(ctx context.Context, key, value string) error {
	_, err := j.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// MaxEventID is the highest id of an event recorded, 0 for none.
func (j *Journal) MaxEventID(ctx context.Context) (uint64, error) {
	var n sql.NullInt64
	err := j.db.QueryRowContext(ctx, `SELECT MAX(id) FROM events`).Scan(&n)
	return uint64(max(n.Int64, 0)), err
}

// Meta returns a stored value, or "" when there is none.
func (j *Journal) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := j.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

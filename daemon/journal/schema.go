package journal

const schema = `
CREATE TABLE IF NOT EXISTS runs (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT UNIQUE NOT NULL,
	hook        TEXT NOT NULL,
	event       TEXT NOT NULL,
	status      TEXT NOT NULL,
	exit        INTEGER NOT NULL DEFAULT -1,
	start_ns    INTEGER NOT NULL DEFAULT 0,
	duration_ns INTEGER NOT NULL DEFAULT 0,
	files       TEXT NOT NULL DEFAULT '[]',
	output      TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	batch       TEXT NOT NULL DEFAULT '',
	pid         INTEGER NOT NULL DEFAULT 0,
	prompt      TEXT NOT NULL DEFAULT '',
	written     TEXT NOT NULL DEFAULT '',
	agent       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_by_hook ON runs(hook, seq);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs(status);
CREATE TABLE IF NOT EXISTS events (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	kind    TEXT NOT NULL,
	time_ns INTEGER NOT NULL,
	depth   INTEGER NOT NULL,
	cause   TEXT NOT NULL,
	files   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_index (
	path   TEXT PRIMARY KEY,
	size   INTEGER NOT NULL,
	mtime  INTEGER NOT NULL,
	hash   INTEGER NOT NULL,
	hashed INTEGER NOT NULL
) WITHOUT ROWID;
`

const (
	insertRunSQL = `INSERT INTO runs (id, hook, event, status, exit, start_ns, duration_ns, files, output, error, reason, batch, pid, prompt, written, agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET status = excluded.status, exit = excluded.exit,
			start_ns = excluded.start_ns, duration_ns = excluded.duration_ns, files = excluded.files,
			output = excluded.output, error = excluded.error, reason = excluded.reason,
			batch = CASE WHEN excluded.status NOT IN ('pending', 'queued', 'running') THEN '' WHEN excluded.batch = '' THEN runs.batch ELSE excluded.batch END,
			pid = CASE WHEN excluded.pid = 0 THEN runs.pid ELSE excluded.pid END,
			prompt = CASE WHEN excluded.prompt = '' THEN runs.prompt ELSE excluded.prompt END,
			written = CASE WHEN excluded.written = '' THEN runs.written ELSE excluded.written END,
			agent = CASE WHEN excluded.agent = '' THEN runs.agent ELSE excluded.agent END`
	insertEventSQL = `INSERT OR REPLACE INTO events (id, kind, time_ns, depth, cause, files) VALUES (?, ?, ?, ?, ?, ?)`
	upsertMetaSQL  = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`
)

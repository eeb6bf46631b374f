CREATE TABLE peers (
	id TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	base_url TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	operator TEXT NOT NULL DEFAULT '',
	signing_key BYTEA NOT NULL,
	hpke_key BYTEA NOT NULL,
	ledger_key TEXT NOT NULL,
	descriptor TEXT NOT NULL,
	status TEXT NOT NULL,
	added_at TIMESTAMP NOT NULL,
	verified_at TIMESTAMP,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX peers_host ON peers (host);

-- Organisations on each peer, as its directory last said.
CREATE TABLE peer_orgs (
	peer_id TEXT NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
	handle TEXT NOT NULL,
	kind TEXT NOT NULL,
	country TEXT NOT NULL DEFAULT '',
	name_en TEXT NOT NULL,
	name_id TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (peer_id, handle)
);

-- Envelopes waiting for, or done with, delivery. body is the exact bytes sent.
CREATE TABLE outbox (
	id TEXT PRIMARY KEY,
	peer_id TEXT NOT NULL REFERENCES peers (id),
	envelope_id TEXT NOT NULL,
	type TEXT NOT NULL,
	body BYTEA NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMP NOT NULL,
	locked_until TIMESTAMP,
	expires_at TIMESTAMP NOT NULL,
	created_at TIMESTAMP NOT NULL,
	delivered_at TIMESTAMP,
	last_error TEXT NOT NULL DEFAULT '',
	receipt TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX outbox_envelope ON outbox (envelope_id);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_peer ON outbox (peer_id, state);

-- Envelopes received. The primary key makes the inbox idempotent.
CREATE TABLE inbox (
	envelope_id TEXT PRIMARY KEY,
	peer_id TEXT NOT NULL REFERENCES peers (id),
	type TEXT NOT NULL,
	from_addr TEXT NOT NULL,
	to_addr TEXT NOT NULL,
	digest TEXT NOT NULL,
	body BYTEA NOT NULL,
	received_at TIMESTAMP NOT NULL,
	log_index BIGINT NOT NULL,
	receipt TEXT NOT NULL
);

-- Checkpoints of peers' ledgers as this node saw them, and forks found.
CREATE TABLE peer_checkpoints (
	peer_id TEXT NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
	size BIGINT NOT NULL,
	root BYTEA NOT NULL,
	note TEXT NOT NULL,
	fetched_at TIMESTAMP NOT NULL,
	PRIMARY KEY (peer_id, size)
);
CREATE TABLE ledger_alarms (
	id TEXT PRIMARY KEY,
	peer_id TEXT NOT NULL,
	detail TEXT NOT NULL,
	evidence_a TEXT NOT NULL,
	evidence_b TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	resolved_at TIMESTAMP
);

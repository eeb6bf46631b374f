-- A negotiation is one JSON document: the chair's node keeps the original,
-- participating nodes keep the last signed copy. Every change bumps version,
-- and an update only lands on the version it read.
CREATE TABLE neg_processes (
	id TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	title TEXT NOT NULL,
	forum TEXT NOT NULL,
	version INTEGER NOT NULL,
	doc TEXT NOT NULL,
	published INTEGER NOT NULL DEFAULT 0,
	signed TEXT NOT NULL DEFAULT '',
	signed_by TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL
);

-- Who takes part in which role, for the lists filtered in SQL.
CREATE TABLE neg_parties (
	process_id TEXT NOT NULL REFERENCES neg_processes (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	role TEXT NOT NULL,
	PRIMARY KEY (process_id, addr, role)
);
CREATE INDEX neg_parties_addr ON neg_parties (addr);

-- Issued revisions are immutable; the document keeps only their records.
CREATE TABLE neg_revisions (
	process_id TEXT NOT NULL REFERENCES neg_processes (id) ON DELETE CASCADE,
	text_id TEXT NOT NULL,
	n INTEGER NOT NULL,
	issued_at TIMESTAMP NOT NULL,
	paragraphs TEXT NOT NULL,
	PRIMARY KEY (process_id, text_id, n)
);

-- Acts received from other nodes, so a retried envelope applies once.
CREATE TABLE neg_acts (
	process_id TEXT NOT NULL REFERENCES neg_processes (id) ON DELETE CASCADE,
	by_addr TEXT NOT NULL,
	act_id TEXT NOT NULL,
	received_at TIMESTAMP NOT NULL,
	PRIMARY KEY (process_id, by_addr, act_id)
);

-- Acts this node's delegations sent to a chair's node, until they show.
CREATE TABLE neg_sent (
	id TEXT PRIMARY KEY,
	process_id TEXT NOT NULL REFERENCES neg_processes (id) ON DELETE CASCADE,
	text_id TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	by_addr TEXT NOT NULL,
	person TEXT NOT NULL,
	envelope_id TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX neg_sent_process ON neg_sent (process_id, created_at);

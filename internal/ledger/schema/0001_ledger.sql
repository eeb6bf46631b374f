-- The node's transparency log. Entries hold only a kind and a digest: content
-- stays private; the log proves existence, order and time.
CREATE TABLE ledger_entries (
	idx BIGINT PRIMARY KEY,
	kind TEXT NOT NULL,
	ref TEXT NOT NULL DEFAULT '',
	digest TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_ref ON ledger_entries (ref);

-- Merkle tree hashes in golang.org/x/mod/sumdb/tlog's stored-hash order.
CREATE TABLE ledger_hashes (
	id BIGINT PRIMARY KEY,
	hash BYTEA NOT NULL
);

-- Checkpoints this node signed.
CREATE TABLE ledger_checkpoints (
	size BIGINT PRIMARY KEY,
	root BYTEA NOT NULL,
	note TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

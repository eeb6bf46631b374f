-- Evidence files of a request and their chain of custody. Both sides'
-- copies of a request (and, when both organisations are on one node, both
-- rows of it) share the files and the log, so they are keyed by the
-- request's requesting address and origin id, not by this node's row.
-- The bytes live in the blob store under their SHA-256; stored says whether
-- this node holds them yet (the other side fetches them after the manifest).
CREATE TABLE cyb_evidence (
	id TEXT PRIMARY KEY,
	request_from TEXT NOT NULL,
	request_origin TEXT NOT NULL,
	origin_id TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	size BIGINT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	added_by TEXT NOT NULL,
	added_addr TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	stored BOOLEAN NOT NULL DEFAULT FALSE,
	fetch_error TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX cyb_evidence_origin ON cyb_evidence (request_from, request_origin, origin_id);
CREATE INDEX cyb_evidence_sha ON cyb_evidence (sha256);

-- Custody events, each a statement signed by the node that made it (node),
-- kept as the exact bytes signed. Each node chains its own statements on a
-- file: seq counts them from 1 and prev is the SHA-256 of the one before.
-- ledger_index is where this node logged its own statement (NULL for the
-- other node's, which are in that node's ledger).
CREATE TABLE cyb_custody (
	id TEXT PRIMARY KEY,
	request_from TEXT NOT NULL,
	request_origin TEXT NOT NULL,
	evidence_origin TEXT NOT NULL,
	node TEXT NOT NULL,
	seq INTEGER NOT NULL,
	event TEXT NOT NULL,
	at TIMESTAMP NOT NULL,
	hash TEXT NOT NULL,
	statement TEXT NOT NULL,
	ledger_index BIGINT
);
CREATE UNIQUE INDEX cyb_custody_chain ON cyb_custody (request_from, request_origin, evidence_origin, node, seq);
CREATE UNIQUE INDEX cyb_custody_hash ON cyb_custody (hash);

-- Joint attribution statements. The initiator's node holds the statement
-- with org_id set (its initiating organisation); each invited node holds a
-- copy (org_id '') from the invitation. (initiator, origin_id) is the
-- statement's identity everywhere. text is the exact signed bytes once the
-- statement is open, sha256 their hash; the draft's fields stay readable.
CREATE TABLE inc_statements (
	id TEXT PRIMARY KEY,
	origin_id TEXT NOT NULL,
	initiator TEXT NOT NULL,
	initiator_name TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	org_id TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	language TEXT NOT NULL,
	tr_language TEXT NOT NULL DEFAULT '',
	tr_title TEXT NOT NULL DEFAULT '',
	tr_body TEXT NOT NULL DEFAULT '',
	actor TEXT NOT NULL,
	incident TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	publish_mode TEXT NOT NULL,
	publish_at TIMESTAMP,
	text TEXT NOT NULL DEFAULT '',
	sha256 TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	opened_at TIMESTAMP,
	published_at TIMESTAMP,
	-- The published bundle, as `entente verify` reads it.
	bundle TEXT NOT NULL DEFAULT '',
	-- The initiator's signed publication and its ledger entry, kept
	-- between publishing and proving it.
	publication TEXT NOT NULL DEFAULT '',
	publication_index BIGINT,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX inc_statements_origin ON inc_statements (initiator, origin_id);
CREATE INDEX inc_statements_org ON inc_statements (org_id, id);
CREATE INDEX inc_statements_due ON inc_statements (state, publish_at);

-- The initiator and each invited organisation, on every node that holds
-- the statement. org_id is set where the signer is an organisation of
-- this node. cosign is the signed co-signature, ledger its proof (JSON).
CREATE TABLE inc_statement_signers (
	statement_id TEXT NOT NULL REFERENCES inc_statements (id) ON DELETE CASCADE,
	signer TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	node TEXT NOT NULL,
	state TEXT NOT NULL,
	cosign TEXT NOT NULL DEFAULT '',
	ledger_index BIGINT,
	ledger TEXT NOT NULL DEFAULT '',
	signed_at TIMESTAMP,
	-- sent_at is when this node's own signature (or answer) went to the
	-- initiator: NULL for a signature made but not yet proven and sent.
	sent_at TIMESTAMP,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (statement_id, signer)
);
CREATE INDEX inc_statement_signers_org ON inc_statement_signers (org_id, state);

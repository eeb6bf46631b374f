-- The Clearing House across nodes. A need, offer or project made on a peer
-- is kept here as that node's copy: origin is its node's host ('' for one
-- made here, where org_id is its organisation), rev orders the copies (a
-- late one never overwrites a newer). A proposal for a need on another
-- node lives on both nodes: statement is the signed statement that crossed
-- (the proposal itself on the need's node, the decision on the donor's),
-- kept as received so that anyone can check it later.
ALTER TABLE cap_needs ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE cap_needs ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cap_offers ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE cap_offers ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cap_projects ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE cap_projects ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cap_proposals ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE cap_proposals ADD COLUMN statement TEXT NOT NULL DEFAULT '';
ALTER TABLE cap_proposals ADD COLUMN decision_statement TEXT NOT NULL DEFAULT '';
ALTER TABLE cap_proposals ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- Which peer holds a copy of which record, through which address: a record
-- that stops being shown to a node is withdrawn from it.
CREATE TABLE cap_copies (
	kind TEXT NOT NULL,
	record_id TEXT NOT NULL,
	host TEXT NOT NULL,
	addr TEXT NOT NULL,
	PRIMARY KEY (kind, record_id, host)
);

-- Agreements this node added (local) or corrected (a row with a shipped
-- agreement's id replaces it here): the whole agreement as JSON, since it
-- is read and written whole and validated by the service.
CREATE TABLE eco_agreements (
	id TEXT PRIMARY KEY,
	doc TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT '',
	local BOOLEAN NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- A state's commitment under a provision, kept by its organisation on this
-- node. deadline is a day (YYYY-MM-DD) or '' for none; shared says anyone
-- signed in on the node reads it, otherwise only the organisation's people.
CREATE TABLE eco_commitments (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	country TEXT NOT NULL,
	agreement_id TEXT NOT NULL,
	provision_id TEXT NOT NULL,
	what TEXT NOT NULL,
	deadline TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	shared BOOLEAN NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX eco_commitments_country ON eco_commitments (country, deadline);
CREATE INDEX eco_commitments_org ON eco_commitments (org_id);

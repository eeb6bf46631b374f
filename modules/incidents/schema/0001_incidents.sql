-- Incident records. The owning node's copy has org_id set; a peer's copy
-- has org_id '' and node = the owning node's host. (node, origin_id) is
-- the incident's identity everywhere; version orders its changes.
-- Lists (types, receivers, inclusion criteria, sources, audience refs) and
-- the initiator are JSON text.
CREATE TABLE inc_incidents (
	id TEXT PRIMARY KEY,
	origin_id TEXT NOT NULL,
	node TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	start_at TIMESTAMP NOT NULL,
	end_at TIMESTAMP,
	types TEXT NOT NULL,
	receivers TEXT NOT NULL,
	initiator TEXT NOT NULL,
	inclusion TEXT NOT NULL,
	sources TEXT NOT NULL,
	impact TEXT NOT NULL DEFAULT '',
	intensity INTEGER NOT NULL DEFAULT 0,
	determination TEXT NOT NULL,
	investigation TEXT NOT NULL,
	criticality INTEGER NOT NULL DEFAULT 0,
	tlp TEXT NOT NULL,
	audience TEXT NOT NULL,
	audience_refs TEXT NOT NULL DEFAULT '[]',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	exercise BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX inc_incidents_origin ON inc_incidents (node, origin_id);
CREATE INDEX inc_incidents_org ON inc_incidents (org_id, id);
CREATE INDEX inc_incidents_start ON inc_incidents (start_at);

-- Attributions and responses travel with their incident; origin_id is
-- shared by every copy.
CREATE TABLE inc_attributions (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES inc_incidents (id) ON DELETE CASCADE,
	origin_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	by_category TEXT NOT NULL,
	by_country TEXT NOT NULL DEFAULT '',
	at TIMESTAMP NOT NULL,
	basis TEXT NOT NULL,
	to_name TEXT NOT NULL,
	to_country TEXT NOT NULL DEFAULT '',
	confidence TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	sources TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX inc_attributions_origin ON inc_attributions (incident_id, origin_id);

CREATE TABLE inc_responses (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES inc_incidents (id) ON DELETE CASCADE,
	origin_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	by_name TEXT NOT NULL,
	by_country TEXT NOT NULL DEFAULT '',
	at TIMESTAMP NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	sources TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX inc_responses_origin ON inc_responses (incident_id, origin_id);

-- An incident's audience as rows, so that who may see it is a condition in
-- SQL (access.IncidentFilter) on both engines: a named organisation's
-- address, or a network's id. Kept in step with audience_refs.
CREATE TABLE inc_audience (
	incident_id TEXT NOT NULL REFERENCES inc_incidents (id) ON DELETE CASCADE,
	ref TEXT NOT NULL,
	PRIMARY KEY (incident_id, ref)
);
CREATE INDEX inc_audience_ref ON inc_audience (ref);

-- The peers an incident was sent to, one address per node, so that when
-- its audience narrows the nodes that may no longer see it are told.
CREATE TABLE inc_shared (
	incident_id TEXT NOT NULL REFERENCES inc_incidents (id) ON DELETE CASCADE,
	host TEXT NOT NULL,
	addr TEXT NOT NULL,
	PRIMARY KEY (incident_id, host)
);

-- A peer's incident withdrawn from this node, at the version it was
-- withdrawn: an older version arriving late (the outbox retries each
-- envelope on its own) never brings the copy back.
CREATE TABLE inc_withdrawn (
	node TEXT NOT NULL,
	origin_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (node, origin_id)
);

-- Requests for cooperation between states' authorities (and to providers).
-- Each side keeps its own row: direction 'out' on the requesting node,
-- 'in' on the requested node; origin_id is shared. Fields are the kind's
-- form as JSON text (see Specs). Times are UTC.
CREATE TABLE cyb_requests (
	id TEXT PRIMARY KEY,
	origin_id TEXT NOT NULL,
	direction TEXT NOT NULL,
	org_id TEXT NOT NULL,
	from_addr TEXT NOT NULL,
	to_addr TEXT NOT NULL,
	from_country TEXT NOT NULL,
	to_country TEXT NOT NULL,
	kind TEXT NOT NULL,
	basis TEXT NOT NULL,
	lang TEXT NOT NULL,
	reference TEXT NOT NULL DEFAULT '',
	fields TEXT NOT NULL,
	state TEXT NOT NULL,
	ground TEXT NOT NULL DEFAULT '',
	respond_by TIMESTAMP,
	execute_by TIMESTAMP,
	preserved_until TIMESTAMP,
	follows TEXT NOT NULL DEFAULT '',
	author TEXT NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	envelope_id TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	sent_at TIMESTAMP,
	acknowledged_at TIMESTAMP,
	preserved_at TIMESTAMP,
	executed_at TIMESTAMP,
	closed_at TIMESTAMP,
	updated_at TIMESTAMP NOT NULL,
	purge_after TIMESTAMP,
	purged BOOLEAN NOT NULL DEFAULT FALSE,
	reminded_at TIMESTAMP,
	exercise BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX cyb_requests_origin ON cyb_requests (from_addr, origin_id, direction);
CREATE INDEX cyb_requests_org ON cyb_requests (org_id, id);
CREATE INDEX cyb_requests_clock ON cyb_requests (state, preserved_until);
CREATE INDEX cyb_requests_pair ON cyb_requests (from_country, to_country, kind);

-- The steps of a request's life and the notes in its thread; origin_id is
-- shared by both sides' copies of a step.
CREATE TABLE cyb_events (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL REFERENCES cyb_requests (id) ON DELETE CASCADE,
	origin_id TEXT NOT NULL,
	at TIMESTAMP NOT NULL,
	action TEXT NOT NULL,
	state TEXT NOT NULL,
	by_name TEXT NOT NULL,
	by_addr TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	ground TEXT NOT NULL DEFAULT '',
	until_at TIMESTAMP,
	envelope_id TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX cyb_events_origin ON cyb_events (request_id, origin_id);

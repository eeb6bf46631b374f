-- Events, organised by an organisation on this node. Agenda and speakers
-- are JSON text (they are shown and written whole); languages a JSON list.
-- sequence is iCalendar's SEQUENCE: it goes up when time, place or status
-- change, so calendar programs replace their copy. places_taken and
-- reg_seq are counters kept on the event row: a registration updates the
-- row first, which makes concurrent sign-ups take their turn on both
-- engines, and reg_seq orders the waiting list.
CREATE TABLE ev_events (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	kind TEXT NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	languages TEXT NOT NULL DEFAULT '[]',
	online_url TEXT NOT NULL DEFAULT '',
	venue_name TEXT NOT NULL DEFAULT '',
	venue_address TEXT NOT NULL DEFAULT '',
	zone TEXT NOT NULL,
	start_at TIMESTAMP NOT NULL,
	end_at TIMESTAMP NOT NULL,
	agenda TEXT NOT NULL DEFAULT '[]',
	speakers TEXT NOT NULL DEFAULT '[]',
	capacity INTEGER NOT NULL DEFAULT 0,
	registration_open BOOLEAN NOT NULL DEFAULT TRUE,
	audience TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'scheduled',
	cancel_reason TEXT NOT NULL DEFAULT '',
	dialogue_id TEXT NOT NULL DEFAULT '',
	minutes TEXT NOT NULL DEFAULT '',
	outcomes TEXT NOT NULL DEFAULT '',
	sequence INTEGER NOT NULL DEFAULT 0,
	places_taken INTEGER NOT NULL DEFAULT 0,
	reg_seq INTEGER NOT NULL DEFAULT 0,
	reminded_at TIMESTAMP,
	created_by TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX ev_events_org ON ev_events (org_id, start_at);
CREATE INDEX ev_events_start ON ev_events (start_at);

-- Organisations invited (audience 'invited'), by address handle@host,
-- whether on this node or a peer's.
CREATE TABLE ev_invited (
	event_id TEXT NOT NULL REFERENCES ev_events (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	PRIMARY KEY (event_id, addr)
);
CREATE INDEX ev_invited_addr ON ev_invited (addr);

-- People invited by e-mail (typed by the organiser, or the people of a
-- local invited organisation), with the SEQUENCE last sent to them.
CREATE TABLE ev_invites (
	event_id TEXT NOT NULL REFERENCES ev_events (id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT 'en',
	sent_sequence INTEGER NOT NULL DEFAULT -1,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (event_id, email)
);
CREATE INDEX ev_invites_email ON ev_invites (email);

-- Registrations: state registered or waitlisted (by position), or
-- cancelled. A person without an account gives a name and an e-mail and
-- holds a link to cancel (token_hash is the SHA-256 of its secret). One
-- live registration per address and event.
CREATE TABLE ev_registrations (
	id TEXT PRIMARY KEY,
	event_id TEXT NOT NULL REFERENCES ev_events (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'en',
	state TEXT NOT NULL,
	position INTEGER NOT NULL,
	token_hash TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	attended BOOLEAN NOT NULL DEFAULT FALSE,
	reminded BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX ev_registrations_live ON ev_registrations (event_id, email) WHERE state <> 'cancelled';
CREATE INDEX ev_registrations_event ON ev_registrations (event_id, state, position);
CREATE INDEX ev_registrations_user ON ev_registrations (user_id);
CREATE INDEX ev_registrations_ip ON ev_registrations (ip, created_at);
CREATE UNIQUE INDEX ev_registrations_token ON ev_registrations (token_hash);

-- A person's calendar feed is reached by a secret address; its SHA-256 is
-- kept, and resetting it replaces the row.
CREATE TABLE ev_feed_tokens (
	user_id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL
);

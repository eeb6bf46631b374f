-- Events travel to invited organisations on peer nodes.
--
-- On the organiser's node: fed_rev counts the changes a peer's copy
-- follows (time, place, status, places left), so a node keeps only the
-- newest copy whatever order they arrive in; ev_shared is which nodes hold
-- a copy, so a node whose last invited organisation is removed is told to
-- drop it. A registration made on a peer's node keeps the organisation it
-- came through (origin, handle@host) and that node's id for it
-- (origin_ref): its status goes back there, not by e-mail from here.
ALTER TABLE ev_events ADD COLUMN fed_rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ev_registrations ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE ev_registrations ADD COLUMN origin_ref TEXT NOT NULL DEFAULT '';
CREATE INDEX ev_registrations_origin ON ev_registrations (origin, origin_ref);

CREATE TABLE ev_shared (
	event_id TEXT NOT NULL REFERENCES ev_events (id) ON DELETE CASCADE,
	host TEXT NOT NULL,
	addr TEXT NOT NULL,
	PRIMARY KEY (event_id, host)
);

-- On an invited organisation's node: the organiser's last signed copy
-- (doc is the event as its people see it, signed the statement received),
-- with the columns its lists filter on.
CREATE TABLE ev_copies (
	id TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	rev BIGINT NOT NULL,
	status TEXT NOT NULL,
	registration_open BOOLEAN NOT NULL,
	start_at TIMESTAMP NOT NULL,
	end_at TIMESTAMP NOT NULL,
	doc TEXT NOT NULL,
	signed TEXT NOT NULL,
	received_at TIMESTAMP NOT NULL
);
CREATE INDEX ev_copies_start ON ev_copies (start_at);

-- This node's organisations the copy invites.
CREATE TABLE ev_copy_invited (
	event_id TEXT NOT NULL REFERENCES ev_copies (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	PRIMARY KEY (event_id, addr)
);
CREATE INDEX ev_copy_invited_addr ON ev_copy_invited (addr);

-- Their people, e-mailed by this node, with the SEQUENCE last sent (as
-- ev_invites for events organised here).
CREATE TABLE ev_copy_invites (
	event_id TEXT NOT NULL REFERENCES ev_copies (id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT 'en',
	sent_sequence INTEGER NOT NULL DEFAULT -1,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (event_id, email)
);

-- This node's people's registrations for a peer's event: pending until
-- the organiser's node answers, then as it says (waiting is the place on
-- its waiting list).
CREATE TABLE ev_remote_regs (
	id TEXT PRIMARY KEY,
	event_id TEXT NOT NULL REFERENCES ev_copies (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL,
	via TEXT NOT NULL,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'en',
	state TEXT NOT NULL,
	waiting INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX ev_remote_regs_user ON ev_remote_regs (user_id, event_id);

-- A message as this node knows it: written here, or received from a peer.
CREATE TABLE messages (
	id TEXT PRIMARY KEY,
	origin_id TEXT NOT NULL,        -- the id on the node that wrote it
	thread_id TEXT NOT NULL,
	direction TEXT NOT NULL,        -- out (written here) or in (received)
	from_addr TEXT NOT NULL,        -- handle@host
	from_org_id TEXT NOT NULL DEFAULT '',
	author TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	tlp TEXT NOT NULL,
	classification TEXT NOT NULL DEFAULT '',
	envelope_id TEXT NOT NULL DEFAULT '', -- the envelope it arrived in
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX messages_origin ON messages (from_addr, origin_id);
CREATE INDEX messages_thread ON messages (thread_id, created_at);

-- Each recipient of a message and where delivery stands for it.
CREATE TABLE message_recipients (
	message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	to_addr TEXT NOT NULL,
	to_org_id TEXT NOT NULL DEFAULT '', -- set when the recipient is on this node
	envelope_id TEXT NOT NULL DEFAULT '', -- outbound envelope, for remote recipients
	state TEXT NOT NULL,                  -- queued, delivered, undelivered, acknowledged
	delivered_at TIMESTAMP,
	read_at TIMESTAMP,
	read_by TEXT NOT NULL DEFAULT '',
	acked_at TIMESTAMP,
	acked_by TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (message_id, to_addr)
);
CREATE INDEX message_recipients_org ON message_recipients (to_org_id);
CREATE INDEX message_recipients_envelope ON message_recipients (envelope_id);

-- The people a TLP:RED message is for, by e-mail address; user_id is set
-- for the ones on this node.
CREATE TABLE message_named (
	message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (message_id, email)
);
CREATE INDEX message_named_user ON message_named (user_id);

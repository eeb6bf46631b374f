-- Files sent with a message; the SHA-256 is recorded and checked on arrival.
CREATE TABLE attachments (
	id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	data BYTEA NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- plain or markdown (a safe subset).
ALTER TABLE messages ADD COLUMN format TEXT NOT NULL DEFAULT 'plain';
-- When the sender asks for an acknowledgment by.
ALTER TABLE messages ADD COLUMN ack_by TIMESTAMP;
ALTER TABLE message_recipients ADD COLUMN deadline_notified_at TIMESTAMP;

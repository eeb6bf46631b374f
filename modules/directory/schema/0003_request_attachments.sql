-- Files sent with a request or with a step of its thread (an answer, a
-- note), kept with each local copy of the request. event_origin is the
-- step's id shared by both sides ('' for the request itself).
CREATE TABLE poc_request_attachments (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL REFERENCES poc_requests (id) ON DELETE CASCADE,
	event_origin TEXT NOT NULL DEFAULT '',
	by_addr TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	data BYTEA NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX poc_request_attachments_request ON poc_request_attachments (request_id);

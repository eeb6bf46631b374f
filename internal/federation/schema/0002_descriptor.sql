-- This node's own descriptor: the digest of what it says (without created)
-- and when that last changed. The descriptor's created is that time, so it
-- moves when, and only when, the content does, across restarts and replicas;
-- a peer can then tell a newer descriptor from a replayed older one.
CREATE TABLE node_descriptor (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	digest TEXT NOT NULL,
	created TIMESTAMP NOT NULL
);

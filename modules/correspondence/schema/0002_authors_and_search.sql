-- Who wrote a message here, so they can be told when it could not be
-- delivered.
ALTER TABLE messages ADD COLUMN author_id TEXT NOT NULL DEFAULT '';

-- What each peer holds: the rev of the copy last sent to it, so that the
-- sync re-sends a copy a peer missed while it was not verified (and a
-- withdrawal it could not be sent stays owed). A decision owed to a donor
-- whose node was not verified when it was made waits to be sent.
ALTER TABLE cap_copies ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cap_proposals ADD COLUMN answer_owed INTEGER NOT NULL DEFAULT 0;

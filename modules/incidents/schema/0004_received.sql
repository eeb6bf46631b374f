-- When this node's copy of a peer's incident first arrived (NULL for the
-- node's own incidents): the home page tells readers of what arrived in
-- the last days, and later versions do not make it new again.
ALTER TABLE inc_incidents ADD COLUMN received_at TIMESTAMP;
CREATE INDEX inc_incidents_received ON inc_incidents (received_at);

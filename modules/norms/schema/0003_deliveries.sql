-- The nodes each published version was sent to (one organisation's address
-- on each): a peer verified later gets what it missed, and a withdrawal
-- reaches every node that holds a copy.
CREATE TABLE norm_deliveries (
	report_id TEXT NOT NULL REFERENCES norm_reports (id) ON DELETE CASCADE,
	host TEXT NOT NULL,
	addr TEXT NOT NULL,
	envelope_id TEXT NOT NULL,
	sent_at TIMESTAMP NOT NULL,
	PRIMARY KEY (report_id, host)
);

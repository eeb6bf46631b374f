-- Each change of a commitment's implementation status or deadline: who
-- made it and when, so a desk sees how a commitment got where it is.
CREATE TABLE eco_commitment_history (
	commitment_id TEXT NOT NULL,
	at TIMESTAMP NOT NULL,
	by_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	status TEXT NOT NULL,
	deadline TEXT NOT NULL DEFAULT ''
);
CREATE INDEX eco_commitment_history_commitment ON eco_commitment_history (commitment_id, at);

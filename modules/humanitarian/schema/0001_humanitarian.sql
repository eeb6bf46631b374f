-- Emergencies, owned by their lead organisation on this node. Lists (the
-- areas' P-codes, the languages, the coordinating organisations' ids) are
-- JSON text. The box (west, south, east, north, in degrees) frames the map.
CREATE TABLE hum_emergencies (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	lead TEXT NOT NULL,
	title TEXT NOT NULL,
	kind TEXT NOT NULL,
	glide TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL,
	areas TEXT NOT NULL DEFAULT '[]',
	west DOUBLE PRECISION NOT NULL,
	south DOUBLE PRECISION NOT NULL,
	east DOUBLE PRECISION NOT NULL,
	north DOUBLE PRECISION NOT NULL,
	started_on TEXT NOT NULL,
	ended_on TEXT NOT NULL DEFAULT '',
	languages TEXT NOT NULL DEFAULT '[]',
	summary TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	coordinators TEXT NOT NULL DEFAULT '[]',
	sms_number TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hum_emergencies_org ON hum_emergencies (org_id);

-- Reports from the people affected, by any channel. The reporter's name and
-- contact are the coordinators' alone; no public query selects them. A
-- gateway's message id (msg_id) makes a message delivered twice one report.
CREATE TABLE hum_reports (
	id TEXT PRIMARY KEY,
	emergency_id TEXT NOT NULL REFERENCES hum_emergencies (id) ON DELETE CASCADE,
	channel TEXT NOT NULL,
	msg_id TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL,
	category TEXT NOT NULL,
	lat DOUBLE PRECISION,
	lon DOUBLE PRECISION,
	pcode TEXT NOT NULL DEFAULT '',
	place TEXT NOT NULL DEFAULT '',
	occurred_at TIMESTAMP NOT NULL,
	received_at TIMESTAMP NOT NULL,
	lang TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	decided_by TEXT NOT NULL DEFAULT '',
	decided_by_name TEXT NOT NULL DEFAULT '',
	decided_at TIMESTAMP,
	reason TEXT NOT NULL DEFAULT '',
	reporter_name TEXT NOT NULL DEFAULT '',
	reporter_contact TEXT NOT NULL DEFAULT '',
	photos INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX hum_reports_map ON hum_reports (emergency_id, status, occurred_at);
CREATE INDEX hum_reports_received ON hum_reports (emergency_id, received_at);
CREATE UNIQUE INDEX hum_reports_msg ON hum_reports (emergency_id, channel, msg_id) WHERE msg_id <> '';

CREATE TABLE hum_report_photos (
	report_id TEXT NOT NULL REFERENCES hum_reports (id) ON DELETE CASCADE,
	n INTEGER NOT NULL,
	name TEXT NOT NULL,
	media_type TEXT NOT NULL,
	data BYTEA NOT NULL,
	PRIMARY KEY (report_id, n)
);

-- Reports sent without an account, counted per key (the client's address,
-- or a sender's number) in a window.
CREATE TABLE hum_throttle (
	key TEXT PRIMARY KEY,
	n INTEGER NOT NULL,
	window_start TIMESTAMP NOT NULL
);

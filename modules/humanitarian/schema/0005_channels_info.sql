-- SMS and mail gateways of an emergency, kept by its coordinators. The
-- secret the gateway presents is stored only as its SHA-256 (hex): the node
-- shows it once, when the gateway is created.
CREATE TABLE hum_gateways (
	id TEXT PRIMARY KEY,
	emergency_id TEXT NOT NULL REFERENCES hum_emergencies (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	country_code TEXT NOT NULL DEFAULT '',
	secret_hash TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hum_gateways_emergency ON hum_gateways (emergency_id);

-- Replies waiting for a gateway that polls (SMSSync's task=send), until it
-- says they were sent. The number is a sender's: the coordinators' alone.
CREATE TABLE hum_sms_outbox (
	id TEXT PRIMARY KEY,
	gateway_id TEXT NOT NULL REFERENCES hum_gateways (id) ON DELETE CASCADE,
	to_number TEXT NOT NULL,
	message TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	handed_at TIMESTAMP,
	tries INTEGER NOT NULL DEFAULT 0,
	sent_at TIMESTAMP
);
CREATE INDEX hum_sms_outbox_pending ON hum_sms_outbox (gateway_id, sent_at, created_at);

-- Information for the people affected: shelters, hotlines and safety advice
-- per language. All of it is public.
CREATE TABLE hum_shelters (
	id TEXT PRIMARY KEY,
	emergency_id TEXT NOT NULL REFERENCES hum_emergencies (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	pcode TEXT NOT NULL DEFAULT '',
	place TEXT NOT NULL DEFAULT '',
	lat DOUBLE PRECISION,
	lon DOUBLE PRECISION,
	capacity INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	facilities TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hum_shelters_emergency ON hum_shelters (emergency_id, status);

CREATE TABLE hum_hotlines (
	id TEXT PRIMARY KEY,
	emergency_id TEXT NOT NULL REFERENCES hum_emergencies (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	number TEXT NOT NULL,
	hours TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hum_hotlines_emergency ON hum_hotlines (emergency_id, position);

CREATE TABLE hum_advice (
	emergency_id TEXT NOT NULL REFERENCES hum_emergencies (id) ON DELETE CASCADE,
	lang TEXT NOT NULL,
	text TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (emergency_id, lang)
);

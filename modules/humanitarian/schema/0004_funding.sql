-- Funding: appeals for an emergency and the money that flows to it.
-- Money is in hundredths of the currency's unit (cents) as BIGINT, never a
-- float; a rate to US dollars is kept as an integer in units of 10^-8
-- (rate_e8), and usd = amount × rate_e8 / 10^8, rounded half up.

-- Appeals (flash appeals, emergency appeals) of an organisation of this
-- node, for one of its emergencies. Channels are the official ways to
-- give (JSON list of {name, url, details}).
CREATE TABLE hum_appeals (
	id TEXT PRIMARY KEY,
	emergency_id TEXT NOT NULL REFERENCES hum_emergencies (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL,
	appealer TEXT NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	currency TEXT NOT NULL,
	rate_e8 BIGINT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	channels TEXT NOT NULL DEFAULT '[]',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hum_appeals_emergency ON hum_appeals (emergency_id);

-- What an appeal asks for, by sector (IASC cluster).
CREATE TABLE hum_appeal_needs (
	appeal_id TEXT NOT NULL REFERENCES hum_appeals (id) ON DELETE CASCADE,
	sector TEXT NOT NULL,
	amount BIGINT NOT NULL,
	usd BIGINT NOT NULL,
	PRIMARY KEY (appeal_id, sector)
);

-- Flows of money from a donor organisation to a recipient one, as the
-- donor reported them (amount … date) and, once the recipient confirmed,
-- as the recipient did (conf_*). A flow reported by a donor on another
-- node has origin = that node's host; claim and confirmation are the
-- signed statements as they were received or sent, byte for byte. The
-- emergency and appeal are this node's when it knows them; a donor's node
-- keeps the reference it was given (ref_title, ref_url) instead.
CREATE TABLE hum_flows (
	id TEXT PRIMARY KEY,
	emergency_id TEXT NOT NULL DEFAULT '',
	appeal_id TEXT NOT NULL DEFAULT '',
	ref_emergency TEXT NOT NULL DEFAULT '',
	ref_appeal TEXT NOT NULL DEFAULT '',
	ref_title TEXT NOT NULL DEFAULT '',
	ref_url TEXT NOT NULL DEFAULT '',
	donor TEXT NOT NULL,
	donor_org_id TEXT NOT NULL DEFAULT '',
	recipient TEXT NOT NULL,
	recipient_org_id TEXT NOT NULL DEFAULT '',
	sector TEXT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	rate_e8 BIGINT NOT NULL,
	usd BIGINT NOT NULL,
	status TEXT NOT NULL,
	flow_date TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	rev BIGINT NOT NULL DEFAULT 1,
	origin TEXT NOT NULL DEFAULT '',
	claim TEXT NOT NULL DEFAULT '',
	confirmed_rev BIGINT NOT NULL DEFAULT 0,
	conf_sector TEXT NOT NULL DEFAULT '',
	conf_amount BIGINT NOT NULL DEFAULT 0,
	conf_currency TEXT NOT NULL DEFAULT '',
	conf_rate_e8 BIGINT NOT NULL DEFAULT 0,
	conf_usd BIGINT NOT NULL DEFAULT 0,
	conf_status TEXT NOT NULL DEFAULT '',
	conf_date TEXT NOT NULL DEFAULT '',
	conf_note TEXT NOT NULL DEFAULT '',
	confirmation TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hum_flows_emergency ON hum_flows (emergency_id, flow_date);
CREATE INDEX hum_flows_appeal ON hum_flows (appeal_id);
CREATE INDEX hum_flows_recipient ON hum_flows (recipient_org_id, confirmed_rev);

-- A flow's dated history: each status the donor gave it and each
-- confirmation, with the statement that said so.
CREATE TABLE hum_flow_events (
	flow_id TEXT NOT NULL REFERENCES hum_flows (id) ON DELETE CASCADE,
	n INTEGER NOT NULL,
	side TEXT NOT NULL,
	status TEXT NOT NULL,
	usd BIGINT NOT NULL,
	at TIMESTAMP NOT NULL,
	statement TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (flow_id, n)
);

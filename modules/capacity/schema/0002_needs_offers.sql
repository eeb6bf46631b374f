-- Needs (a state's organisation asks), offers (a donor or implementer
-- gives), and proposals (an offer put forward for a need, accepted into a
-- project or declined). Lists are JSON text; the *_shares tables hold the
-- addresses a shared need or offer is shared with, for the visibility
-- filter.
CREATE TABLE cap_needs (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	owner TEXT NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	themes TEXT NOT NULL,
	topics TEXT NOT NULL,
	country TEXT NOT NULL,
	priority TEXT NOT NULL,
	languages TEXT NOT NULL,
	from_on TEXT NOT NULL DEFAULT '',
	to_on TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	visibility TEXT NOT NULL,
	shared_with TEXT NOT NULL DEFAULT '[]',
	project_id TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cap_needs_org ON cap_needs (org_id);

CREATE TABLE cap_need_shares (
	need_id TEXT NOT NULL REFERENCES cap_needs (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	PRIMARY KEY (need_id, addr)
);
CREATE INDEX cap_need_shares_addr ON cap_need_shares (addr);

CREATE TABLE cap_offers (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	owner TEXT NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	themes TEXT NOT NULL,
	topics TEXT NOT NULL,
	regions TEXT NOT NULL,
	countries TEXT NOT NULL,
	languages TEXT NOT NULL,
	from_on TEXT NOT NULL DEFAULT '',
	to_on TEXT NOT NULL DEFAULT '',
	budget_min BIGINT NOT NULL DEFAULT 0,
	budget_max BIGINT NOT NULL DEFAULT 0,
	currency TEXT NOT NULL DEFAULT '',
	visibility TEXT NOT NULL,
	shared_with TEXT NOT NULL DEFAULT '[]',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cap_offers_org ON cap_offers (org_id);

CREATE TABLE cap_offer_shares (
	offer_id TEXT NOT NULL REFERENCES cap_offers (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	PRIMARY KEY (offer_id, addr)
);
CREATE INDEX cap_offer_shares_addr ON cap_offer_shares (addr);

-- One proposal per need and offer: proposing again is a conflict.
CREATE TABLE cap_proposals (
	id TEXT PRIMARY KEY,
	need_id TEXT NOT NULL REFERENCES cap_needs (id),
	offer_id TEXT NOT NULL REFERENCES cap_offers (id),
	org_id TEXT NOT NULL,
	proposer TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	project_id TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	decided_at TIMESTAMP,
	UNIQUE (need_id, offer_id)
);

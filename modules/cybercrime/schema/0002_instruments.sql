-- The node's changes to the legal instruments. What Entente ships lives in
-- instruments.json; the effective instruments are that file plus these rows
-- (a row here wins over the shipped fact it names). Days are written
-- YYYY-MM-DD as TEXT ('' for none): a treaty binds from a day, not an
-- instant, and both engines then compare them the same way.

-- Instruments the node adds: a bilateral treaty, say.
CREATE TABLE cyb_instruments (
	id TEXT PRIMARY KEY,
	name_en TEXT NOT NULL,
	name_id TEXT NOT NULL DEFAULT '',
	short TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	network TEXT NOT NULL DEFAULT 'none',
	by_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);

-- Whether an instrument (shipped or added) is in force, and since when.
CREATE TABLE cyb_instrument_status (
	instrument_id TEXT PRIMARY KEY,
	in_force BOOLEAN NOT NULL,
	since TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	by_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);

-- A kind an instrument allows (or, allowed = FALSE, no longer allows), with
-- its article.
CREATE TABLE cyb_instrument_kinds (
	instrument_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	allowed BOOLEAN NOT NULL,
	article TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	by_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	at TIMESTAMP NOT NULL,
	PRIMARY KEY (instrument_id, kind)
);

-- A state's place in an instrument, added or changed.
CREATE TABLE cyb_instrument_parties (
	instrument_id TEXT NOT NULL,
	country TEXT NOT NULL,
	signed TEXT NOT NULL DEFAULT '',
	ratified TEXT NOT NULL DEFAULT '',
	bound TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	by_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	at TIMESTAMP NOT NULL,
	PRIMARY KEY (instrument_id, country)
);

-- A reservation or declaration that removes or restricts kinds; kinds is a
-- space-separated list.
CREATE TABLE cyb_instrument_reservations (
	id TEXT PRIMARY KEY,
	instrument_id TEXT NOT NULL,
	country TEXT NOT NULL,
	kinds TEXT NOT NULL,
	effect TEXT NOT NULL,
	body TEXT NOT NULL,
	valid_from TEXT NOT NULL DEFAULT '',
	valid_until TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	by_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);
CREATE INDEX cyb_instrument_reservations_instrument ON cyb_instrument_reservations (instrument_id);

-- A shipped fact that was marked unverified and that the node administrator
-- checked at its source: who, when, and what they saw.
CREATE TABLE cyb_fact_confirmations (
	fact TEXT PRIMARY KEY,
	note TEXT NOT NULL DEFAULT '',
	by_id TEXT NOT NULL,
	by_name TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);

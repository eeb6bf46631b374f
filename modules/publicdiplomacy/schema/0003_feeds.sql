-- Media monitoring: an organisation's subscriptions to news feeds (RSS,
-- Atom, JSON Feed), the items they brought, the words it watches for, and
-- when its people last had a digest of the matches.

-- A subscription. next_fetch_at is when the poller takes it next: after a
-- success, one interval on; after a failure, further each time (failures
-- counts them), so a dead server is asked less and less often. The
-- validators of the last answer (etag, last_modified) make the next
-- request conditional, and body_hash spares parsing a body unchanged.
-- last_error is a message key, error_detail what the server or the network
-- said. status: new, ok, error.
CREATE TABLE pd_feeds (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	url TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	site_url TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	format TEXT NOT NULL DEFAULT '',
	interval_minutes INTEGER NOT NULL DEFAULT 15,
	paused BOOLEAN NOT NULL DEFAULT FALSE,
	status TEXT NOT NULL DEFAULT 'new',
	last_error TEXT NOT NULL DEFAULT '',
	error_detail TEXT NOT NULL DEFAULT '',
	failures INTEGER NOT NULL DEFAULT 0,
	etag TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	body_hash TEXT NOT NULL DEFAULT '',
	last_fetch_at TIMESTAMP,
	last_success_at TIMESTAMP,
	next_fetch_at TIMESTAMP NOT NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX pd_feeds_url ON pd_feeds (org_id, url);
CREATE INDEX pd_feeds_due ON pd_feeds (paused, next_fetch_at);

-- An item a feed brought, once: guid is the item's own id, else its link,
-- else a hash of its title and date. summary is plain text (the feed's
-- HTML stripped). matched lists the keywords it matched, one per line, and
-- alert says there was at least one. inbox_id is the web-care item made
-- from it, if any.
CREATE TABLE pd_feed_items (
	id TEXT PRIMARY KEY,
	feed_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	guid TEXT NOT NULL,
	link TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	author TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	published_at TIMESTAMP NOT NULL,
	fetched_at TIMESTAMP NOT NULL,
	matched TEXT NOT NULL DEFAULT '',
	alert BOOLEAN NOT NULL DEFAULT FALSE,
	inbox_id TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX pd_feed_items_guid ON pd_feed_items (feed_id, guid);
CREATE INDEX pd_feed_items_link ON pd_feed_items (feed_id, link);
CREATE INDEX pd_feed_items_org ON pd_feed_items (org_id, published_at);
CREATE INDEX pd_feed_items_alert ON pd_feed_items (org_id, alert, fetched_at);

-- A word or phrase an organisation watches for, in English or Indonesian.
-- folded is the word as matching compares it, so that "ASEAN" and "asean"
-- are one keyword.
CREATE TABLE pd_feed_keywords (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	word TEXT NOT NULL,
	folded TEXT NOT NULL,
	language TEXT NOT NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX pd_feed_keywords_word ON pd_feed_keywords (org_id, language, folded);

-- When an organisation's people were last sent the digest of matches:
-- the next one has what was fetched since.
CREATE TABLE pd_feed_digests (
	org_id TEXT PRIMARY KEY,
	sent_at TIMESTAMP NOT NULL
);

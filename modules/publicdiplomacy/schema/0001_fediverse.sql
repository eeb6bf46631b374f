-- Public diplomacy on the fediverse: an organisation's ActivityPub
-- accounts, the posts its press office writes, approves and publishes,
-- the followers they go to, what the public sends back (the web-care
-- queue), and the durable queue that delivers activities to other
-- instances.

-- An account is served by this node for one of its organisations. Its RSA
-- key signs every request it makes (Mastodon and GoToSocial require RSA);
-- the private half never leaves the database. fields are the profile's
-- links and values (JSON [{name, value}]).
CREATE TABLE pd_accounts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	username TEXT NOT NULL,
	display_name TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT 'en',
	fields TEXT NOT NULL DEFAULT '[]',
	manually_approves BOOLEAN NOT NULL DEFAULT FALSE,
	private_key TEXT NOT NULL,
	public_key TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX pd_accounts_username ON pd_accounts (username);
CREATE INDEX pd_accounts_org ON pd_accounts (org_id);

-- Remote actors this node has fetched: their inboxes and keys. A key is
-- refetched when a signature fails with the cached one (keys rotate).
CREATE TABLE pd_actors (
	uri TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	username TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	url TEXT NOT NULL DEFAULT '',
	inbox TEXT NOT NULL,
	shared_inbox TEXT NOT NULL DEFAULT '',
	key_id TEXT NOT NULL DEFAULT '',
	public_key TEXT NOT NULL DEFAULT '',
	fetched_at TIMESTAMP NOT NULL
);
CREATE INDEX pd_actors_key ON pd_actors (key_id);

-- Followers of an account. A follower who leaves keeps its row with
-- removed_at, so that followers over time can be counted.
CREATE TABLE pd_followers (
	account_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	host TEXT NOT NULL,
	follow_id TEXT NOT NULL,
	state TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	removed_at TIMESTAMP,
	PRIMARY KEY (account_id, actor)
);
CREATE INDEX pd_followers_state ON pd_followers (account_id, state);

-- Accounts elsewhere that an account follows (their posts arrive here).
CREATE TABLE pd_following (
	account_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	follow_id TEXT NOT NULL,
	state TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (account_id, actor)
);

-- A post. The translations of one message share group_id, one post per
-- language: a Note carries one language that Mastodon and GoToSocial both
-- show correctly. state: draft, review, scheduled, published, deleted.
-- uri is set when it is published.
CREATE TABLE pd_posts (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	group_id TEXT NOT NULL,
	language TEXT NOT NULL,
	content TEXT NOT NULL,
	warning TEXT NOT NULL DEFAULT '',
	visibility TEXT NOT NULL DEFAULT 'public',
	in_reply_to TEXT NOT NULL DEFAULT '',
	reply_item TEXT NOT NULL DEFAULT '',
	case_id TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	scheduled_at TIMESTAMP,
	published_at TIMESTAMP,
	edited_at TIMESTAMP,
	created_by TEXT NOT NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	submitted_at TIMESTAMP,
	approved_by TEXT NOT NULL DEFAULT '',
	approved_by_name TEXT NOT NULL DEFAULT '',
	approved_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX pd_posts_account ON pd_posts (account_id, state, published_at);
CREATE INDEX pd_posts_group ON pd_posts (group_id);
CREATE INDEX pd_posts_due ON pd_posts (state, scheduled_at);

-- Images of a post, each with its alt text (required).
CREATE TABLE pd_media (
	id TEXT PRIMARY KEY,
	post_id TEXT NOT NULL,
	media_type TEXT NOT NULL,
	alt TEXT NOT NULL,
	data BYTEA NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX pd_media_post ON pd_media (post_id);

-- Activities this node's accounts sent, as the exact bytes delivered.
CREATE TABLE pd_activities (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	type TEXT NOT NULL,
	object TEXT NOT NULL DEFAULT '',
	body BYTEA NOT NULL,
	created_at TIMESTAMP NOT NULL
);

-- The delivery queue: one row per activity and inbox. state: queued,
-- delivered, failed (given up: refused for good, or past the horizon),
-- skipped (the instance is dead).
CREATE TABLE pd_deliveries (
	id TEXT PRIMARY KEY,
	activity_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	inbox TEXT NOT NULL,
	host TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	delivered_at TIMESTAMP
);
CREATE INDEX pd_deliveries_due ON pd_deliveries (state, next_attempt_at);
CREATE INDEX pd_deliveries_activity ON pd_deliveries (activity_id);

-- Instances this node delivers to. A failing instance's circuit is open
-- until open_until; one that failed on fail_days distinct days (and never
-- since succeeded) is dead: its deliveries are skipped until it answers.
CREATE TABLE pd_instances (
	host TEXT PRIMARY KEY,
	failures INTEGER NOT NULL DEFAULT 0,
	fail_days INTEGER NOT NULL DEFAULT 0,
	last_fail_day TEXT NOT NULL DEFAULT '',
	open_until TIMESTAMP,
	dead BOOLEAN NOT NULL DEFAULT FALSE,
	last_error TEXT NOT NULL DEFAULT '',
	last_success_at TIMESTAMP
);

-- What arrived from the fediverse: posts of followed accounts, replies,
-- mentions and direct messages. Those addressed to one of our accounts
-- (a reply to its post, a mention, a direct message) are in the web-care
-- queue (queue = TRUE) with their handling: state new, assigned,
-- answered, handled.
CREATE TABLE pd_inbox (
	id TEXT PRIMARY KEY,
	uri TEXT NOT NULL,
	account_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	actor_handle TEXT NOT NULL,
	actor_name TEXT NOT NULL DEFAULT '',
	host TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL,
	warning TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	in_reply_to TEXT NOT NULL DEFAULT '',
	reply_to_post TEXT NOT NULL DEFAULT '',
	visibility TEXT NOT NULL,
	kind TEXT NOT NULL,
	queue BOOLEAN NOT NULL DEFAULT FALSE,
	state TEXT NOT NULL DEFAULT 'new',
	assignee_id TEXT NOT NULL DEFAULT '',
	assignee_name TEXT NOT NULL DEFAULT '',
	answer_post TEXT NOT NULL DEFAULT '',
	handled_by_name TEXT NOT NULL DEFAULT '',
	handled_at TIMESTAMP,
	published_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP,
	received_at TIMESTAMP NOT NULL,
	deleted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX pd_inbox_uri ON pd_inbox (account_id, uri);
CREATE INDEX pd_inbox_queue ON pd_inbox (account_id, queue, state, received_at);

-- Boosts and likes of our posts, for reach. An Undo deletes the row.
CREATE TABLE pd_reactions (
	id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	post_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	host TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX pd_reactions_post ON pd_reactions (post_id, type);

-- Saved answers for web-care, per organisation and language.
CREATE TABLE pd_answers (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	language TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX pd_answers_org ON pd_answers (org_id, language);

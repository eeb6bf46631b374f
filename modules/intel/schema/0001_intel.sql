-- A collection is a TAXII collection. seq and last_added are its counters:
-- taken under the collection row's lock, so objects become visible in the
-- order of seq and date_added, and paging by either never skips one.
CREATE TABLE intel_collections (
	id TEXT PRIMARY KEY,
	alias TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	default_tlp TEXT NOT NULL,
	seq BIGINT NOT NULL DEFAULT 0,
	last_added TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);

-- Rights per organisation, by address (handle@host): local and remote
-- organisations alike. Declassify lets a later version lower the TLP.
CREATE TABLE intel_rights (
	collection_id TEXT NOT NULL REFERENCES intel_collections (id) ON DELETE CASCADE,
	org TEXT NOT NULL,
	can_read INTEGER NOT NULL DEFAULT 0,
	can_write INTEGER NOT NULL DEFAULT 0,
	can_declassify INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (collection_id, org)
);
CREATE INDEX intel_rights_org ON intel_rights (org);

-- A sharing group is a marking definition objects refer to; its members are
-- an explicit list. No member means nobody but the object's owner.
CREATE TABLE intel_groups (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	owner_org TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE TABLE intel_group_members (
	group_id TEXT NOT NULL REFERENCES intel_groups (id) ON DELETE CASCADE,
	org TEXT NOT NULL,
	PRIMARY KEY (group_id, org)
);
CREATE INDEX intel_group_members_org ON intel_group_members (org);

-- One row per version of an object, with the exact JSON received. latest
-- marks the newest version of each id. audience is 'collection' (everyone
-- with read on the collection), 'group' (the members of group_id) or 'owner'
-- (owner_org only); the owner always sees its own.
CREATE TABLE intel_objects (
	collection_id TEXT NOT NULL REFERENCES intel_collections (id) ON DELETE CASCADE,
	seq BIGINT NOT NULL,
	stix_id TEXT NOT NULL,
	type TEXT NOT NULL,
	spec_version TEXT NOT NULL,
	version TEXT NOT NULL,
	date_added TEXT NOT NULL,
	latest INTEGER NOT NULL,
	tlp TEXT NOT NULL,
	audience TEXT NOT NULL,
	group_id TEXT NOT NULL DEFAULT '',
	owner_org TEXT NOT NULL,
	origin TEXT NOT NULL DEFAULT '',
	origin_added TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	labels TEXT NOT NULL DEFAULT '',
	sectors TEXT NOT NULL DEFAULT '',
	refs TEXT NOT NULL DEFAULT '',
	raw TEXT NOT NULL,
	PRIMARY KEY (collection_id, seq)
);
CREATE UNIQUE INDEX intel_objects_version ON intel_objects (collection_id, stix_id, version);
CREATE INDEX intel_objects_latest ON intel_objects (collection_id, latest, seq);
CREATE INDEX intel_objects_added ON intel_objects (collection_id, date_added);
CREATE INDEX intel_objects_type ON intel_objects (collection_id, type, seq);

-- The status of a TAXII POST or an upload, and one row per object in it.
CREATE TABLE intel_status (
	id TEXT PRIMARY KEY,
	collection_id TEXT NOT NULL,
	org TEXT NOT NULL,
	status TEXT NOT NULL,
	request_timestamp TEXT NOT NULL,
	total_count INTEGER NOT NULL,
	success_count INTEGER NOT NULL,
	failure_count INTEGER NOT NULL,
	pending_count INTEGER NOT NULL
);
CREATE TABLE intel_status_items (
	status_id TEXT NOT NULL REFERENCES intel_status (id) ON DELETE CASCADE,
	n INTEGER NOT NULL,
	ok INTEGER NOT NULL,
	stix_id TEXT NOT NULL,
	version TEXT NOT NULL,
	message TEXT NOT NULL,
	PRIMARY KEY (status_id, n)
);

-- A subscription pulls a peer's collection into a local one for an
-- organisation of this node. cursor is the peer's last date_added taken,
-- advanced in the same transaction as the objects it covers.
CREATE TABLE intel_subscriptions (
	id TEXT PRIMARY KEY,
	peer_host TEXT NOT NULL,
	remote_collection TEXT NOT NULL,
	collection_id TEXT NOT NULL REFERENCES intel_collections (id) ON DELETE CASCADE,
	org TEXT NOT NULL,
	cursor TEXT NOT NULL DEFAULT '',
	last_sync TIMESTAMP,
	last_error TEXT NOT NULL DEFAULT '',
	pulled BIGINT NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (peer_host, remote_collection, org)
);

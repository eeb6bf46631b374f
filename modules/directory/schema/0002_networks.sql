-- Points-of-contact networks. A network is kept on its secretariat's node
-- (host = that node) and replicated to members' nodes, where the same tables
-- hold the latest signed version.
CREATE TABLE poc_networks (
	id TEXT PRIMARY KEY,
	slug TEXT NOT NULL,
	host TEXT NOT NULL,
	secretariat TEXT NOT NULL,
	name_en TEXT NOT NULL,
	name_id TEXT NOT NULL DEFAULT '',
	description_en TEXT NOT NULL DEFAULT '',
	description_id TEXT NOT NULL DEFAULT '',
	member_kind TEXT NOT NULL,
	categories TEXT NOT NULL,
	visibility TEXT NOT NULL,
	ping_cadence_days INTEGER NOT NULL DEFAULT 0,
	ack_hours INTEGER NOT NULL,
	template TEXT NOT NULL,
	transparency BOOLEAN NOT NULL DEFAULT FALSE,
	version INTEGER NOT NULL DEFAULT 0,
	changed_at TIMESTAMP NOT NULL,
	signed_by TEXT NOT NULL DEFAULT '',
	snapshot TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX poc_networks_slug ON poc_networks (host, slug);

CREATE TABLE poc_members (
	network_id TEXT NOT NULL REFERENCES poc_networks (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT '',
	name_en TEXT NOT NULL,
	name_id TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	joined_at TIMESTAMP NOT NULL,
	PRIMARY KEY (network_id, addr)
);
CREATE INDEX poc_members_org ON poc_members (org_id);

-- The directory as the secretariat published it.
-- Entry ids are the host's: unique within a network, not across hosts.
CREATE TABLE poc_entries (
	id TEXT NOT NULL,
	network_id TEXT NOT NULL REFERENCES poc_networks (id) ON DELETE CASCADE,
	member_addr TEXT NOT NULL,
	category TEXT NOT NULL,
	deputy BOOLEAN NOT NULL DEFAULT FALSE,
	person_ref TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	position TEXT NOT NULL DEFAULT '',
	institution TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	secure_addr TEXT NOT NULL DEFAULT '',
	languages TEXT NOT NULL DEFAULT '',
	hours TEXT NOT NULL DEFAULT '',
	nominated_at TIMESTAMP NOT NULL,
	confirmed_at TIMESTAMP NOT NULL,
	nomination TEXT NOT NULL,
	signed_by TEXT NOT NULL,
	PRIMARY KEY (network_id, id)
);
CREATE INDEX poc_entries_member ON poc_entries (network_id, member_addr, category);

-- Nominations: on the member's node, the ones it made; on the secretariat's
-- node, the ones it received. A nomination between two organisations of one
-- node is one row.
CREATE TABLE poc_nominations (
	id TEXT PRIMARY KEY,
	network_id TEXT NOT NULL REFERENCES poc_networks (id) ON DELETE CASCADE,
	origin_id TEXT NOT NULL,
	member_addr TEXT NOT NULL,
	action TEXT NOT NULL,
	entry_id TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	focal_point TEXT NOT NULL,
	statement TEXT NOT NULL,
	signed_by TEXT NOT NULL,
	status TEXT NOT NULL,
	submitted_at TIMESTAMP NOT NULL,
	decided_at TIMESTAMP,
	decided_by TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX poc_nominations_origin ON poc_nominations (member_addr, origin_id);
CREATE INDEX poc_nominations_network ON poc_nominations (network_id, status);

CREATE TABLE poc_pings (
	id TEXT PRIMARY KEY,
	network_id TEXT NOT NULL REFERENCES poc_networks (id) ON DELETE CASCADE,
	started_by TEXT NOT NULL,
	started_at TIMESTAMP NOT NULL,
	deadline TIMESTAMP NOT NULL,
	state TEXT NOT NULL,
	finished_at TIMESTAMP,
	message TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX poc_pings_network ON poc_pings (network_id, started_at);
CREATE INDEX poc_pings_state ON poc_pings (state);

CREATE TABLE poc_ping_targets (
	id TEXT PRIMARY KEY,
	ping_id TEXT NOT NULL REFERENCES poc_pings (id) ON DELETE CASCADE,
	entry_id TEXT NOT NULL,
	member_addr TEXT NOT NULL,
	category TEXT NOT NULL,
	name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	deputy BOOLEAN NOT NULL DEFAULT FALSE,
	escalated_from TEXT NOT NULL DEFAULT '',
	envelope_id TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	deadline TIMESTAMP NOT NULL,
	sent_at TIMESTAMP NOT NULL,
	delivered_at TIMESTAMP,
	acked_at TIMESTAMP,
	acked_by TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL DEFAULT '',
	reminded_at TIMESTAMP,
	escalated_at TIMESTAMP
);
CREATE INDEX poc_ping_targets_ping ON poc_ping_targets (ping_id, member_addr);
CREATE INDEX poc_ping_targets_due ON poc_ping_targets (state, deadline);
CREATE INDEX poc_ping_targets_token ON poc_ping_targets (token_hash);

-- Pings as a member's node received them, for its points of contact.
CREATE TABLE poc_pings_received (
	id TEXT PRIMARY KEY,
	ping_id TEXT NOT NULL,
	target_id TEXT NOT NULL,
	entry_id TEXT NOT NULL DEFAULT '',
	network_id TEXT NOT NULL,
	from_addr TEXT NOT NULL,
	member_addr TEXT NOT NULL,
	org_id TEXT NOT NULL,
	person_ref TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL,
	message TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	deadline TIMESTAMP NOT NULL,
	received_at TIMESTAMP NOT NULL,
	acked_at TIMESTAMP,
	acked_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX poc_pings_received_target ON poc_pings_received (from_addr, target_id);
CREATE INDEX poc_pings_received_org ON poc_pings_received (org_id, received_at);

-- Requests between points of contact. A request between two organisations
-- of one node has two rows, one per direction.
CREATE TABLE poc_requests (
	id TEXT PRIMARY KEY,
	origin_id TEXT NOT NULL,
	network_id TEXT NOT NULL,
	direction TEXT NOT NULL,
	org_id TEXT NOT NULL,
	from_addr TEXT NOT NULL,
	to_addr TEXT NOT NULL,
	author TEXT NOT NULL,
	type TEXT NOT NULL,
	urgency TEXT NOT NULL,
	subject TEXT NOT NULL,
	description TEXT NOT NULL,
	sector TEXT NOT NULL DEFAULT '',
	systems TEXT NOT NULL DEFAULT '',
	asked TEXT NOT NULL DEFAULT '',
	indicators TEXT NOT NULL DEFAULT '',
	follow_up TEXT NOT NULL DEFAULT '',
	tlp TEXT NOT NULL,
	respond_by TIMESTAMP NOT NULL,
	state TEXT NOT NULL,
	answer TEXT NOT NULL DEFAULT '',
	envelope_id TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	reminded_at TIMESTAMP,
	overdue_at TIMESTAMP
);
CREATE UNIQUE INDEX poc_requests_origin ON poc_requests (from_addr, origin_id, direction);
CREATE INDEX poc_requests_org ON poc_requests (org_id, created_at);
CREATE INDEX poc_requests_open ON poc_requests (state, respond_by);

CREATE TABLE poc_request_events (
	id TEXT PRIMARY KEY,
	request_id TEXT NOT NULL REFERENCES poc_requests (id) ON DELETE CASCADE,
	at TIMESTAMP NOT NULL,
	state TEXT NOT NULL DEFAULT '',
	by_name TEXT NOT NULL,
	by_addr TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	origin_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX poc_request_events_request ON poc_request_events (request_id, at);

CREATE TABLE organisations (
	id TEXT PRIMARY KEY,
	handle TEXT NOT NULL,
	kind TEXT NOT NULL,
	country TEXT NOT NULL DEFAULT '',
	name_en TEXT NOT NULL,
	name_id TEXT NOT NULL DEFAULT '',
	acronym TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organisations_handle ON organisations (handle);
CREATE INDEX organisations_kind ON organisations (kind);
CREATE INDEX organisations_country ON organisations (country);

CREATE TABLE memberships (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id);

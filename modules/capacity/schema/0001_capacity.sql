-- Capacity-building projects, owned by an organisation on this node. Lists
-- (themes, topics, funders, implementers, countries, regions, outputs, the
-- addresses a shared project is shared with) are JSON text; cap_shares
-- holds the same addresses one a row, for the visibility filter.
CREATE TABLE cap_projects (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	owner TEXT NOT NULL,
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	themes TEXT NOT NULL,
	topics TEXT NOT NULL,
	funders TEXT NOT NULL,
	implementers TEXT NOT NULL,
	countries TEXT NOT NULL,
	regions TEXT NOT NULL,
	budget BIGINT NOT NULL DEFAULT 0,
	currency TEXT NOT NULL DEFAULT '',
	start_on TEXT NOT NULL DEFAULT '',
	end_on TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	outputs TEXT NOT NULL,
	contact TEXT NOT NULL DEFAULT '',
	visibility TEXT NOT NULL,
	shared_with TEXT NOT NULL DEFAULT '[]',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cap_projects_org ON cap_projects (org_id);

CREATE TABLE cap_shares (
	project_id TEXT NOT NULL REFERENCES cap_projects (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	PRIMARY KEY (project_id, addr)
);
CREATE INDEX cap_shares_addr ON cap_shares (addr);

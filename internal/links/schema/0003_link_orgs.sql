-- link_orgs names the organisations on whose behalf a person made a link:
-- those in which they hold a role that links. Only their people, or a
-- writer of a record at either end owned by their own organisation, may
-- remove it. A link joined by the system (a statement naming its
-- incident), brought by a peer, or made before this table has no rows
-- here and keeps the earlier rule: anyone who links and sees both ends.
CREATE TABLE link_orgs (
	link_id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	PRIMARY KEY (link_id, org_id)
);

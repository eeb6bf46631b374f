-- A link joins two records, each named by its typed reference (module,
-- kind, id, node; node '' for this node). The pair is stored in one order
-- (a < b as written module:kind:id@node), so a link is one row whichever
-- page it was made from, and a pair is linked once.
CREATE TABLE links (
	id TEXT PRIMARY KEY,
	a_module TEXT NOT NULL,
	a_kind TEXT NOT NULL,
	a_id TEXT NOT NULL,
	a_node TEXT NOT NULL DEFAULT '',
	b_module TEXT NOT NULL,
	b_kind TEXT NOT NULL,
	b_id TEXT NOT NULL,
	b_node TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX links_pair ON links (a_module, a_kind, a_id, a_node, b_module, b_kind, b_id, b_node);
CREATE INDEX links_b ON links (b_module, b_kind, b_id, b_node);

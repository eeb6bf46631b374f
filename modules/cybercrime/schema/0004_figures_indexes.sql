-- The figures read nine columns of every request they count. Without an
-- index holding them they read every row whole, with its form text (1 KB
-- and more), which made the figures of 100,000 requests take a second on
-- SQLite. This index holds them all, so both engines answer from the index
-- alone (PostgreSQL once its visibility map is set), starting from the
-- organisation and the sending date the figures are asked for.
CREATE INDEX cyb_requests_figures ON cyb_requests (org_id, sent_at, exercise, kind, from_country, to_country, state, ground, direction,
	acknowledged_at, preserved_at, executed_at, respond_by, execute_by, from_addr, origin_id);
-- A request between two organisations of this node is counted from the
-- requesting side's row: finding that row, and whose it is, from the index.
CREATE INDEX cyb_requests_sides ON cyb_requests (from_addr, origin_id, direction, org_id, exercise);

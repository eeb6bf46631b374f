-- Four eyes, kept: authors are everyone who wrote, changed or submitted a
-- message (space-separated user ids), none of whom may approve it; a
-- correction of a published post waits for a second person too, in the
-- correction columns, while the post stays as published.
ALTER TABLE pd_posts ADD COLUMN authors TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_posts ADD COLUMN correction TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_posts ADD COLUMN correction_warning TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_posts ADD COLUMN correction_by TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_posts ADD COLUMN correction_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_posts ADD COLUMN correction_at TIMESTAMP;
UPDATE pd_posts SET authors = created_by;

-- One actor's boost or like of a post counts once, even when two copies
-- arrive at the same moment.
DELETE FROM pd_reactions WHERE id NOT IN (SELECT MIN(id) FROM pd_reactions GROUP BY post_id, actor, type);
CREATE UNIQUE INDEX pd_reactions_once ON pd_reactions (post_id, actor, type);

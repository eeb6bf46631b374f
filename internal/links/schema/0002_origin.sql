-- origin is the node whose record brought the link here: '' for a link
-- made on this node, the owner's host for one that came with a copy of a
-- peer's incident. The owner's next version replaces its own links, and
-- only those: a link made here to the copy stays.
ALTER TABLE links ADD COLUMN origin TEXT NOT NULL DEFAULT '';
CREATE INDEX links_origin ON links (origin);

-- Images of posts that arrive: JSON [{url, media_type, alt}], only links
-- on the author's instance, at most eight. They are shown as links, never
-- loaded: loading a remote image would tell its instance who reads it.
ALTER TABLE pd_inbox ADD COLUMN media TEXT NOT NULL DEFAULT '[]';

-- Why a message was returned to its writer, by whom and when.
ALTER TABLE pd_posts ADD COLUMN returned_note TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_posts ADD COLUMN returned_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_posts ADD COLUMN returned_at TIMESTAMP;

-- The time zone the writer chose for a message's time (an IANA name; ''
-- is UTC). Times stay stored in UTC; the zone is how they are shown.
ALTER TABLE pd_posts ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

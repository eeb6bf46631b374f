-- A coordinator may edit what is published of a report (to take out a
-- name, a number, an address); the text as it arrived is kept beside it,
-- for the coordinators alone.
ALTER TABLE hum_reports ADD COLUMN original_text TEXT NOT NULL DEFAULT '';

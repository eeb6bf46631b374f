-- A report is a series of versions. Until now every report of a state was a
-- version of one series, so the existing rows join their state's first one.
-- The unique version per state becomes a unique version per series: a new
-- report starts again at version 1 (relaxing a constraint, nothing lost).
ALTER TABLE norm_reports ADD COLUMN series_id TEXT NOT NULL DEFAULT '';
UPDATE norm_reports SET series_id = (SELECT f.id FROM norm_reports f WHERE f.org_id = norm_reports.org_id ORDER BY f.version LIMIT 1);
DROP INDEX norm_reports_version;
CREATE UNIQUE INDEX norm_reports_series_version ON norm_reports (series_id, version);

-- A published version the focal point withdraws, with the node's signed
-- statement of withdrawal sent to the peers that hold a copy.
ALTER TABLE norm_reports ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
ALTER TABLE norm_reports ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE norm_reports ADD COLUMN withdrawal TEXT NOT NULL DEFAULT '';

-- Reports published on peer nodes: the signed copy as it arrived (statement,
-- verified against the publishing node's key) and its answers taken from the
-- very bytes that were signed. Read-only here.
CREATE TABLE norm_copies (
	id TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	origin_id TEXT NOT NULL,
	series_id TEXT NOT NULL,
	org_handle TEXT NOT NULL,
	org_name_en TEXT NOT NULL,
	org_name_id TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL,
	title TEXT NOT NULL,
	version INTEGER NOT NULL,
	status TEXT NOT NULL,
	audience TEXT NOT NULL,
	published_by TEXT NOT NULL,
	published_at TIMESTAMP NOT NULL,
	statement TEXT NOT NULL,
	signed_by TEXT NOT NULL,
	received_at TIMESTAMP NOT NULL,
	withdrawn_at TIMESTAMP,
	withdrawal TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX norm_copies_origin ON norm_copies (host, origin_id);
CREATE UNIQUE INDEX norm_copies_version ON norm_copies (host, series_id, version);
CREATE INDEX norm_copies_status ON norm_copies (status, country);

CREATE TABLE norm_copy_answers (
	report_id TEXT NOT NULL REFERENCES norm_copies (id) ON DELETE CASCADE,
	part TEXT NOT NULL,
	norm TEXT NOT NULL DEFAULT '',
	measures TEXT NOT NULL DEFAULT '',
	challenges TEXT NOT NULL DEFAULT '',
	gaps TEXT NOT NULL DEFAULT '',
	links TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL,
	PRIMARY KEY (report_id, part, norm)
);

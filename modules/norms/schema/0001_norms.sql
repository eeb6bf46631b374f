CREATE TABLE norm_reports (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	country TEXT NOT NULL,
	title TEXT NOT NULL,
	version INTEGER NOT NULL,
	status TEXT NOT NULL,
	audience TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	approved_at TIMESTAMP,
	published_by TEXT NOT NULL DEFAULT '',
	published_at TIMESTAMP,
	statement TEXT NOT NULL DEFAULT '',
	signed_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX norm_reports_version ON norm_reports (org_id, version);
CREATE INDEX norm_reports_status ON norm_reports (status, country);

CREATE TABLE norm_answers (
	report_id TEXT NOT NULL REFERENCES norm_reports (id) ON DELETE CASCADE,
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

-- Who changed which section of a draft, when, and which fields.
CREATE TABLE norm_changes (
	id TEXT PRIMARY KEY,
	report_id TEXT NOT NULL REFERENCES norm_reports (id) ON DELETE CASCADE,
	part TEXT NOT NULL,
	norm TEXT NOT NULL DEFAULT '',
	at TIMESTAMP NOT NULL,
	by_name TEXT NOT NULL,
	what TEXT NOT NULL
);
CREATE INDEX norm_changes_report ON norm_changes (report_id, at);

-- Typed references to norms from other records (incidents, requests…).
CREATE TABLE norm_links (
	id TEXT PRIMARY KEY,
	norm TEXT NOT NULL,
	kind TEXT NOT NULL,
	ref TEXT NOT NULL,
	title TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	tlp TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX norm_links_ref ON norm_links (norm, kind, ref);

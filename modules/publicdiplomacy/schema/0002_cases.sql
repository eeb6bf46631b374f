-- Disinformation cases, in the manner of EUvsDisinfo: a claim as it
-- circulated, where it appeared (with archived copies), its disproof and a
-- verdict. A case is written by an organisation's press office, reviewed,
-- and published by a second person; only published cases are public (the
-- fact-check database, with ClaimReview).

-- lists (countries, languages, keywords, outlets) are JSON arrays of
-- strings; appearances is a JSON array of {url, outlet, language, date,
-- archive}. search is the case's words in lower case (as Go lowers them,
-- the same on both engines), for the word search. first_published_at is
-- kept across a withdrawal and a new publication: it is when the fact
-- check first went out (ClaimReview's datePublished).
CREATE TABLE pd_cases (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	language TEXT NOT NULL DEFAULT 'en',
	title TEXT NOT NULL,
	claim TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT '',
	disproof TEXT NOT NULL DEFAULT '',
	verdict TEXT NOT NULL DEFAULT '',
	first_seen TIMESTAMP,
	claim_author TEXT NOT NULL DEFAULT '',
	claim_author_type TEXT NOT NULL DEFAULT '',
	appearances TEXT NOT NULL DEFAULT '[]',
	outlets TEXT NOT NULL DEFAULT '[]',
	languages TEXT NOT NULL DEFAULT '[]',
	countries TEXT NOT NULL DEFAULT '[]',
	keywords TEXT NOT NULL DEFAULT '[]',
	search TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	edited_by TEXT NOT NULL DEFAULT '',
	edited_by_name TEXT NOT NULL DEFAULT '',
	submitted_at TIMESTAMP,
	published_by TEXT NOT NULL DEFAULT '',
	published_by_name TEXT NOT NULL DEFAULT '',
	published_at TIMESTAMP,
	first_published_at TIMESTAMP,
	withdrawn_at TIMESTAMP,
	withdrawn_by_name TEXT NOT NULL DEFAULT '',
	withdrawn_reason TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX pd_cases_org ON pd_cases (org_id, state, updated_at);
CREATE INDEX pd_cases_published ON pd_cases (state, published_at);

-- The values a case is filtered by, one row each: kind is country,
-- language, keyword or outlet; value is the code (countries in capitals,
-- languages in lower case) or the word in lower case.
CREATE TABLE pd_case_terms (
	case_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (case_id, kind, value)
);
CREATE INDEX pd_case_terms_value ON pd_case_terms (kind, value);

-- A case may carry its text in the node's other language (English or
-- Bahasa Indonesia), so that a reader finds and reads a fact check in
-- theirs. The translation lives in the case's own row: it is part of the
-- case, edited, reviewed and published with it (the second pair of eyes
-- sees both languages), and the word search (search) holds its words too.
-- tr_language is '' when the case has no translation.
ALTER TABLE pd_cases ADD COLUMN tr_language TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_cases ADD COLUMN tr_title TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_cases ADD COLUMN tr_claim TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_cases ADD COLUMN tr_summary TEXT NOT NULL DEFAULT '';
ALTER TABLE pd_cases ADD COLUMN tr_disproof TEXT NOT NULL DEFAULT '';

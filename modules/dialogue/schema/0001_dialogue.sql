-- A dialogue is one JSON document (parties, sessions, summary): the host's
-- node keeps the original, participating nodes keep the last signed copy.
-- rev counts every change (the document's and its contributions'), so a
-- node's copy is brought up to date by sending what changed after the rev
-- it was last sent; next_seq numbers contributions in the order the host
-- received them.
CREATE TABLE dlg_dialogues (
	id TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	title TEXT NOT NULL,
	rule TEXT NOT NULL,
	status TEXT NOT NULL,
	version INTEGER NOT NULL,
	doc TEXT NOT NULL,
	rev BIGINT NOT NULL DEFAULT 0,
	doc_rev BIGINT NOT NULL DEFAULT 0,
	next_seq BIGINT NOT NULL DEFAULT 0,
	digest_rev BIGINT NOT NULL DEFAULT 0,
	signed TEXT NOT NULL DEFAULT '',
	signed_by TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL
);

-- Who takes part in which role, for the lists filtered in SQL.
CREATE TABLE dlg_parties (
	dialogue_id TEXT NOT NULL REFERENCES dlg_dialogues (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	role TEXT NOT NULL,
	PRIMARY KEY (dialogue_id, addr, role)
);
CREATE INDEX dlg_parties_addr ON dlg_parties (addr);

-- Contributions. On the host's node author_* say who wrote it (for the
-- moderators); on the other nodes they are empty under the Chatham House
-- Rule, because the copies never carry them.
CREATE TABLE dlg_contributions (
	id TEXT PRIMARY KEY,
	dialogue_id TEXT NOT NULL REFERENCES dlg_dialogues (id) ON DELETE CASCADE,
	session_id TEXT NOT NULL DEFAULT '',
	parent_id TEXT NOT NULL DEFAULT '',
	seq BIGINT NOT NULL,
	body TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	closed BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	rev BIGINT NOT NULL,
	author_name TEXT NOT NULL DEFAULT '',
	author_org TEXT NOT NULL DEFAULT '',
	author_person TEXT NOT NULL DEFAULT '',
	act_id TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX dlg_contributions_seq ON dlg_contributions (dialogue_id, seq);
CREATE INDEX dlg_contributions_rev ON dlg_contributions (dialogue_id, rev);
CREATE INDEX dlg_contributions_parent ON dlg_contributions (dialogue_id, parent_id, seq);

-- What each participating node was last sent, by rev.
CREATE TABLE dlg_delivered (
	dialogue_id TEXT NOT NULL REFERENCES dlg_dialogues (id) ON DELETE CASCADE,
	host TEXT NOT NULL,
	addr TEXT NOT NULL,
	rev BIGINT NOT NULL,
	PRIMARY KEY (dialogue_id, host)
);

-- Contributions this node's people sent to a host on another node: the
-- author sees their own as theirs (and waiting until the host's copy
-- shows it); nobody else on this node is told who wrote what.
CREATE TABLE dlg_sent (
	act_id TEXT PRIMARY KEY,
	dialogue_id TEXT NOT NULL REFERENCES dlg_dialogues (id) ON DELETE CASCADE,
	person TEXT NOT NULL,
	session_id TEXT NOT NULL DEFAULT '',
	parent_id TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX dlg_sent_person ON dlg_sent (person, dialogue_id);

-- Acts received from other nodes, so a retried envelope applies once.
CREATE TABLE dlg_acts (
	dialogue_id TEXT NOT NULL,
	by_addr TEXT NOT NULL,
	act_id TEXT NOT NULL,
	received_at TIMESTAMP NOT NULL,
	PRIMARY KEY (dialogue_id, by_addr, act_id)
);

-- The rapporteur's draft of the summary, on the rapporteur's node only.
CREATE TABLE dlg_drafts (
	dialogue_id TEXT NOT NULL REFERENCES dlg_dialogues (id) ON DELETE CASCADE,
	org TEXT NOT NULL,
	text TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (dialogue_id, org)
);

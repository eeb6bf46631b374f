package directory

// A network's signed directory: published by the secretariat's node, received and checked by members' nodes.

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// snapshot is a version of a network's directory as its host signs it and
// sends it to the members' nodes.
type snapshot struct {
	// Network is the definition as a secretariat edits it (its Secretariat
	// here is the full handle@host address), with the host's identity and
	// version around it.
	Network struct {
		ID   string `json:"id"`
		Host string `json:"host"`
		NetworkInput
		Version   int       `json:"version"`
		ChangedAt time.Time `json:"changed_at"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"network"`
	Members []NetworkMember `json:"members"`
	Entries []Entry         `json:"entries"`
}

// publish makes a new version of a hosted network's directory: it signs it,
// records it in the ledger and sends it to every member node (and to the
// nodes of members just removed, extra).
func (s *Networks) publish(ctx context.Context, tx *store.Tx, id string, extra ...string) error {
	n, err := s.network(ctx, tx.Conn, id)
	if err != nil {
		return err
	}
	var snap snapshot
	sn := &snap.Network
	sn.ID, sn.Host, sn.NetworkInput = n.ID, n.Host, n.Input()
	sn.Secretariat = n.Secretariat
	sn.Version, sn.ChangedAt, sn.CreatedAt = n.Version+1, tx.Now, n.CreatedAt
	if err := tx.Select(ctx, &snap.Members, `SELECT network_id, addr, org_id, name_en, name_id, country, joined_at, 0 AS entries, NULL AS confirmed_at FROM poc_members WHERE network_id = ? ORDER BY addr`, id); err != nil {
		return core.Wrap("directory: publish", err)
	}
	if err := tx.Select(ctx, &snap.Entries, `SELECT `+entryColumns+` FROM poc_entries WHERE network_id = ? ORDER BY member_addr, category, deputy, id`, id); err != nil {
		return core.Wrap("directory: publish", err)
	}
	for i := range snap.Members {
		snap.Members[i].OrgID = "" // node-local
	}
	signed, err := s.fed.SignStatement("directory.network", snap)
	if err != nil {
		return err
	}
	fp := s.fed.Fingerprint()
	if _, err := tx.Exec(ctx, `UPDATE poc_networks SET version = ?, changed_at = ?, snapshot = ?, signed_by = ? WHERE id = ?`, sn.Version, tx.Now, string(signed), fp, id); err != nil {
		return core.Wrap("directory: publish", err)
	}
	if _, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindPublished, Ref: "network:" + id, Digest: ledger.Digest(signed)}); err != nil {
		return err
	}
	// One copy per member node is enough: it holds the whole directory. A
	// node that only had removed members gets the same version without
	// members or entries, so it drops its copy and learns nothing new.
	var empty []byte
	if len(extra) > 0 {
		bare := snap
		bare.Members, bare.Entries = nil, nil
		if empty, err = s.fed.SignStatement("directory.network", bare); err != nil {
			return err
		}
	}
	sent := map[string]bool{}
	current := map[string]bool{}
	for _, addr := range memberAddrs(snap.Members) {
		_, host, _ := federation.Address(addr)
		current[host] = true
	}
	from, _, _ := federation.Address(n.Secretariat)
	for _, addr := range append(memberAddrs(snap.Members), extra...) {
		_, host, _ := federation.Address(addr)
		if host == s.fed.Host() || sent[host] || !s.reachable(ctx, host) {
			continue // a suspended peer catches up once verified again
		}
		sent[host] = true
		doc := signed
		if !current[host] {
			doc = empty
		}
		if _, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeNetwork, From: from, To: addr, TLP: core.TLPAmber, Payload: networkPayload{Snapshot: string(doc)}}); err != nil {
			return err
		}
	}
	return nil
}

// reachable reports whether envelopes can go to a node: it is a verified
// peer. A suspended member must not stop a network for the others.
func (s *Networks) reachable(ctx context.Context, host string) bool {
	p, err := s.fed.PeerByHost(ctx, host)
	return err == nil && p.Status == federation.PeerVerified
}

func memberAddrs(ms []NetworkMember) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Addr
	}
	return out
}

// hostTag is the part of a network's id that names its host, so that an id
// cannot be claimed by another node.
func hostTag(host string) string {
	h := sha256.Sum256([]byte(host))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:5]))
}

// changed schedules a new version of a hosted network's directory. The
// changes of one second make one version: a secretariat accepting two
// hundred nominations sends each member node a few copies, not two hundred.
func (s *Networks) changed(ctx context.Context, tx *store.Tx, id string) error {
	slot := tx.Now.Truncate(time.Second).Add(time.Second)
	return s.jobs.Enqueue(ctx, tx, jobPublish, publishJob{NetworkID: id},
		jobs.Options{RunAt: slot.Add(time.Second), UniqueKey: "directory.publish:" + id + ":" + slot.Format(time.RFC3339)})
}

type publishJob struct {
	NetworkID string `json:"network_id"`
}

func (s *Networks) publishJob(ctx context.Context, b []byte) error {
	var j publishJob
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		err := s.publish(ctx, tx, j.NetworkID)
		if core.KindOf(err) == core.KindNotFound {
			return nil // the network is gone
		}
		return err
	})
}

type networkPayload struct {
	Snapshot string `json:"snapshot"`
}

// Snapshot returns the signed document of a network's current version, for
// its audience to keep or verify.
func (s *Networks) Snapshot(ctx context.Context, id string) ([]byte, error) {
	v, err := s.Network(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.CanSee {
		return nil, errOp("snapshot", core.KindForbidden, "err.forbidden")
	}
	var b string
	err = s.db.R().Get(ctx, &b, `SELECT snapshot FROM poc_networks WHERE id = ?`, id)
	return []byte(b), core.Wrap("directory: snapshot", err)
}

// receiveNetwork stores a version of a network sent by its host.
func (s *Networks) receiveNetwork(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p networkPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return malformed("network payload")
	}
	_, senderHost, _ := federation.Address(env.From)
	body, fp, err := s.fed.OpenStatement(ctx, "directory.network", []byte(p.Snapshot), senderHost)
	if err != nil {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	snap, err := decodeSnapshot(body)
	if err != nil {
		return err
	}
	sn := snap.Network
	// A node speaks only for the networks it hosts, and their ids carry
	// the host's tag: no peer can take another host's network id.
	if sn.Host != senderHost || sn.Secretariat != env.From || !strings.HasSuffix(sn.ID, "-"+hostTag(senderHost)) {
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("network not hosted by the sender")}
	}
	var cur struct {
		Host    string `db:"host"`
		Version int    `db:"version"`
	}
	err = tx.Get(ctx, &cur, `SELECT host, version FROM poc_networks WHERE id = ?`, sn.ID)
	switch {
	case err == nil && cur.Host != senderHost:
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("network id held by another host")}
	case err == nil && cur.Version >= sn.Version:
		return nil // an older or repeated version
	case err != nil && core.KindOf(err) != core.KindNotFound:
		return core.Wrap("directory: receive network", err)
	}
	local := 0
	for _, m := range snap.Members {
		if s.local(m.Addr) {
			local++
		}
	}
	if local == 0 {
		// No longer a member here: the copy goes.
		_, err := tx.Exec(ctx, `DELETE FROM poc_networks WHERE id = ?`, sn.ID)
		return core.Wrap("directory: receive network", err)
	}
	cats, _ := json.Marshal(sn.Categories)
	tpl, _ := json.Marshal(sn.Template)
	if _, err := tx.Exec(ctx, `INSERT INTO poc_networks (`+networkColumns+`, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name_en = excluded.name_en, name_id = excluded.name_id, description_en = excluded.description_en,
		description_id = excluded.description_id, member_kind = excluded.member_kind, categories = excluded.categories, visibility = excluded.visibility,
		ping_cadence_days = excluded.ping_cadence_days, ack_hours = excluded.ack_hours, template = excluded.template, transparency = excluded.transparency,
		version = excluded.version, changed_at = excluded.changed_at, signed_by = excluded.signed_by, snapshot = excluded.snapshot`,
		sn.ID, sn.Slug, sn.Host, sn.Secretariat, sn.NameEN, sn.NameID, sn.DescriptionEN, sn.DescriptionID, sn.MemberKind, string(cats), sn.Visibility,
		sn.PingCadenceDays, sn.AckHours, string(tpl), sn.Transparency, sn.Version, sn.ChangedAt.UTC(), fp, sn.CreatedAt.UTC(), p.Snapshot); err != nil {
		return core.Wrap("directory: receive network", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM poc_members WHERE network_id = ?`, sn.ID); err != nil {
		return core.Wrap("directory: receive network", err)
	}
	for _, m := range snap.Members {
		orgID := ""
		if s.local(m.Addr) {
			if o, err := s.orgByAddr(ctx, tx.Conn, m.Addr); err == nil {
				orgID = o.ID
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO poc_members (network_id, addr, org_id, name_en, name_id, country, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			sn.ID, trunc(m.Addr, 200), orgID, trunc(m.NameEN, 200), trunc(m.NameID, 200), trunc(m.Country, 2), m.JoinedAt.UTC()); err != nil {
			return core.Wrap("directory: receive network", err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM poc_entries WHERE network_id = ?`, sn.ID); err != nil {
		return core.Wrap("directory: receive network", err)
	}
	for _, e := range snap.Entries {
		e, ok := s.checkEntry(ctx, tx, sn.ID, e)
		if !ok {
			continue
		}
		if err := insertEntry(ctx, tx, sn.ID, e); err != nil {
			return err
		}
	}
	return nil
}

// checkEntry decides what this node believes of an entry the host sent. The
// host speaks for the network, not for its members: an entry of one of this
// node's organisations must be a nomination this node made (else it is
// dropped); an entry of another node's organisation is taken from that
// node's signed nomination when the signature checks out, and kept unsigned
// (shown as not verified) when this node cannot check it.
func (s *Networks) checkEntry(ctx context.Context, tx *store.Tx, networkID string, e Entry) (Entry, bool) {
	_, host, _ := federation.Address(e.Member)
	if host == s.fed.Host() {
		// A nomination this node made, not rejected, and not overtaken by
		// a later change or withdrawal of the same entry that was accepted
		// (the version may arrive before the decision does).
		var mine int
		if err := tx.Get(ctx, &mine, `SELECT COUNT(*) FROM poc_nominations n WHERE n.network_id = ? AND n.member_addr = ? AND n.statement = ? AND n.status <> 'rejected'
			AND NOT EXISTS (SELECT 1 FROM poc_nominations l WHERE l.network_id = n.network_id AND l.member_addr = n.member_addr AND l.entry_id = ? AND l.entry_id <> ''
				AND l.status = 'accepted' AND l.submitted_at > n.submitted_at)`, networkID, e.Member, e.Nomination, e.ID); err != nil || mine == 0 {
			return e, false
		}
		e.SignedBy = s.fed.Fingerprint()
		return e, s.fromStatement(&e, networkID, json.RawMessage(nil), true)
	}
	if !s.reachable(ctx, host) {
		// This node cannot check the member's node's signature: the entry
		// is shown, marked as not verified.
		e.SignedBy = ""
		return e, true
	}
	body, fp, err := s.fed.OpenStatement(ctx, "directory.nomination", []byte(e.Nomination), host)
	if err != nil {
		return e, false // a forged or altered nomination from a node we know
	}
	e.SignedBy = fp
	return e, s.fromStatement(&e, networkID, body, false)
}

// fromStatement fills an entry from the nomination that made it (body, or
// the entry's own statement when trusted), and checks they agree.
func (s *Networks) fromStatement(e *Entry, networkID string, body json.RawMessage, own bool) bool {
	if own {
		var sg struct {
			Body json.RawMessage `json:"body"`
		}
		if json.Unmarshal([]byte(e.Nomination), &sg) != nil {
			return false
		}
		body = sg.Body
	}
	var st Statement
	if json.Unmarshal(body, &st) != nil || st.Member != e.Member || st.Network != networkID || st.Contact == nil || len(st.Contact.Validate()) > 0 || st.Category != e.Category {
		return false
	}
	e.Category, e.Deputy, e.PersonRef, e.Contact = st.Category, st.Deputy, st.PersonRef, *st.Contact
	return true
}

// decodeSnapshot parses and checks a network's signed body as a peer sent
// it: the definition must be one this node would accept itself, every entry
// a valid contact of a listed member, and the sizes bounded.
func decodeSnapshot(body []byte) (snapshot, error) {
	var snap snapshot
	if err := json.Unmarshal(body, &snap); err != nil {
		return snap, malformed("network snapshot")
	}
	sn := snap.Network
	in := sn.NetworkInput
	in.Secretariat = "x" // an address here, checked by the caller
	if sn.ID == "" || len(sn.ID) > 40 || sn.Version < 1 || len(in.Validate()) > 0 || len(snap.Members) > 5000 || len(snap.Entries) > 50000 {
		return snap, malformed("network definition")
	}
	members := map[string]bool{}
	for _, m := range snap.Members {
		if _, _, ok := federation.Address(m.Addr); !ok || len(m.Addr) > 200 {
			return snap, malformed("network member")
		}
		members[m.Addr] = true
	}
	ids := map[string]bool{}
	for _, e := range snap.Entries {
		if len(e.Contact.Validate()) > 0 || !members[e.Member] || !slices.ContainsFunc(sn.Categories, func(c Category) bool { return c.Code == e.Category }) || e.ID == "" || len(e.ID) > 40 || ids[e.ID] ||
			len(e.Nomination) > 20000 || len(e.PersonRef) > 40 || len(e.SignedBy) > 100 {
			return snap, malformed("directory entry")
		}
		ids[e.ID] = true
	}
	return snap, nil
}

func insertEntry(ctx context.Context, tx *store.Tx, networkID string, e Entry) error {
	_, err := tx.Exec(ctx, `INSERT INTO poc_entries (`+entryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, networkID, e.Member, e.Category, e.Deputy, e.PersonRef, e.Name, e.Position, e.Institution, e.Email, e.Phone, e.SecureAddr, e.Languages, e.Hours,
		e.NominatedAt.UTC(), e.ConfirmedAt.UTC(), e.Nomination, e.SignedBy)
	return core.Wrap("directory: entry", err)
}

func malformed(what string) error {
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("malformed " + what)}
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// EntryFilter narrows a directory listing.
type EntryFilter struct {
	Q        string
	Category string
	Member   string
}

// Entries lists a network's directory for its audience. The audience check
// comes first; nobody else learns anything, not even how many entries match.
func (s *Networks) Entries(ctx context.Context, id string, f EntryFilter) ([]Entry, error) {
	es, _, err := s.entryPage(ctx, id, f, core.Page{Limit: 5000})
	return es, err
}

// EntryPage is Entries a page at a time, by member then entry; the cursor
// is the last member and entry seen, so pages neither repeat nor skip.
func (s *Networks) EntryPage(ctx context.Context, id string, f EntryFilter, page core.Page) ([]Entry, string, error) {
	return s.entryPage(ctx, id, f, page.Normalize(50, 200))
}

func (s *Networks) entryPage(ctx context.Context, id string, f EntryFilter, page core.Page) ([]Entry, string, error) {
	n, err := s.network(ctx, s.db.R(), id)
	if err != nil {
		return nil, "", err
	}
	aud, err := s.audience(ctx, n)
	if err != nil {
		return nil, "", err
	}
	if err := access.CheckAny(core.ActorFrom(ctx), directoryAction(n), aud); err != nil {
		return nil, "", err
	}
	where, args := []string{"network_id = ?"}, []any{id}
	if page.Cursor != "" {
		i := strings.LastIndex(page.Cursor, "|") // addresses may hold a |, ids never
		member, entry := page.Cursor[:max(i, 0)], page.Cursor[i+1:]
		where = append(where, "(member_addr > ? OR (member_addr = ? AND id > ?))")
		args = append(args, member, member, entry)
	}
	if f.Q != "" {
		l := store.Like(f.Q)
		where = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(institution) LIKE ? ESCAPE '\' OR LOWER(position) LIKE ? ESCAPE '\' OR LOWER(member_addr) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l)
	}
	if f.Category != "" {
		where = append(where, "category = ?")
		args = append(args, f.Category)
	}
	if f.Member != "" {
		where = append(where, "member_addr = ?")
		args = append(args, f.Member)
	}
	var out []Entry
	if err := s.db.R().Select(ctx, &out, `SELECT `+entryColumns+` FROM poc_entries WHERE `+strings.Join(where, " AND ")+` ORDER BY member_addr, id LIMIT ?`, append(args, page.Limit+1)...); err != nil {
		return nil, "", core.Wrap("directory: entries", err)
	}
	next := ""
	if len(out) > page.Limit {
		out = out[:page.Limit]
		next = out[len(out)-1].Member + "|" + out[len(out)-1].ID
	}
	return out, next, nil
}

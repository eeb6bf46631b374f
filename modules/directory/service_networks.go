package directory

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
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Envelope types of POC networks.
const (
	TypeNetwork       = "directory.network"    // a signed version of a network's directory, host → members
	TypeNomination    = "directory.nomination" // a signed nomination, member → secretariat
	TypeDecision      = "directory.decision"   // the secretariat accepted or rejected it
	TypePing          = "directory.ping"       // a communication check, host → member
	TypePingAck       = "directory.ping_ack"   // its acknowledgment, member → host
	TypeRequest       = "directory.request"    // a request between points of contact
	TypeRequestUpdate = "directory.request_update"
)

// Job kinds of POC networks.
const (
	jobPingDeadline = "directory.ping.deadline"
	jobPingRemind   = "directory.ping.remind"
	jobChecks       = "directory.network.checks"
	jobPublish      = "directory.network.publish"
)

// Networks is the use cases of points-of-contact networks: networks and
// their members, nominations, pings and requests. Like Service, every method
// takes the actor from ctx and asks internal/access.
type Networks struct {
	db      *store.DB
	fed     *federation.Service
	ledger  *ledger.Log
	jobs    *jobs.Queue
	people  notify.People
	tr      Translator
	baseURL func() string
}

// NewNetworks returns the service, registers it with federation for the
// directory's envelope types and registers its jobs.
func NewNetworks(db *store.DB, fed *federation.Service, l *ledger.Log, q *jobs.Queue, tr Translator, baseURL func() string) *Networks {
	s := &Networks{db: db, fed: fed, ledger: l, jobs: q, tr: tr, baseURL: baseURL,
		people: notify.People{Jobs: q, Tr: tr, BaseURL: baseURL}}
	fed.Handle("directory", s)
	q.Register(jobs.Kind{Name: jobPingDeadline, MaxAttempts: 8, Handle: s.pingDeadlineJob})
	q.Register(jobs.Kind{Name: jobPingRemind, MaxAttempts: 8, Handle: s.pingRemindJob})
	q.Register(jobs.Kind{Name: jobChecks, MaxAttempts: 2, Handle: func(ctx context.Context, _ []byte) error { return s.Checks(ctx) }})
	q.Register(jobs.Kind{Name: jobPublish, MaxAttempts: 8, Handle: s.publishJob})
	q.Every(jobChecks, time.Minute)
	return s
}

func (s *Networks) addr(handle string) string { return handle + "@" + s.fed.Host() }

func (s *Networks) local(addr string) bool {
	_, host, ok := federation.Address(addr)
	return ok && host == s.fed.Host()
}

// Hosted reports whether the network is kept on this node.
func (s *Networks) Hosted(n Network) bool { return n.Host == s.fed.Host() }

func errOp(op string, kind core.Kind, msg string) error {
	return &core.Error{Kind: kind, Op: "directory: " + op, Message: msg}
}

// network reads one network without an access check.
func (s *Networks) network(ctx context.Context, q store.Conn, id string) (Network, error) {
	var n Network
	if err := q.Get(ctx, &n, `SELECT `+networkColumns+` FROM poc_networks WHERE id = ?`, id); err != nil {
		return Network{}, core.Wrap("directory: network "+id, err)
	}
	return n, n.decode()
}

// audience is the local organisations whose people may see a network's
// directory: its members on this node and, on the host, the secretariat.
func (s *Networks) audience(ctx context.Context, n Network) ([]string, error) {
	var ids []string
	if err := s.db.R().Select(ctx, &ids, `SELECT org_id FROM poc_members WHERE network_id = ? AND org_id <> ''`, n.ID); err != nil {
		return nil, core.Wrap("directory: audience", err)
	}
	if s.Hosted(n) {
		if o, err := s.orgByAddr(ctx, s.db.R(), n.Secretariat); err == nil {
			ids = append(ids, o.ID)
		}
	}
	return ids, nil
}

func directoryAction(n Network) access.Action {
	if n.Visibility == "restricted" {
		return access.NetworkRestricted
	}
	return access.NetworkDirectory
}

// orgByAddr finds the local organisation behind a handle@host address.
func (s *Networks) orgByAddr(ctx context.Context, q store.Conn, addr string) (Organisation, error) {
	handle, host, ok := federation.Address(addr)
	if !ok || host != s.fed.Host() {
		return Organisation{}, errOp("organisation", core.KindNotFound, "err.org_unknown")
	}
	return orgByHandle(ctx, q, handle)
}

// secretariatOrg returns the local secretariat of a hosted network.
func (s *Networks) secretariatOrg(ctx context.Context, q store.Conn, n Network) (Organisation, error) {
	if !s.Hosted(n) {
		return Organisation{}, errOp("network", core.KindForbidden, "err.network_not_hosted")
	}
	return s.orgByAddr(ctx, q, n.Secretariat)
}

// checkManage lets the secretariat's admins run a hosted network.
func (s *Networks) checkManage(ctx context.Context, n Network) error {
	o, err := s.secretariatOrg(ctx, s.db.R(), n)
	if err != nil {
		return err
	}
	return access.Check(core.ActorFrom(ctx), access.NetworkManage, access.Resource{OrgID: o.ID})
}

// NetworkView is a network as one person may see it.
type NetworkView struct {
	Network
	Hosted      bool
	CanSee      bool // the directory itself
	CanManage   bool
	NominateFor []Organisation // the actor's organisations it may nominate for
	// NominateAddrs are their addresses in the network.
	NominateAddrs []string
	Members       []NetworkMember
}

// Network returns a network; its members are listed for everyone signed in,
// its directory only for its audience.
func (s *Networks) Network(ctx context.Context, id string) (NetworkView, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.NetworkRead, access.Resource{}); err != nil {
		return NetworkView{}, err
	}
	n, err := s.network(ctx, s.db.R(), id)
	if err != nil {
		return NetworkView{}, err
	}
	v := NetworkView{Network: n, Hosted: s.Hosted(n)}
	aud, err := s.audience(ctx, n)
	if err != nil {
		return v, err
	}
	v.CanSee = access.CheckAny(a, directoryAction(n), aud) == nil
	v.CanManage = s.checkManage(ctx, n) == nil
	if err := s.db.R().Select(ctx, &v.Members, `SELECT m.network_id, m.addr, m.org_id, m.name_en, m.name_id, m.country, m.joined_at,
		(SELECT COUNT(*) FROM poc_entries e WHERE e.network_id = m.network_id AND e.member_addr = m.addr) AS entries,
		(SELECT MAX(e.confirmed_at) FROM poc_entries e WHERE e.network_id = m.network_id AND e.member_addr = m.addr) AS confirmed_at
		FROM poc_members m WHERE m.network_id = ? ORDER BY m.name_en, m.addr`, n.ID); err != nil {
		return v, core.Wrap("directory: network members", err)
	}
	for _, m := range v.Members {
		if m.OrgID != "" && access.Check(a, access.Nominate, access.Resource{OrgID: m.OrgID}) == nil {
			if o, err := s.orgByAddr(ctx, s.db.R(), m.Addr); err == nil {
				v.NominateFor = append(v.NominateFor, o)
				v.NominateAddrs = append(v.NominateAddrs, m.Addr)
			}
		}
	}
	return v, nil
}

// NetworkSummary is a line of the list of networks.
type NetworkSummary struct {
	Network
	Members   int  `db:"members" json:"members"`
	Nominated int  `db:"nominated" json:"nominated"`
	Mine      bool `db:"-" json:"member"`
}

// ListNetworks lists the networks this node knows: those it hosts and those
// its organisations belong to.
func (s *Networks) ListNetworks(ctx context.Context) ([]NetworkSummary, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.NetworkRead, access.Resource{}); err != nil {
		return nil, err
	}
	var out []NetworkSummary
	if err := s.db.R().Select(ctx, &out, `SELECT `+prefixed("n.", networkColumns)+`,
		(SELECT COUNT(*) FROM poc_members m WHERE m.network_id = n.id) AS members,
		(SELECT COUNT(DISTINCT e.member_addr) FROM poc_entries e WHERE e.network_id = n.id) AS nominated
		FROM poc_networks n ORDER BY n.name_en, n.id`); err != nil {
		return nil, core.Wrap("directory: networks", err)
	}
	mine := map[string]bool{}
	var rows []struct {
		NetworkID string `db:"network_id"`
		OrgID     string `db:"org_id"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT network_id, org_id FROM poc_members WHERE org_id <> ''`); err != nil {
		return nil, core.Wrap("directory: networks", err)
	}
	orgs := access.Orgs(a, access.NetworkRead)
	for _, r := range rows {
		if slices.Contains(orgs, r.OrgID) {
			mine[r.NetworkID] = true
		}
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, err
		}
		if s.Hosted(out[i].Network) {
			if o, err := s.orgByAddr(ctx, s.db.R(), out[i].Secretariat); err == nil && slices.Contains(orgs, o.ID) {
				mine[out[i].ID] = true
			}
		}
		out[i].Mine = mine[out[i].ID]
	}
	return out, nil
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// CreateNetwork sets up a network hosted on this node, with a local
// organisation as its secretariat.
func (s *Networks) CreateNetwork(ctx context.Context, in NetworkInput) (Network, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.NetworkCreate, access.Resource{}); err != nil {
		return Network{}, err
	}
	in.Normalize()
	p := in.Validate()
	var sec Organisation
	if in.Secretariat != "" {
		var err error
		sec, err = orgByHandle(ctx, s.db.R(), in.Secretariat)
		if core.KindOf(err) == core.KindNotFound {
			p.Add("secretariat", "err.org_unknown")
		} else if err != nil {
			return Network{}, err
		}
	}
	if err := p.Err("directory: create network"); err != nil {
		return Network{}, err
	}
	if err := access.Check(a, access.NetworkCreate, access.Resource{OrgID: sec.ID}); err != nil {
		return Network{}, err
	}
	var n Network
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var taken int
		if err := tx.Get(ctx, &taken, `SELECT COUNT(*) FROM poc_networks WHERE host = ? AND slug = ?`, s.fed.Host(), in.Slug); err != nil {
			return core.Wrap("directory: create network", err)
		}
		if taken > 0 {
			return &core.Error{Kind: core.KindConflict, Op: "directory: create network", Message: "err.form", Fields: core.Problems{"slug": "err.slug_taken"}}
		}
		n = Network{ID: core.NewID(tx.Now) + "-" + hostTag(s.fed.Host()), Host: s.fed.Host(), Secretariat: s.addr(sec.Handle), CreatedAt: tx.Now}
		if err := s.saveNetwork(ctx, tx, &n, in, true); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "directory.network.create", "network", n.ID, sec.ID, n.Slug); err != nil {
			return err
		}
		return s.publish(ctx, tx, n.ID)
	})
	return n, err
}

// UpdateNetwork changes a hosted network's definition and rules.
func (s *Networks) UpdateNetwork(ctx context.Context, id string, in NetworkInput) (Network, error) {
	n, err := s.network(ctx, s.db.R(), id)
	if err != nil {
		return Network{}, err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return Network{}, err
	}
	in.Slug = n.Slug
	in.Secretariat = strings.SplitN(n.Secretariat, "@", 2)[0]
	in.Normalize()
	p := in.Validate()
	var used []string
	if err := s.db.R().Select(ctx, &used, `SELECT DISTINCT category FROM poc_entries WHERE network_id = ? UNION SELECT DISTINCT category FROM poc_nominations WHERE network_id = ? AND status = 'pending' AND category <> ''`, n.ID, n.ID); err != nil {
		return Network{}, core.Wrap("directory: update network", err)
	}
	for _, c := range used {
		// Members' nodes refuse a directory whose entries name a category
		// the network does not have: withdraw the entries first.
		if !slices.ContainsFunc(in.Categories, func(k Category) bool { return k.Code == c }) {
			p.Add("categories", "err.category_in_use")
		}
	}
	if err := p.Err("directory: update network"); err != nil {
		return Network{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := s.saveNetwork(ctx, tx, &n, in, false); err != nil {
			return err
		}
		sec, _ := s.secretariatOrg(ctx, tx.Conn, n)
		if err := audit.Record(ctx, tx, "directory.network.update", "network", n.ID, sec.ID, n.Slug); err != nil {
			return err
		}
		return s.publish(ctx, tx, n.ID)
	})
	return n, err
}

func (s *Networks) saveNetwork(ctx context.Context, tx *store.Tx, n *Network, in NetworkInput, insert bool) error {
	cats, _ := json.Marshal(in.Categories)
	tpl, _ := json.Marshal(in.Template)
	n.Slug, n.NameEN, n.NameID, n.DescriptionEN, n.DescriptionID = in.Slug, in.NameEN, in.NameID, in.DescriptionEN, in.DescriptionID
	n.MemberKind, n.CategoriesJSON, n.Visibility, n.PingCadenceDays, n.AckHours = in.MemberKind, string(cats), in.Visibility, in.PingCadenceDays, in.AckHours
	n.TemplateJSON, n.Transparency, n.Categories, n.Template, n.ChangedAt = string(tpl), in.Transparency, in.Categories, in.Template, tx.Now
	var err error
	if insert {
		_, err = tx.Exec(ctx, `INSERT INTO poc_networks (`+networkColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, n.Slug, n.Host, n.Secretariat, n.NameEN, n.NameID, n.DescriptionEN, n.DescriptionID, n.MemberKind, n.CategoriesJSON, n.Visibility,
			n.PingCadenceDays, n.AckHours, n.TemplateJSON, n.Transparency, 0, tx.Now, "", tx.Now)
	} else {
		_, err = tx.Exec(ctx, `UPDATE poc_networks SET name_en = ?, name_id = ?, description_en = ?, description_id = ?, member_kind = ?, categories = ?, visibility = ?,
			ping_cadence_days = ?, ack_hours = ?, template = ?, transparency = ? WHERE id = ?`,
			n.NameEN, n.NameID, n.DescriptionEN, n.DescriptionID, n.MemberKind, n.CategoriesJSON, n.Visibility, n.PingCadenceDays, n.AckHours, n.TemplateJSON, n.Transparency, n.ID)
	}
	return core.Wrap("directory: save network", err)
}

// AddMember adds a state or organisation, on this node or a peer, to a
// hosted network. addr is a handle (this node) or handle@host.
func (s *Networks) AddMember(ctx context.Context, id, addr string) error {
	n, err := s.network(ctx, s.db.R(), id)
	if err != nil {
		return err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return err
	}
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return core.Problems{"member": "err.required"}.Err("directory: add network member")
	}
	if !strings.Contains(addr, "@") {
		addr = s.addr(addr)
	}
	m := NetworkMember{NetworkID: n.ID, Addr: addr}
	if s.local(addr) {
		o, err := s.orgByAddr(ctx, s.db.R(), addr)
		if err != nil {
			return core.Problems{"member": "err.org_unknown"}.Err("directory: add network member")
		}
		m.OrgID, m.NameEN, m.NameID, m.Country = o.ID, o.NameEN, o.NameID, o.Country
		if n.MemberKind == "states" && !o.Kind.State() {
			return core.Problems{"member": "err.member_not_state"}.Err("directory: add network member")
		}
	} else {
		remote, err := s.fed.RemoteOrgs(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(remote, func(o federation.RemoteOrg) bool { return o.Address() == addr })
		if i < 0 {
			return core.Problems{"member": "err.org_unknown"}.Err("directory: add network member")
		}
		o := remote[i]
		if n.MemberKind == "states" && !core.OrgKind(o.Kind).State() {
			return core.Problems{"member": "err.member_not_state"}.Err("directory: add network member")
		}
		m.NameEN, m.NameID, m.Country = o.NameEN, o.NameID, o.Country
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `INSERT INTO poc_members (network_id, addr, org_id, name_en, name_id, country, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (network_id, addr) DO NOTHING`,
			m.NetworkID, m.Addr, m.OrgID, m.NameEN, m.NameID, m.Country, tx.Now)
		if err != nil {
			return core.Wrap("directory: add network member", err)
		}
		if n == 0 {
			return &core.Error{Kind: core.KindConflict, Op: "directory: add network member", Message: "err.form", Fields: core.Problems{"member": "err.member_exists"}}
		}
		if err := audit.Record(ctx, tx, "directory.network.member.add", "network", id, m.OrgID, m.Addr); err != nil {
			return err
		}
		return s.changed(ctx, tx, id)
	})
}

// RemoveMember takes a member out of a hosted network with its entries; its
// node receives a last version without it and drops its copy.
func (s *Networks) RemoveMember(ctx context.Context, id, addr string) error {
	n, err := s.network(ctx, s.db.R(), id)
	if err != nil {
		return err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		c, err := tx.Exec(ctx, `DELETE FROM poc_members WHERE network_id = ? AND addr = ?`, id, addr)
		if err != nil {
			return core.Wrap("directory: remove network member", err)
		}
		if c == 0 {
			return errOp("remove network member", core.KindNotFound, "err.not_found")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM poc_entries WHERE network_id = ? AND member_addr = ?`, id, addr); err != nil {
			return core.Wrap("directory: remove network member", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE poc_nominations SET status = 'rejected', decided_at = ?, decided_by = ?, reason = 'member removed' WHERE network_id = ? AND member_addr = ? AND status = 'pending'`,
			tx.Now, core.ActorFrom(ctx).Name, id, addr); err != nil {
			return core.Wrap("directory: remove network member", err)
		}
		if err := audit.Record(ctx, tx, "directory.network.member.remove", "network", id, "", addr); err != nil {
			return err
		}
		return s.publish(ctx, tx, id, addr)
	})
}

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

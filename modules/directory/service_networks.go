package directory

import (
	"context"
	"encoding/json"
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
	// RunByUs says the person's organisation is the network's secretariat
	// (Mine is true then too: the network is theirs to follow).
	RunByUs bool `db:"-" json:"secretariat"`
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
				out[i].RunByUs = true
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

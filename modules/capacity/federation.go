package capacity

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// The Clearing House across nodes. A need, offer or project made here
// travels, as a signed copy, to the nodes that may read it: every verified
// peer when it is public, the nodes of the organisations it is shared with
// otherwise, and (an offer) the nodes of the needs it was proposed for. A
// donor proposes its offer for a need on another node with a signed
// proposal to the need's node; the state answers there, and its signed
// decision travels back. Every step crosses as an envelope, in the ledgers
// of both nodes, and the statements are kept as received.

// Fed is what the module needs of federation.
type Fed interface {
	Host() string
	Send(ctx context.Context, tx *store.Tx, o federation.Outgoing) (string, error)
	SignStatement(context string, v any) ([]byte, error)
	OpenStatement(ctx context.Context, context string, b []byte, host string) (json.RawMessage, string, error)
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
	Handle(prefix string, h federation.Handler)
}

// Notifier e-mails a local organisation's people.
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// UseFederation lets needs, offers and projects travel to peers and
// registers the module's envelopes. Without it the Clearing House runs on
// this node alone.
func (s *Service) UseFederation(f Fed) {
	s.fed = f
	f.Handle("capacity", s)
}

// UseNotifier sets how people are told of proposals and decisions.
func (s *Service) UseNotifier(n Notifier) { s.notify = n }

// The envelopes of the Clearing House.
const (
	TypeNeed     = "capacity.need"
	TypeOffer    = "capacity.offer"
	TypeProject  = "capacity.project"
	TypeProposal = "capacity.proposal"
	TypeDecision = "capacity.decision"
)

// The kinds of record that travel as copies.
const (
	kindNeed    = "need"
	kindOffer   = "offer"
	kindProject = "project"
)

var copyType = map[string]string{kindNeed: TypeNeed, kindOffer: TypeOffer, kindProject: TypeProject}

// statement is an envelope's payload: a signed statement, kept as received.
type statement struct {
	Statement string `json:"statement"`
}

// recordCopy is a node's copy of one of its records for a peer. Withdrawn
// says the peer may no longer show it (only the id then travels). Rev
// orders copies: a late one never replaces a newer one.
type recordCopy struct {
	Need      *Need    `json:"need,omitempty"`
	Offer     *Offer   `json:"offer,omitempty"`
	Project   *Project `json:"project,omitempty"`
	ID        string   `json:"id"`
	Rev       int64    `json:"rev"`
	Withdrawn bool     `json:"withdrawn,omitempty"`
}

// proposalMsg is a donor's proposal of its offer for a need on the
// need's node. The offer travels with it: the need's state reads what it
// is asked to accept.
type proposalMsg struct {
	ID       string `json:"id"`
	Need     string `json:"need"`
	Offer    Offer  `json:"offer"`
	Note     string `json:"note"`
	Proposer string `json:"proposer"`
}

// decisionMsg is the need's state's answer to a proposal from a peer.
type decisionMsg struct {
	Proposal string `json:"proposal"`
	Need     string `json:"need"`
	Status   string `json:"status"` // accepted or declined
	Reason   string `json:"reason,omitempty"`
	Project  string `json:"project,omitempty"`
}

// The reasons a proposal is declined without a person deciding it.
const (
	ReasonMatched = "matched" // another offer was accepted
	ReasonClosed  = "closed"  // the need was closed or is no longer open
)

// audience is where a record's copies go: host → the address they are
// sent to. A public record goes to every verified peer (to one of its
// organisations: the copy is for the node); a shared one to the nodes of
// the addresses it is shared with; extra adds addresses that must see it
// whatever its visibility (the need an offer was proposed for).
func (s *Service) audience(ctx context.Context, vis string, shared, extra []string) (map[string]string, error) {
	out := map[string]string{}
	add := func(addr string) {
		if _, h, ok := federation.Address(addr); ok && h != s.fed.Host() {
			if _, seen := out[h]; !seen {
				out[h] = addr
			}
		}
	}
	if vis == Public {
		orgs, err := s.fed.RemoteOrgs(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			add(o.Address())
		}
	}
	if vis == Shared {
		for _, a := range shared {
			add(a)
		}
	}
	for _, a := range extra {
		add(a)
	}
	return out, nil
}

// onHost keeps the addresses on host: a copy names only the organisations
// of the node it goes to, never whom else the record is shared with.
func onHost(addrs []string, host string) []string {
	out := []string{}
	for _, a := range addrs {
		if _, h, ok := federation.Address(a); ok && h == host {
			out = append(out, a)
		}
	}
	return out
}

// publish sends the record's copy, as it is now in tx, to every node that
// may read it, and a withdrawal to every node that held one and no longer
// may. A node that may not read it but took part in its Clearing House (a
// donor that proposed for the need, the state an offer was proposed to)
// gets a copy for those organisations only, without the need's
// description. A peer that is not verified now is owed what it missed:
// cap_copies keeps what each peer was last sent, and Sync sends the rest.
// Records made before ids carried their node's tag stay here: no peer
// would believe them.
func (s *Service) publish(ctx context.Context, tx *store.Tx, kind, id string) error {
	if s.fed == nil || !federation.TaggedBy(id, s.fed.Host()) {
		return nil
	}
	table := map[string]string{kindNeed: "cap_needs", kindOffer: "cap_offers", kindProject: "cap_projects"}[kind]
	if _, err := tx.Exec(ctx, `UPDATE `+table+` SET rev = rev + 1 WHERE id = ? AND origin = ''`, id); err != nil {
		return core.Wrap("capacity: publish", err)
	}
	var rev int64
	if err := tx.Get(ctx, &rev, `SELECT rev FROM `+table+` WHERE id = ?`, id); err != nil {
		return core.Wrap("capacity: publish", err)
	}
	var (
		vis, owner    string
		shared, extra []string
		c             = recordCopy{ID: id, Rev: rev}
		// shape is the copy for host; party says whether host takes part
		// only through extra.
		shape func(host string, party bool) recordCopy
	)
	switch kind {
	case kindNeed:
		var r needRow
		if err := tx.Get(ctx, &r, `SELECT `+needCols+` FROM cap_needs n WHERE n.id = ?`, id); err != nil {
			return core.Wrap("capacity: publish", err)
		}
		n, err := r.need()
		if err != nil {
			return err
		}
		vis, shared, owner = n.Visibility, n.SharedWith, n.Owner
		// The donors whose proposal waits or was taken hear what becomes
		// of the need.
		if err := tx.Select(ctx, &extra, `SELECT proposer FROM cap_proposals WHERE need_id = ? AND origin <> '' AND status IN ('proposed', 'accepted') ORDER BY proposer`, id); err != nil {
			return core.Wrap("capacity: publish", err)
		}
		shape = func(host string, party bool) recordCopy {
			x, y := c, n
			y.SharedWith, y.OrgID = onHost(n.SharedWith, host), ""
			if party {
				y.Visibility, y.SharedWith, y.Description = Shared, onHost(extra, host), ""
			}
			x.Need = &y
			return x
		}
	case kindOffer:
		var r offerRow
		if err := tx.Get(ctx, &r, `SELECT `+offerCols+` FROM cap_offers o WHERE o.id = ?`, id); err != nil {
			return core.Wrap("capacity: publish", err)
		}
		o, err := r.offer()
		if err != nil {
			return err
		}
		vis, shared, owner = o.Visibility, o.SharedWith, o.Owner
		if err := tx.Select(ctx, &extra, `SELECT n.owner FROM cap_proposals p JOIN cap_needs n ON n.id = p.need_id
			WHERE p.offer_id = ? AND n.origin <> '' AND p.status IN ('proposed', 'accepted') ORDER BY n.owner`, id); err != nil {
			return core.Wrap("capacity: publish", err)
		}
		// The state an offer was proposed to keeps reading it, whoever
		// else it is shared with.
		shape = func(host string, party bool) recordCopy {
			x, y := c, o
			y.SharedWith, y.OrgID = onHost(append(slices.Clone(o.SharedWith), extra...), host), ""
			if party {
				y.Visibility = Shared
			}
			x.Offer = &y
			return x
		}
	case kindProject:
		var r row
		if err := tx.Get(ctx, &r, `SELECT `+projectCols+` FROM cap_projects p WHERE p.id = ?`, id); err != nil {
			return core.Wrap("capacity: publish", err)
		}
		p, err := r.project()
		if err != nil {
			return err
		}
		vis, shared, owner = p.Visibility, p.SharedWith, p.Owner
		shape = func(host string, _ bool) recordCopy {
			x, y := c, p
			y.SharedWith, y.OrgID = onHost(p.SharedWith, host), ""
			x.Project = &y
			return x
		}
	}
	readers, err := s.audience(ctx, vis, shared, nil)
	if err != nil {
		return err
	}
	parties, err := s.audience(ctx, "", nil, extra)
	if err != nil {
		return err
	}
	aud := map[string]string{}
	for h, a := range parties {
		aud[h] = a
	}
	for h, a := range readers {
		aud[h] = a
	}
	from, _, _ := federation.Address(owner)
	var held []struct {
		Host string `db:"host"`
		Addr string `db:"addr"`
	}
	if err := tx.Select(ctx, &held, `SELECT host, addr FROM cap_copies WHERE kind = ? AND record_id = ?`, kind, id); err != nil {
		return core.Wrap("capacity: publish", err)
	}
	hosts := make([]string, 0, len(aud))
	for h := range aud {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		_, reader := readers[h]
		sent, err := s.sendSigned(ctx, tx, copyType[kind], from, aud[h], shape(h, !reader))
		if err != nil {
			return err
		}
		if sent {
			if _, err := tx.Exec(ctx, `INSERT INTO cap_copies (kind, record_id, host, addr, rev) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (kind, record_id, host) DO UPDATE SET addr = excluded.addr, rev = excluded.rev`, kind, id, h, aud[h], rev); err != nil {
				return core.Wrap("capacity: publish", err)
			}
		}
	}
	for _, x := range held {
		if slices.Contains(hosts, x.Host) {
			continue
		}
		sent, err := s.sendSigned(ctx, tx, copyType[kind], from, x.Addr, recordCopy{ID: id, Rev: rev, Withdrawn: true})
		if err != nil {
			return err
		}
		// A withdrawal that could not go now stays owed: the row stays,
		// and Sync sends it once the peer is verified again.
		if sent {
			if _, err := tx.Exec(ctx, `DELETE FROM cap_copies WHERE kind = ? AND record_id = ? AND host = ?`, kind, id, x.Host); err != nil {
				return core.Wrap("capacity: publish", err)
			}
		}
	}
	return nil
}

// sendSigned signs v as a statement of the envelope's type and sends it
// from the local organisation from to the address to. It reports false,
// and no error, when to's node is not a verified peer now.
func (s *Service) sendSigned(ctx context.Context, tx *store.Tx, typ, from, to string, v any) (bool, error) {
	signed, err := s.fed.SignStatement(typ, v)
	if err != nil {
		return false, err
	}
	_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: typ, From: from, To: to, TLP: core.TLPAmber, Payload: statement{Statement: string(signed)}})
	if errors.Is(err, federation.ErrPeerNotVerified) {
		return false, nil
	}
	return err == nil, err
}

// signedStatement signs v for an envelope of type typ and returns the
// statement as it will travel (kept beside the record it proves).
func (s *Service) signedStatement(typ string, v any) (string, error) {
	b, err := s.fed.SignStatement(typ, v)
	return string(b), err
}

// sendStatement sends a statement already signed.
func (s *Service) sendStatement(ctx context.Context, tx *store.Tx, typ, from, to, signed string) error {
	_, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: typ, From: from, To: to, TLP: core.TLPAmber, Payload: statement{Statement: signed}})
	return err
}

package norms

import (
	"context"
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
	"entente.example/entente/internal/store"
)

// Envelope types of the norms: a published version's signed copy, and the
// signed withdrawal of one.
const (
	TypeReport     = "norms.report"
	TypeWithdrawal = "norms.withdrawal"
)

// statementPayload carries a statement signed by the publishing node, kept
// by the receiver byte for byte.
type statementPayload struct {
	Statement string `json:"statement"`
}

// Withdrawal is what a state's node signs when its focal point withdraws a
// published version.
type Withdrawal struct {
	Report       string    `json:"report"`
	Series       string    `json:"series"`
	Organisation string    `json:"organisation"` // handle@host
	Version      int       `json:"version"`
	WithdrawnBy  string    `json:"withdrawn_by"`
	At           time.Time `json:"at"`
}

// distribute sends a signed statement about r to the nodes that may see r:
// a public report to every verified peer, a network's to its members'
// nodes; a report for people signed in here stays here. One envelope per
// node; the outbox and both ledgers record it. A withdrawal also goes to
// every node the version was sent to.
func (s *Service) distribute(ctx context.Context, tx *store.Tx, r Report, typ string, signed []byte) error {
	to, err := s.recipients(ctx, tx, r)
	if err != nil {
		return err
	}
	if typ == TypeWithdrawal {
		var sent []string
		if err := tx.Select(ctx, &sent, `SELECT addr FROM norm_deliveries WHERE report_id = ? ORDER BY host`, r.ID); err != nil {
			return core.Wrap("norms: distribute", err)
		}
		to = append(sent, to...)
	}
	return s.send(ctx, tx, r, typ, to, signed)
}

// send puts a statement about r in an envelope to each address, one per
// node, and remembers which nodes a publication went to.
func (s *Service) send(ctx context.Context, tx *store.Tx, r Report, typ string, to []string, signed []byte) error {
	tlp := core.TLPClear
	if r.Audience != "public" {
		tlp = core.TLPGreen // a network's community
	}
	done := map[string]bool{}
	for _, addr := range to {
		_, host, _ := federation.Address(addr)
		if done[host] {
			continue
		}
		done[host] = true
		env, err := s.sign.Send(ctx, tx, federation.Outgoing{Type: typ, From: r.OrgHandle, To: addr, TLP: tlp, Payload: statementPayload{Statement: string(signed)}})
		if err != nil {
			// A peer not verified (yet, or any more) is skipped; CatchUp
			// sends it the publication once it is. Anything else (a report
			// too large for an envelope) fails the publication, visibly.
			if errors.Is(err, federation.ErrPeerNotVerified) {
				continue
			}
			return err
		}
		if typ == TypeReport {
			if _, err := tx.Exec(ctx, `INSERT INTO norm_deliveries (report_id, host, addr, envelope_id, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (report_id, host) DO NOTHING`,
				r.ID, host, addr, env, tx.Now); err != nil {
				return core.Wrap("norms: distribute", err)
			}
		}
	}
	return nil
}

// jobCatchUp sends current publications to the nodes that should hold them
// and do not: peers verified, or networks joined, after publication.
const jobCatchUp = "norms.catchup"

// Schedule registers the catch-up of publications with the job queue.
func (s *Service) Schedule(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: jobCatchUp, Handle: func(ctx context.Context, _ []byte) error { return s.CatchUp(ctx) }})
	q.Every(jobCatchUp, 5*time.Minute)
}

// CatchUp sends every current publication of this node to the nodes that
// may see it and were never sent it.
func (s *Service) CatchUp(ctx context.Context) error {
	var current []Report
	if err := s.db.R().Select(ctx, &current, `SELECT `+reportColumns+` FROM norm_reports r JOIN organisations o ON o.id = r.org_id
		WHERE r.status = 'published' AND r.audience <> 'signed-in' ORDER BY r.published_at`); err != nil {
		return core.Wrap("norms: catch up", err)
	}
	for _, r := range current {
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			to, err := s.recipients(ctx, tx, r)
			if err != nil {
				return err
			}
			var sent []string
			if err := tx.Select(ctx, &sent, `SELECT host FROM norm_deliveries WHERE report_id = ?`, r.ID); err != nil {
				return core.Wrap("norms: catch up", err)
			}
			to = slices.DeleteFunc(to, func(addr string) bool {
				_, host, _ := federation.Address(addr)
				return slices.Contains(sent, host)
			})
			if len(to) == 0 {
				return nil
			}
			return s.send(ctx, tx, r, TypeReport, to, []byte(r.Statement))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recipients is one address per node that is to receive r. An envelope
// goes to an organisation; for a public report that is one of the peer's
// organisations as its directory last said, a state's first.
func (s *Service) recipients(ctx context.Context, tx *store.Tx, r Report) ([]string, error) {
	byHost := map[string]string{}
	var hosts []string
	add := func(addr string) {
		_, host, ok := federation.Address(addr)
		if !ok || host == s.sign.Host() {
			return
		}
		if _, seen := byHost[host]; !seen {
			hosts = append(hosts, host)
			byHost[host] = addr
		}
	}
	switch {
	case r.Audience == "public":
		orgs, err := s.sign.RemoteOrgs(ctx)
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(orgs, func(a, b federation.RemoteOrg) int {
			return boolInt(!core.OrgKind(a.Kind).State()) - boolInt(!core.OrgKind(b.Kind).State())
		})
		for _, o := range orgs {
			add(o.Address())
		}
	case r.Network() != "":
		var addrs []string
		if err := tx.Select(ctx, &addrs, `SELECT addr FROM poc_members WHERE network_id = ? ORDER BY addr`, r.Network()); err != nil {
			return nil, core.Wrap("norms: recipients", err)
		}
		for _, a := range addrs {
			add(a)
		}
	}
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, byHost[h])
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// networks lists the points-of-contact networks whose members include one
// of the actor's organisations on this node (as the directory keeps them).
func (s *Service) networks(ctx context.Context, a core.Actor) ([]string, error) {
	orgs := access.Orgs(a, access.ReportRead)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	var out []string
	err := s.db.R().Select(ctx, &out, `SELECT DISTINCT network_id FROM poc_members WHERE org_id IN (`+marks(len(orgs))+`)`, args...)
	return out, core.Wrap("norms: networks", err)
}

// sees decides one report for the actor: canRead, or a published version
// for a network the actor's organisation is a member of.
func (s *Service) sees(ctx context.Context, a core.Actor, r Report) bool {
	if canRead(a, r) {
		return true
	}
	n := r.Network()
	if n == "" || r.Status != StatusPublished && r.Status != StatusSuperseded {
		return false
	}
	nets, err := s.networks(ctx, a)
	return err == nil && slices.Contains(nets, n)
}

// NewVersion starts the next version of a report: a draft in the same
// series that begins with what the last version said. A series has one
// version in progress at a time.
func (s *Service) NewVersion(ctx context.Context, id string) (Report, error) {
	a := core.ActorFrom(ctx)
	r, err := s.Report(ctx, id)
	if err != nil {
		return r, err
	}
	if r.Received() {
		return Report{}, errOp("new version", core.KindForbidden, "err.report_received")
	}
	if err := access.Check(a, access.ReportEdit, access.Resource{OrgID: r.OrgID}); err != nil {
		return Report{}, err
	}
	var next string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var last Report
		if err := tx.Get(ctx, &last, `SELECT `+reportColumns+` FROM norm_reports r JOIN organisations o ON o.id = r.org_id WHERE r.series_id = ? ORDER BY r.version DESC LIMIT 1`, r.SeriesID); err != nil {
			return core.Wrap("norms: new version", err)
		}
		if last.Status == StatusDraft || last.Status == StatusInReview || last.Status == StatusApproved {
			return errOp("new version", core.KindConflict, "err.report_open")
		}
		next = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO norm_reports (id, series_id, org_id, country, title, version, status, audience, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`,
			next, last.SeriesID, last.OrgID, last.Country, last.Title, last.Version+1, last.Audience, a.Name, tx.Now, tx.Now); err != nil {
			return core.Wrap("norms: new version", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO norm_answers (report_id, part, norm, measures, challenges, gaps, links, updated_at, updated_by)
			SELECT ?, part, norm, measures, challenges, gaps, links, updated_at, updated_by FROM norm_answers WHERE report_id = ?`, next, last.ID); err != nil {
			return core.Wrap("norms: new version", err)
		}
		return audit.Record(ctx, tx, "norms.report.version", "report", next, last.OrgID, last.Title)
	})
	if err != nil {
		return Report{}, err
	}
	return s.report(ctx, s.db.R(), next)
}

// Versions lists the versions of a report's series the actor may see,
// newest first: every published one stays reachable.
func (s *Service) Versions(ctx context.Context, id string) ([]Report, error) {
	a := core.ActorFrom(ctx)
	r, err := s.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	var all []Report
	if r.Received() {
		err = s.db.R().Select(ctx, &all, `SELECT `+copyColumns+` FROM norm_copies r WHERE r.host = ? AND r.series_id = ? ORDER BY r.version DESC`, r.Host, r.SeriesID)
	} else {
		err = s.db.R().Select(ctx, &all, `SELECT `+reportColumns+` FROM norm_reports r JOIN organisations o ON o.id = r.org_id WHERE r.series_id = ? ORDER BY r.version DESC`, r.SeriesID)
	}
	if err != nil {
		return nil, core.Wrap("norms: versions", err)
	}
	return slices.DeleteFunc(all, func(v Report) bool { return !s.sees(ctx, a, v) }), nil
}

// Withdraw withdraws the published version of a report (its focal point):
// it is no longer shown as the state's report, here or on the peers that
// hold a copy, which get the node's signed withdrawal. Both ledgers record
// it.
func (s *Service) Withdraw(ctx context.Context, id string) (Report, error) {
	a := core.ActorFrom(ctx)
	r, err := s.Report(ctx, id)
	if err != nil {
		return r, err
	}
	if r.Received() {
		return Report{}, errOp("withdraw", core.KindForbidden, "err.report_received")
	}
	if err := access.Check(a, access.ReportPublish, access.Resource{OrgID: r.OrgID}); err != nil {
		return Report{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE norm_reports SET status = 'withdrawn', withdrawn_by = ?, withdrawn_at = ?, updated_at = ? WHERE id = ? AND status = 'published'`, a.Name, tx.Now, tx.Now, id)
		if err != nil {
			return core.Wrap("norms: withdraw", err)
		}
		if n == 0 {
			return errOp("withdraw", core.KindConflict, "err.report_step")
		}
		w := Withdrawal{Report: r.ID, Series: r.SeriesID, Organisation: r.OrgHandle + "@" + s.sign.Host(), Version: r.Version, WithdrawnBy: a.Name, At: tx.Now}
		signed, err := s.sign.SignStatement(TypeWithdrawal, w)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE norm_reports SET withdrawal = ? WHERE id = ?`, string(signed), id); err != nil {
			return core.Wrap("norms: withdraw", err)
		}
		if _, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindPublished, Ref: "report:" + r.ID + ":withdrawn", Digest: ledger.Digest(signed)}); err != nil {
			return err
		}
		if err := s.distribute(ctx, tx, r, TypeWithdrawal, signed); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "norms.report.withdraw", "report", id, r.OrgID, StatusWithdrawn)
	})
	if err != nil {
		return Report{}, err
	}
	return s.Report(ctx, id)
}

// trimTitle keeps a peer's words to the lengths this node accepts.
func trimTitle(t string) string {
	t = strings.TrimSpace(t)
	if r := []rune(t); len(r) > 200 {
		return string(r[:200])
	}
	return t
}

// AudienceNetworkChoice is a network a report can be published to: one
// the organisation starting it is a member of.
type AudienceNetworkChoice struct {
	ID     string `db:"id"`
	NameEN string `db:"name_en"`
	NameID string `db:"name_id"`
	Org    string `db:"org_handle"` // the member organisation
}

// Name returns the network's name in lang.
func (c AudienceNetworkChoice) Name(lang string) string { return pick(lang, c.NameEN, c.NameID) }

// AudienceNetworks lists the networks the actor's organisations may
// publish a report to.
func (s *Service) AudienceNetworks(ctx context.Context) ([]AudienceNetworkChoice, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.ReportEdit)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	var out []AudienceNetworkChoice
	err := s.db.R().Select(ctx, &out, `SELECT n.id, n.name_en, n.name_id, o.handle AS org_handle FROM poc_networks n JOIN poc_members m ON m.network_id = n.id
		JOIN organisations o ON o.id = m.org_id WHERE m.org_id IN (`+marks(len(orgs))+`) ORDER BY n.name_en, o.handle`, args...)
	return out, core.Wrap("norms: audience networks", err)
}

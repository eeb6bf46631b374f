package directory

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Attention implements web.AttentionSource: what waits on the person in the
// directory and the POC networks — communication checks to acknowledge,
// requests to answer, nominations to decide, the secretariat's checks still
// running, invitations not yet accepted.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	var out []web.Attention
	pings, err := m.nets.PingsToAck(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range pings {
		due := p.Deadline
		out = append(out, web.Attention{Key: "attn.ping", Args: []any{p.Name(a.Lang)}, Link: "/pocs", Due: &due})
	}
	reqs, err := m.nets.RequestsToAnswer(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		due := r.RespondBy
		key := "attn.request_due"
		if due.Before(m.nets.db.Clock().Now()) {
			key = "attn.request_overdue"
		}
		out = append(out, web.Attention{Key: key, Args: []any{r.Subject, r.From}, Link: "/requests/" + r.ID, Due: &due})
	}
	noms, err := m.nets.NominationsToDecide(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range noms {
		out = append(out, web.Attention{Key: "attn.nominations", Args: []any{n.Name(a.Lang), n.Count}, Link: "/networks/" + n.ID + "#pending"})
	}
	checks, err := m.nets.ChecksRunning(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range checks {
		due := c.Deadline
		out = append(out, web.Attention{Key: "attn.check_running", Args: []any{c.Name(a.Lang), c.Acknowledged, c.Targets}, Link: "/pings/" + c.ID, Due: &due})
	}
	n, err := m.svc.PendingInvites(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		out = append(out, web.Attention{Key: "attn.pending_invites", Args: []any{n}, Link: "/people"})
	}
	return out, nil
}

// Name is the received ping's network name in lang.
func (r Received) Name(lang string) string {
	if lang == "id" && r.NetworkNameID != "" {
		return r.NetworkNameID
	}
	if r.Network != "" {
		return r.Network
	}
	return r.NetworkID // a network this node has no copy of
}

// PingsToAck lists the running communication checks the actor may
// acknowledge and has not: those addressed to an entry naming them, or a
// deputy.
func (s *Networks) PingsToAck(ctx context.Context) ([]Received, error) {
	rs, err := s.MyPings(ctx)
	if core.KindOf(err) == core.KindForbidden {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// A check whose deadline passed has been counted, and a late
	// confirmation is refused: it no longer waits on anyone.
	now := s.db.Clock().Now()
	var out []Received
	for _, r := range rs {
		if r.CanAck && r.AckedAt == nil && r.Deadline.After(now) {
			out = append(out, r.Received)
		}
	}
	return out, nil
}

// RequestsToAnswer lists the requests that reached the actor's
// organisations, are not answered yet, and that the actor may act on (the
// admins and officers), the soonest due first.
func (s *Networks) RequestsToAnswer(ctx context.Context) ([]Request, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.PocRequestAct)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := []any{}
	for _, o := range orgs {
		args = append(args, o)
	}
	var out []Request
	err := s.db.R().Select(ctx, &out, `SELECT `+requestColumns+` FROM poc_requests WHERE direction = 'in' AND state IN ('sent', 'delivered', 'acknowledged', 'in_progress')
		AND org_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",")+`) ORDER BY respond_by, id LIMIT 50`, args...)
	return out, core.Wrap("directory: requests to answer", err)
}

// PendingNominations counts the nominations waiting in one network.
type PendingNominations struct {
	ID     string `db:"id"`
	NameEN string `db:"name_en"`
	NameID string `db:"name_id"`
	Count  int    `db:"n"`
}

// Name is the network's name in lang.
func (p PendingNominations) Name(lang string) string {
	if lang == "id" && p.NameID != "" {
		return p.NameID
	}
	return p.NameEN
}

// NominationsToDecide counts, per network this node hosts, the nominations
// waiting for a secretariat the actor administers.
func (s *Networks) NominationsToDecide(ctx context.Context) ([]PendingNominations, error) {
	secs := s.secretariatsOf(core.ActorFrom(ctx))
	if len(secs) == 0 {
		return nil, nil
	}
	args := append([]any{s.fed.Host()}, secs...)
	var out []PendingNominations
	err := s.db.R().Select(ctx, &out, `SELECT n.id, n.name_en, n.name_id, COUNT(*) AS n FROM poc_nominations o JOIN poc_networks n ON n.id = o.network_id
		WHERE o.status = 'pending' AND n.host = ? AND n.secretariat IN (`+strings.TrimSuffix(strings.Repeat("?,", len(secs)), ",")+`)
		GROUP BY n.id, n.name_en, n.name_id ORDER BY n.name_en`, args...)
	return out, core.Wrap("directory: nominations to decide", err)
}

package capacity

import (
	"context"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// PostNeed records a need of the actor's organisation org (its handle).
func (s *Service) PostNeed(ctx context.Context, org string, n Need) (Need, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return Need{}, err
	}
	n.Status, n.Origin, n.ProjectID = NeedOpen, "", ""
	pr := n.Validate()
	o, ok := writerOrg(a, org)
	if !ok {
		pr.Add("org", "err.org_unknown")
	}
	if err := pr.Err("capacity: post need"); err != nil {
		return n, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		n.ID, n.OrgID, n.Owner, n.CreatedAt, n.UpdatedAt = federation.NewHostedID(tx.Now, s.node.Host()), o.ID, o.Handle+"@"+s.node.Host(), tx.Now, tx.Now
		if err := saveNeed(ctx, tx, n, true); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindNeed, n.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.need.post", "cap_need", n.ID, o.ID, n.Title)
	})
	return n, err
}

// PostOffer records an offer of the actor's organisation org.
func (s *Service) PostOffer(ctx context.Context, org string, o Offer) (Offer, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return Offer{}, err
	}
	o.Origin = ""
	pr := o.Validate()
	or, ok := writerOrg(a, org)
	if !ok {
		pr.Add("org", "err.org_unknown")
	}
	if err := pr.Err("capacity: post offer"); err != nil {
		return o, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		o.ID, o.OrgID, o.Owner, o.CreatedAt, o.UpdatedAt = federation.NewHostedID(tx.Now, s.node.Host()), or.ID, or.Handle+"@"+s.node.Host(), tx.Now, tx.Now
		if err := saveOffer(ctx, tx, o, true); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindOffer, o.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.offer.post", "cap_offer", o.ID, or.ID, o.Title)
	})
	return o, err
}

func (s *Service) needFilter(ctx context.Context) (string, []any) {
	ids, addrs := access.CapacityReaders(core.ActorFrom(ctx), s.node.Host())
	return access.CapacityFilterOn("n", "cap_need_shares", "need_id", ids, addrs)
}

func (s *Service) offerFilter(ctx context.Context) (string, []any) {
	ids, addrs := access.CapacityReaders(core.ActorFrom(ctx), s.node.Host())
	return access.CapacityFilterOn("o", "cap_offer_shares", "offer_id", ids, addrs)
}

// GetNeed returns a need the actor may see; any other is not found.
func (s *Service) GetNeed(ctx context.Context, id string) (Need, error) {
	return s.getNeed(ctx, s.db.R(), id)
}

func (s *Service) getNeed(ctx context.Context, c store.Conn, id string) (Need, error) {
	fs, args := s.needFilter(ctx)
	var r needRow
	if err := c.Get(ctx, &r, `SELECT `+needCols+` FROM cap_needs n WHERE n.id = ? AND (`+fs+`)`, append([]any{id}, args...)...); err != nil {
		return Need{}, core.Wrap("capacity: get need", err)
	}
	return r.need()
}

// GetOffer returns an offer the actor may see; any other is not found.
func (s *Service) GetOffer(ctx context.Context, id string) (Offer, error) {
	return s.getOffer(ctx, s.db.R(), id)
}

func (s *Service) getOffer(ctx context.Context, c store.Conn, id string) (Offer, error) {
	fs, args := s.offerFilter(ctx)
	var r offerRow
	if err := c.Get(ctx, &r, `SELECT `+offerCols+` FROM cap_offers o WHERE o.id = ? AND (`+fs+`)`, append([]any{id}, args...)...); err != nil {
		return Offer{}, core.Wrap("capacity: get offer", err)
	}
	return r.offer()
}

// ListNeeds returns the needs the actor may see, newest first; theme and
// country narrow it (values outside the vocabulary match nothing).
func (s *Service) ListNeeds(ctx context.Context, theme, country string) ([]Need, error) {
	return s.ListNeedsPage(ctx, theme, country, "", 0)
}

// limit is a list's LIMIT: n, or 500 when n is not between 1 and 500.
func limit(n int) string {
	if n < 1 || n > 500 {
		n = 500
	}
	return strconv.Itoa(n)
}

// ListNeedsPage is ListNeeds a page at a time: the needs after the id
// before (newest first), at most n.
func (s *Service) ListNeedsPage(ctx context.Context, theme, country, before string, n int) ([]Need, error) {
	fs, args := s.needFilter(ctx)
	where := []string{"(" + fs + ")"}
	if theme != "" {
		if _, ok := Themes.Theme(theme); !ok {
			return []Need{}, nil
		}
		where, args = append(where, `n.themes LIKE ?`), append(args, `%"`+theme+`"%`)
	}
	if country != "" {
		where, args = append(where, `n.country = ?`), append(args, strings.ToUpper(country))
	}
	if before != "" {
		where, args = append(where, `n.id < ?`), append(args, before)
	}
	var rows []needRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+needCols+` FROM cap_needs n WHERE `+strings.Join(where, " AND ")+` ORDER BY n.id DESC LIMIT `+limit(n), args...); err != nil {
		return nil, core.Wrap("capacity: list needs", err)
	}
	out := make([]Need, 0, len(rows))
	for _, r := range rows {
		n, err := r.need()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// ListOffers returns the offers the actor may see, newest first.
func (s *Service) ListOffers(ctx context.Context) ([]Offer, error) {
	fs, args := s.offerFilter(ctx)
	var rows []offerRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+offerCols+` FROM cap_offers o WHERE `+fs+` ORDER BY o.id DESC LIMIT 5000`, args...); err != nil {
		return nil, core.Wrap("capacity: list offers", err)
	}
	out := make([]Offer, 0, len(rows))
	for _, r := range rows {
		o, err := r.offer()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Suggestions ranks the offers the actor may see against a need it may
// see, with the past work of the projects it may see.
func (s *Service) Suggestions(ctx context.Context, n Need, limit int) ([]Suggestion, error) {
	offers, err := s.ListOffers(ctx)
	if err != nil {
		return nil, err
	}
	projects, err := s.List(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	return NewMatcher(offers, PastWork(projects)).Match(n, limit), nil
}

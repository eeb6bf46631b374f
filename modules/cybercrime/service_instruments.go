package cybercrime

import (
	"context"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Instruments are the legal instruments as this node has them: the shipped
// facts (instruments.json) with the node administrator's changes and
// confirmations laid over them. Reading them is for anyone signed in (they
// are facts about states); changing them is for node administrators.
type Instruments struct {
	db      *store.DB
	shipped []Instrument
}

var _ Legal = (*Instruments)(nil)

// NewInstruments returns the instruments; it panics if the shipped file is
// bad, which stops the node at start-up.
func NewInstruments(db *store.DB) *Instruments {
	return &Instruments{db: db, shipped: MustShipped()}
}

type changeRow struct {
	Instrument string    `db:"instrument_id"`
	Key        string    `db:"k"` // the kind, the country or the reservation's id
	Allowed    bool      `db:"allowed"`
	Article    string    `db:"article"`
	Signed     string    `db:"signed"`
	Ratified   string    `db:"ratified"`
	Bound      string    `db:"bound"`
	Source     string    `db:"source"`
	Note       string    `db:"note"`
	ByName     string    `db:"by_name"`
	At         time.Time `db:"at"`
}

// List returns the effective instruments: shipped, then the node's own, each
// with the node's changes applied.
func (s *Instruments) List(ctx context.Context) ([]Instrument, error) {
	return s.list(ctx, s.db.R())
}

func (s *Instruments) list(ctx context.Context, q store.Conn) ([]Instrument, error) {
	out := make([]Instrument, 0, len(s.shipped)+2)
	for _, in := range s.shipped {
		in.Kinds, in.Parties, in.Reservations = slices.Clone(in.Kinds), slices.Clone(in.Parties), slices.Clone(in.Reservations)
		out = append(out, in)
	}
	var local []struct {
		ID      string    `db:"id"`
		NameEN  string    `db:"name_en"`
		NameID  string    `db:"name_id"`
		Short   string    `db:"short"`
		Source  string    `db:"source"`
		Network string    `db:"network"`
		ByName  string    `db:"by_name"`
		At      time.Time `db:"at"`
	}
	if err := q.Select(ctx, &local, `SELECT id, name_en, name_id, short, source, network, by_name, at FROM cyb_instruments ORDER BY at, id`); err != nil {
		return nil, core.Wrap("cybercrime: instruments", err)
	}
	for _, l := range local {
		f := Fact{Source: l.Source, Verified: true, ConfirmedBy: l.ByName, ConfirmedAt: l.At}
		out = append(out, Instrument{ID: l.ID, NameEN: l.NameEN, NameID: l.NameID, Short: l.Short, Source: l.Source, Network: l.Network, Local: true, Status: Status{Fact: f}})
	}
	idx := map[string]int{}
	for i := range out {
		idx[out[i].ID] = i
	}
	// The node's rows are facts someone on this node entered with a source:
	// verified by them, and said so.
	fact := func(r changeRow) Fact {
		return Fact{Source: r.Source, Note: r.Note, Verified: true, ConfirmedBy: r.ByName, ConfirmedAt: r.At}
	}
	var rows []changeRow
	if err := q.Select(ctx, &rows, `SELECT instrument_id, '' AS k, in_force AS allowed, since AS bound, source, note, by_name, at FROM cyb_instrument_status`); err != nil {
		return nil, core.Wrap("cybercrime: instrument status", err)
	}
	for _, r := range rows {
		if i, ok := idx[r.Instrument]; ok {
			since, _ := ParseDate(r.Bound)
			out[i].Status = Status{InForce: r.Allowed, Since: since, Fact: fact(r)}
		}
	}
	rows = nil
	if err := q.Select(ctx, &rows, `SELECT instrument_id, kind AS k, allowed, article, source, note, by_name, at FROM cyb_instrument_kinds ORDER BY at`); err != nil {
		return nil, core.Wrap("cybercrime: instrument kinds", err)
	}
	for _, r := range rows {
		i, ok := idx[r.Instrument]
		if !ok {
			continue
		}
		rule := KindRule{Kind: Kind(r.Key), Article: r.Article, Removed: !r.Allowed, Fact: fact(r)}
		if j := slices.IndexFunc(out[i].Kinds, func(k KindRule) bool { return k.Kind == rule.Kind }); j >= 0 {
			// The treaty's own refusal grounds stay with the kind.
			rule.Grounds, rule.GroundsAdd = out[i].Kinds[j].Grounds, out[i].Kinds[j].GroundsAdd
			out[i].Kinds[j] = rule
		} else {
			out[i].Kinds = append(out[i].Kinds, rule)
		}
	}
	rows = nil
	if err := q.Select(ctx, &rows, `SELECT instrument_id, country AS k, signed, ratified, bound, source, note, by_name, at FROM cyb_instrument_parties ORDER BY at`); err != nil {
		return nil, core.Wrap("cybercrime: instrument parties", err)
	}
	for _, r := range rows {
		i, ok := idx[r.Instrument]
		if !ok {
			continue
		}
		p := Party{Country: r.Key, Fact: fact(r)}
		p.Signed, _ = ParseDate(r.Signed)
		p.Ratified, _ = ParseDate(r.Ratified)
		p.Bound, _ = ParseDate(r.Bound)
		if j := slices.IndexFunc(out[i].Parties, func(x Party) bool { return x.Country == p.Country }); j >= 0 {
			out[i].Parties[j] = p
		} else {
			out[i].Parties = append(out[i].Parties, p)
		}
	}
	var res []struct {
		ID         string    `db:"id"`
		Instrument string    `db:"instrument_id"`
		Country    string    `db:"country"`
		Kinds      string    `db:"kinds"`
		Effect     string    `db:"effect"`
		Body       string    `db:"body"`
		From       string    `db:"valid_from"`
		Until      string    `db:"valid_until"`
		Source     string    `db:"source"`
		ByName     string    `db:"by_name"`
		At         time.Time `db:"at"`
	}
	if err := q.Select(ctx, &res, `SELECT id, instrument_id, country, kinds, effect, body, valid_from, valid_until, source, by_name, at FROM cyb_instrument_reservations ORDER BY at, id`); err != nil {
		return nil, core.Wrap("cybercrime: instrument reservations", err)
	}
	for _, r := range res {
		i, ok := idx[r.Instrument]
		if !ok {
			continue
		}
		rv := Reservation{ID: r.ID, Country: r.Country, Effect: r.Effect, Text: r.Body, Fact: Fact{Source: r.Source, Verified: true, ConfirmedBy: r.ByName, ConfirmedAt: r.At}}
		for _, k := range strings.Fields(r.Kinds) {
			rv.Kinds = append(rv.Kinds, Kind(k))
		}
		rv.From, _ = ParseDate(r.From)
		rv.Until, _ = ParseDate(r.Until)
		out[i].Reservations = append(out[i].Reservations, rv)
	}
	for i := range out {
		out[i].keyFacts()
	}
	return out, s.confirmations(ctx, q, out)
}

// confirmations marks the shipped facts the administrator confirmed.
func (s *Instruments) confirmations(ctx context.Context, q store.Conn, ins []Instrument) error {
	var rows []struct {
		Fact   string    `db:"fact"`
		Note   string    `db:"note"`
		ByName string    `db:"by_name"`
		At     time.Time `db:"at"`
	}
	if err := q.Select(ctx, &rows, `SELECT fact, note, by_name, at FROM cyb_fact_confirmations`); err != nil {
		return core.Wrap("cybercrime: fact confirmations", err)
	}
	byKey := map[string]int{}
	for i, r := range rows {
		byKey[r.Fact] = i
	}
	confirm := func(f *Fact) {
		if i, ok := byKey[f.Key]; ok && !f.Verified {
			f.Verified, f.ConfirmedBy, f.ConfirmedAt = true, rows[i].ByName, rows[i].At
			if rows[i].Note != "" {
				f.Note = rows[i].Note
			}
		}
	}
	for i := range ins {
		in := &ins[i]
		confirm(&in.Status.Fact)
		for j := range in.Kinds {
			confirm(&in.Kinds[j].Fact)
		}
		for j := range in.Parties {
			confirm(&in.Parties[j].Fact)
		}
		for j := range in.Reservations {
			confirm(&in.Reservations[j].Fact)
		}
	}
	return nil
}

// Get returns one effective instrument.
func (s *Instruments) Get(ctx context.Context, id string) (Instrument, error) {
	ins, err := s.List(ctx)
	if err != nil {
		return Instrument{}, err
	}
	for _, in := range ins {
		if in.ID == id {
			return in, nil
		}
	}
	return Instrument{}, errOp("instrument", core.KindNotFound, "err.not_found")
}

// Bases is the legal-basis check on the effective instruments (see Bases);
// it returns the instruments too, for naming the alternatives.
func (s *Instruments) Bases(ctx context.Context, from, to string, k Kind, on time.Time) ([]BasisOption, []Instrument, error) {
	ins, err := s.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	return Bases(ins, from, to, k, on), ins, nil
}

// Allowed implements Legal: whether basis carries a request of kind k
// between the two states on the day; when not, a message key without
// arguments for the form's basis field (the pages say the full reason).
func (s *Instruments) Allowed(ctx context.Context, from, to string, k Kind, basis string, on time.Time) (string, bool) {
	opts, _, err := s.Bases(ctx, from, to, k, on)
	if err != nil {
		return "err.unavailable", false
	}
	o, ok := Allowed(opts, basis)
	switch {
	case ok:
		return "", true
	case o.Reason == nil:
		return "cyb.basis_err.unknown", false
	}
	return "cyb.basis_err." + strings.TrimPrefix(o.Reason.Key, "cyb.reason."), false
}

// Grounds implements Legal: the refusal grounds the basis's article permits
// for the kind. Legal gives it no context; the read is one short query.
func (s *Instruments) Grounds(k Kind, basis string) []string {
	in, err := s.Get(context.Background(), basis)
	if err != nil {
		return slices.Clone(Specs[k].Grounds)
	}
	return Grounds(k, in)
}

// TreatyInput is a bilateral treaty the node adds: its two parties are bound
// from Since, and it carries Kinds under Article.
type TreatyInput struct {
	ID, NameEN, NameID, Short, Source string
	PartyA, PartyB, Since, Article    string
	Kinds                             []Kind
}

// StatusInput says whether an instrument is in force, and since when.
type StatusInput struct {
	InForce             bool
	Since, Source, Note string
}

// KindInput allows (or stops allowing) a kind under an instrument.
type KindInput struct {
	Kind                  Kind
	Allowed               bool
	Article, Source, Note string
}

// PartyInput adds or changes a state's place in an instrument.
type PartyInput struct {
	Country, Signed, Ratified, Bound, Source, Note string
}

// ReservationInput adds a reservation or declaration.
type ReservationInput struct {
	Country, Effect, Text, From, Until, Source string
	Kinds                                      []Kind
}

// edit runs an administrator's change: the access check, the instrument
// must exist (unless it is being added), then fn and its audit entry in
// one transaction.
func (s *Instruments) edit(ctx context.Context, op, id string, fn func(tx *store.Tx, a core.Actor) (detail string, err error)) error {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CybercrimeInstruments, access.Resource{}); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if op != "add" {
			ins, err := s.list(ctx, tx.Conn)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(ins, func(in Instrument) bool { return in.ID == id }) {
				return errOp(op, core.KindNotFound, "err.not_found")
			}
		}
		detail, err := fn(tx, a)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, "cybercrime.instrument."+op, "instrument", id, "", detail)
	})
}

func checkDay(p core.Problems, field, v string) {
	if _, err := ParseDate(v); err != nil {
		p.Add(field, "err.date")
	}
}

func checkFree(p core.Problems, field, v string, max int) {
	switch {
	case core.CheckText(v) != "":
		p.Add(field, core.CheckText(v))
	case len(v) > max:
		p.Add(field, "err.too_long")
	}
}

func checkURL(p core.Problems, field, v string) {
	if v == "" {
		p.Add(field, "err.required")
	} else if checkSource(v) != nil || core.CheckText(v) != "" || len(v) > 2000 {
		p.Add(field, "err.url")
	}
}

func checkCountry(p core.Problems, field, v string) {
	if v == "" {
		p.Add(field, "err.required")
	} else if !ValidCountry(v) {
		p.Add(field, "err.country")
	}
}

func normCountry(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// AddTreaty adds a bilateral treaty between two states.
func (s *Instruments) AddTreaty(ctx context.Context, in TreatyInput) (Instrument, error) {
	in.ID, in.NameEN, in.NameID, in.Short = strings.TrimSpace(in.ID), strings.TrimSpace(in.NameEN), strings.TrimSpace(in.NameID), strings.TrimSpace(in.Short)
	in.Source, in.Since, in.Article = strings.TrimSpace(in.Source), strings.TrimSpace(in.Since), strings.TrimSpace(in.Article)
	in.PartyA, in.PartyB = normCountry(in.PartyA), normCountry(in.PartyB)
	p := core.Problems{}
	if !validID(in.ID) {
		p.Add("id", "err.slug")
	}
	if in.NameEN == "" {
		p.Add("name_en", "err.required")
	}
	for f, v := range map[string]string{"name_en": in.NameEN, "name_id": in.NameID, "short": in.Short, "article": in.Article} {
		checkFree(p, f, v, 300)
	}
	checkURL(p, "source", in.Source)
	checkCountry(p, "party_a", in.PartyA)
	checkCountry(p, "party_b", in.PartyB)
	if in.PartyA != "" && in.PartyA == in.PartyB {
		p.Add("party_b", "cyb.err.same_state")
	}
	if in.Since == "" {
		p.Add("since", "err.required")
	}
	checkDay(p, "since", in.Since)
	if len(in.Kinds) == 0 {
		p.Add("kinds", "err.required")
	}
	for _, k := range in.Kinds {
		if !k.Valid() {
			p.Add("kinds", "err.choice")
		}
	}
	if err := p.Err("cybercrime: add treaty"); err != nil {
		return Instrument{}, err
	}
	err := s.edit(ctx, "add", in.ID, func(tx *store.Tx, a core.Actor) (string, error) {
		if slices.ContainsFunc(s.shipped, func(x Instrument) bool { return x.ID == in.ID }) {
			return "", &core.Error{Kind: core.KindConflict, Op: "cybercrime: add treaty", Message: "err.form", Fields: core.Problems{"id": "cyb.err.instrument_taken"}}
		}
		_, err := tx.Exec(ctx, `INSERT INTO cyb_instruments (id, name_en, name_id, short, source, network, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, 'none', ?, ?, ?)`,
			in.ID, in.NameEN, in.NameID, in.Short, in.Source, a.UserID, a.Name, tx.Now)
		if core.KindOf(err) == core.KindConflict {
			return "", &core.Error{Kind: core.KindConflict, Op: "cybercrime: add treaty", Message: "err.form", Fields: core.Problems{"id": "cyb.err.instrument_taken"}}
		}
		if err != nil {
			return "", core.Wrap("cybercrime: add treaty", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cyb_instrument_status (instrument_id, in_force, since, source, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			in.ID, true, in.Since, in.Source, a.UserID, a.Name, tx.Now); err != nil {
			return "", core.Wrap("cybercrime: add treaty", err)
		}
		for _, c := range []string{in.PartyA, in.PartyB} {
			if _, err := tx.Exec(ctx, `INSERT INTO cyb_instrument_parties (instrument_id, country, bound, source, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				in.ID, c, in.Since, in.Source, a.UserID, a.Name, tx.Now); err != nil {
				return "", core.Wrap("cybercrime: add treaty", err)
			}
		}
		for _, k := range in.Kinds {
			if _, err := tx.Exec(ctx, `INSERT INTO cyb_instrument_kinds (instrument_id, kind, allowed, article, source, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				in.ID, string(k), true, in.Article, in.Source, a.UserID, a.Name, tx.Now); err != nil {
				return "", core.Wrap("cybercrime: add treaty", err)
			}
		}
		return in.ID + " " + in.PartyA + "-" + in.PartyB, nil
	})
	if err != nil {
		return Instrument{}, err
	}
	return s.Get(ctx, in.ID)
}

// SetStatus records whether an instrument is in force (the UN Convention
// on the day of its 40th ratification plus 90, say).
func (s *Instruments) SetStatus(ctx context.Context, id string, in StatusInput) error {
	in.Since, in.Source, in.Note = strings.TrimSpace(in.Since), strings.TrimSpace(in.Source), strings.TrimSpace(in.Note)
	p := core.Problems{}
	checkDay(p, "since", in.Since)
	checkURL(p, "source", in.Source)
	checkFree(p, "note", in.Note, 2000)
	if err := p.Err("cybercrime: instrument status"); err != nil {
		return err
	}
	return s.edit(ctx, "status", id, func(tx *store.Tx, a core.Actor) (string, error) {
		if _, err := tx.Exec(ctx, `DELETE FROM cyb_instrument_status WHERE instrument_id = ?`, id); err != nil {
			return "", core.Wrap("cybercrime: instrument status", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO cyb_instrument_status (instrument_id, in_force, since, source, note, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, in.InForce, in.Since, in.Source, in.Note, a.UserID, a.Name, tx.Now)
		if in.InForce {
			return "in force " + in.Since, core.Wrap("cybercrime: instrument status", err)
		}
		return "not in force", core.Wrap("cybercrime: instrument status", err)
	})
}

// SetKind allows a kind under an instrument, or stops allowing it.
func (s *Instruments) SetKind(ctx context.Context, id string, in KindInput) error {
	in.Article, in.Source, in.Note = strings.TrimSpace(in.Article), strings.TrimSpace(in.Source), strings.TrimSpace(in.Note)
	p := core.Problems{}
	if !in.Kind.Valid() {
		p.Add("kind", "err.choice")
	}
	if in.Allowed && in.Article == "" {
		p.Add("article", "err.required")
	}
	checkFree(p, "article", in.Article, 300)
	checkFree(p, "note", in.Note, 2000)
	checkURL(p, "source", in.Source)
	if err := p.Err("cybercrime: instrument kind"); err != nil {
		return err
	}
	return s.edit(ctx, "kind", id, func(tx *store.Tx, a core.Actor) (string, error) {
		if _, err := tx.Exec(ctx, `DELETE FROM cyb_instrument_kinds WHERE instrument_id = ? AND kind = ?`, id, string(in.Kind)); err != nil {
			return "", core.Wrap("cybercrime: instrument kind", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO cyb_instrument_kinds (instrument_id, kind, allowed, article, source, note, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, string(in.Kind), in.Allowed, in.Article, in.Source, in.Note, a.UserID, a.Name, tx.Now)
		return string(in.Kind) + " " + in.Article, core.Wrap("cybercrime: instrument kind", err)
	})
}

// SetParty adds a state to an instrument or changes its dates.
func (s *Instruments) SetParty(ctx context.Context, id string, in PartyInput) error {
	in.Country = normCountry(in.Country)
	in.Signed, in.Ratified, in.Bound = strings.TrimSpace(in.Signed), strings.TrimSpace(in.Ratified), strings.TrimSpace(in.Bound)
	in.Source, in.Note = strings.TrimSpace(in.Source), strings.TrimSpace(in.Note)
	p := core.Problems{}
	checkCountry(p, "country", in.Country)
	checkDay(p, "signed", in.Signed)
	checkDay(p, "ratified", in.Ratified)
	checkDay(p, "bound", in.Bound)
	checkURL(p, "source", in.Source)
	checkFree(p, "note", in.Note, 2000)
	if err := p.Err("cybercrime: instrument party"); err != nil {
		return err
	}
	return s.edit(ctx, "party", id, func(tx *store.Tx, a core.Actor) (string, error) {
		if _, err := tx.Exec(ctx, `DELETE FROM cyb_instrument_parties WHERE instrument_id = ? AND country = ?`, id, in.Country); err != nil {
			return "", core.Wrap("cybercrime: instrument party", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO cyb_instrument_parties (instrument_id, country, signed, ratified, bound, source, note, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, in.Country, in.Signed, in.Ratified, in.Bound, in.Source, in.Note, a.UserID, a.Name, tx.Now)
		return in.Country + " bound " + in.Bound, core.Wrap("cybercrime: instrument party", err)
	})
}

// AddReservation adds a state's reservation or declaration to an instrument.
func (s *Instruments) AddReservation(ctx context.Context, id string, in ReservationInput) error {
	in.Country, in.Effect = normCountry(in.Country), strings.TrimSpace(in.Effect)
	in.Text, in.From, in.Until, in.Source = strings.TrimSpace(in.Text), strings.TrimSpace(in.From), strings.TrimSpace(in.Until), strings.TrimSpace(in.Source)
	p := core.Problems{}
	checkCountry(p, "country", in.Country)
	if in.Effect != EffectRemoves && in.Effect != EffectRestricts {
		p.Add("effect", "err.choice")
	}
	if len(in.Kinds) == 0 {
		p.Add("kinds", "err.required")
	}
	for _, k := range in.Kinds {
		if !k.Valid() {
			p.Add("kinds", "err.choice")
		}
	}
	if in.Text == "" {
		p.Add("text", "err.required")
	}
	checkFree(p, "text", in.Text, 2000)
	checkDay(p, "from", in.From)
	checkDay(p, "until", in.Until)
	checkURL(p, "source", in.Source)
	if err := p.Err("cybercrime: reservation"); err != nil {
		return err
	}
	return s.edit(ctx, "reservation", id, func(tx *store.Tx, a core.Actor) (string, error) {
		kinds := make([]string, len(in.Kinds))
		for i, k := range in.Kinds {
			kinds[i] = string(k)
		}
		rid := strings.ToLower(in.Country) + "-" + core.NewID(tx.Now)
		_, err := tx.Exec(ctx, `INSERT INTO cyb_instrument_reservations (id, instrument_id, country, kinds, effect, body, valid_from, valid_until, source, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rid, id, in.Country, strings.Join(kinds, " "), in.Effect, in.Text, in.From, in.Until, in.Source, a.UserID, a.Name, tx.Now)
		return in.Country + " " + in.Effect + " " + strings.Join(kinds, " "), core.Wrap("cybercrime: reservation", err)
	})
}

// Confirm records that the administrator checked an unverified shipped fact
// at its source. Confirming a verified fact, or one that does not exist, is
// refused: a confirmation must be about something that needed one.
func (s *Instruments) Confirm(ctx context.Context, fact, note string) error {
	note = strings.TrimSpace(note)
	p := core.Problems{}
	checkFree(p, "note", note, 2000)
	if err := p.Err("cybercrime: confirm"); err != nil {
		return err
	}
	parts := strings.SplitN(fact, ":", 3)
	if len(parts) < 2 {
		return errOp("confirm", core.KindNotFound, "err.not_found")
	}
	return s.edit(ctx, "confirm", parts[1], func(tx *store.Tx, a core.Actor) (string, error) {
		ins, err := s.list(ctx, tx.Conn)
		if err != nil {
			return "", err
		}
		var found *Fact
		for _, in := range ins {
			for _, f := range in.Unverified() {
				if f.Key == fact {
					found = &f
				}
			}
		}
		if found == nil {
			return "", errOp("confirm", core.KindConflict, "cyb.err.nothing_to_confirm")
		}
		_, err = tx.Exec(ctx, `INSERT INTO cyb_fact_confirmations (fact, note, by_id, by_name, at) VALUES (?, ?, ?, ?, ?)`, fact, note, a.UserID, a.Name, tx.Now)
		return fact, core.Wrap("cybercrime: confirm", err)
	})
}

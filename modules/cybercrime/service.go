package cybercrime

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("cybercrime", schemaFS) }

// Fed is what the module needs of federation.
type Fed interface {
	Host() string
	Send(ctx context.Context, tx *store.Tx, o federation.Outgoing) (string, error)
	Deliveries(ctx context.Context, ids []string) (map[string]federation.Delivery, error)
	CheckReceipt(ctx context.Context, raw, envelopeID, host string) federation.ReceiptCheck
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
	Handle(prefix string, h federation.Handler)
}

// Notifier e-mails an organisation's people who hold some roles.
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// workers are the roles a request is for, on either side.
var workers = []core.Role{core.RoleAdmin, core.RoleAuthority, core.RoleInvestigator}

// approvers are the roles that approve a draft for sending.
var approvers = []core.Role{core.RoleAdmin, core.RoleAuthority}

// Options tune the service.
type Options struct {
	// Retention is how long a closed request's content is kept before only
	// the ledger's hashes remain; default two years.
	Retention time.Duration
	// Tr words the kinds and states in e-mails in each reader's language;
	// without it the e-mails carry the codes.
	Tr notify.Translator
}

// Service is the use cases of cybercrime cooperation.
type Service struct {
	db     *store.DB
	fed    Fed
	notify Notifier
	legal  Legal
	opt    Options
	dir    Directory
	ev     *EvidenceOptions // evidence files (evidence.go); nil: none
	// purgeHooks delete what else a request holds when its retention ends.
	purgeHooks []func(ctx context.Context, tx *store.Tx, requestID string) error
}

// NewService returns the service and registers it for the module's
// envelopes.
func NewService(db *store.DB, f Fed, n Notifier, legal Legal, opt Options) *Service {
	if opt.Retention == 0 {
		opt.Retention = 2 * 365 * day
	}
	s := &Service{db: db, fed: f, notify: n, legal: legal, opt: opt}
	f.Handle("cybercrime", s)
	return s
}

// args builds an e-mail's arguments: plain values as given, and for each
// "name=cyb.key" the key's text in both languages, so the reader's
// language picks its own.
func (s *Service) args(plain map[string]string, worded map[string]string) notify.Args {
	out := notify.Args{}
	for k, v := range plain {
		out[k] = v
	}
	for name, key := range worded {
		out[name] = key
		if s.opt.Tr != nil {
			out[name] = s.opt.Tr.T("en", key)
			out[name+"@id"] = s.opt.Tr.T("id", key)
		}
	}
	return out
}

func errOp(op string, kind core.Kind, msg string) error {
	return &core.Error{Kind: kind, Op: "cybercrime: " + op, Message: msg}
}

func (s *Service) local(addr string) bool {
	_, host, ok := federation.Address(addr)
	return ok && host == s.fed.Host()
}

// org is an organisation a request may be from or to.
type org struct {
	ID      string `db:"id"`
	Handle  string `db:"handle"`
	Kind    string `db:"kind"`
	Country string `db:"country"`
	NameEN  string `db:"name_en"`
}

func (s *Service) localOrg(ctx context.Context, q store.Conn, handle string) (org, error) {
	var o org
	err := q.Get(ctx, &o, `SELECT id, handle, kind, country, name_en FROM organisations WHERE handle = ?`, handle)
	return o, err
}

// counterpart finds the organisation at addr: on this node, or on a
// verified peer as its directory last said.
func (s *Service) counterpart(ctx context.Context, addr string) (org, bool, error) {
	handle, host, ok := federation.Address(addr)
	if !ok {
		return org{}, false, nil
	}
	if host == s.fed.Host() {
		o, err := s.localOrg(ctx, s.db.R(), handle)
		if core.KindOf(err) == core.KindNotFound {
			return org{}, false, nil
		}
		return o, err == nil, err
	}
	remote, err := s.fed.RemoteOrgs(ctx)
	if err != nil {
		return org{}, false, err
	}
	for _, r := range remote {
		if r.Address() == addr {
			return org{Handle: r.Handle, Kind: r.Kind, Country: r.Country, NameEN: r.NameEN}, true, nil
		}
	}
	return org{}, false, nil
}

// isState reports whether an organisation of this kind acts for a state:
// requests for cooperation are between states (their authorities and
// points of contact); a company, an NGO or a university is asked, never
// asks.
func isState(kind string) bool { return strings.HasPrefix(kind, "state_") }

// Create drafts a request. The legal basis is checked here: a draft can
// only name a basis under which both states are bound and the kind is
// allowed.
func (s *Service) Create(ctx context.Context, in Input) (Request, error) {
	a := core.ActorFrom(ctx)
	in.normalize()
	p := in.validate()
	from, err := s.localOrg(ctx, s.db.R(), in.From)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return Request{}, err
	}
	if err := access.Check(a, access.CybercrimeDraft, access.Resource{OrgID: from.ID}); err != nil || from.ID == "" {
		if err == nil || in.From != "" {
			p.Add("from", "err.org_unknown")
		}
	}
	r, err := s.prepare(ctx, in, from, p)
	if err != nil {
		return Request{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		r.ID = core.NewID(tx.Now)
		r.OriginID = r.ID
		r.Direction, r.OrgID, r.State, r.Author = "out", from.ID, StateDraft, a.Name
		r.CreatedAt, r.UpdatedAt = tx.Now, tx.Now
		if err := insertRequest(ctx, tx, r); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, Event{ID: core.NewID(tx.Now), RequestID: r.ID, At: tx.Now, Action: "draft", State: StateDraft, By: a.Name, ByAddr: r.From}); err != nil {
			return err
		}
		if s.notify != nil {
			if err := s.notify.NotifyOrg(ctx, tx, from.ID, approvers, notify.CybApproval, "/cybercrime/requests/"+r.ID, s.args(map[string]string{"by": a.Name}, map[string]string{"kind": "cyb.kind." + string(r.Kind)})); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "cybercrime.request.draft", "cyb_request", r.ID, from.ID, string(r.Kind)+" "+r.To)
	})
	return r, err
}

// UpdateDraft changes a draft before it is approved; approval is of what
// will be sent, so an approved request is not edited.
func (s *Service) UpdateDraft(ctx context.Context, id string, in Input) (Request, error) {
	a := core.ActorFrom(ctx)
	old, err := s.readable(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if err := access.Check(a, access.CybercrimeDraft, access.Resource{OrgID: old.OrgID}); err != nil {
		return Request{}, err
	}
	if old.State != StateDraft || old.Direction != "out" {
		return Request{}, errOp("edit", core.KindConflict, "err.cyb_not_draft")
	}
	in.From = old.From[:strings.IndexByte(old.From, '@')]
	in.normalize()
	from, err := s.localOrg(ctx, s.db.R(), in.From)
	if err != nil {
		return Request{}, err
	}
	r, err := s.prepare(ctx, in, from, in.validate())
	if err != nil {
		return Request{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE cyb_requests SET to_addr = ?, to_country = ?, kind = ?, basis = ?, lang = ?, reference = ?, fields = ?, follows = ?, updated_at = ?
			WHERE id = ? AND state = 'draft'`, r.To, r.ToCountry, string(r.Kind), r.Basis, r.Language, r.Reference, r.FieldsJSON, r.Follows, tx.Now, id)
		if err != nil {
			return core.Wrap("cybercrime: edit", err)
		}
		if n != 1 {
			return errOp("edit", core.KindConflict, "err.cyb_not_draft")
		}
		return audit.Record(ctx, tx, "cybercrime.request.edit", "cyb_request", id, old.OrgID, "")
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, id)
}

// prepare checks an input against the counterpart and the legal basis and
// returns the request it describes (without ids and times).
func (s *Service) prepare(ctx context.Context, in Input, from org, p core.Problems) (Request, error) {
	to, found, err := s.counterpart(ctx, in.To)
	if err != nil {
		return Request{}, err
	}
	if in.To != "" && !found {
		p.Add("to", "err.cyb_to_unknown")
	}
	if found && in.Kind.Valid() {
		if key := toProblem(in.Kind, to.Kind, to.Country, from.Country); key != "" {
			p.Add("to", key)
		}
	}
	switch {
	case from.ID != "" && !isState(from.Kind):
		p.Add("from", "err.cyb_from_state")
	case from.ID != "" && from.Country == "":
		p.Add("from", "err.cyb_from_country")
	}
	if len(p) == 0 {
		if key, ok := s.basisProblem(ctx, from.Country, to.Country, in.Kind, in.Basis, s.db.Clock().Now()); !ok {
			p.Add("basis", key)
		}
	}
	var follows string
	if in.Follows != "" && in.Kind != KindPreservation {
		var pr Request
		// One of this organisation's own preservations to the same
		// counterpart: never one it received, nor another's.
		err := s.db.R().Get(ctx, &pr, `SELECT `+requestColumns+` FROM cyb_requests WHERE id = ? AND org_id = ? AND direction = 'out'`, in.Follows, from.ID)
		switch {
		case err == nil && pr.Kind == KindPreservation && pr.To == in.To:
			follows = pr.OriginID
		case err == nil || core.KindOf(err) == core.KindNotFound:
			p.Add("follows", "err.cyb_follows")
		default:
			return Request{}, err
		}
	}
	if err := p.Err("cybercrime: request"); err != nil {
		return Request{}, err
	}
	fields, _ := json.Marshal(in.Fields)
	return Request{From: from.Handle + "@" + s.fed.Host(), To: in.To, FromCountry: from.Country, ToCountry: to.Country, Kind: in.Kind, Basis: in.Basis,
		Language: in.Language, Reference: in.Reference, FieldsJSON: string(fields), Fields: in.Fields, Follows: follows}, nil
}

// readable returns a request the actor may read, without recording the
// read: the callers that show it record it.
func (s *Service) readable(ctx context.Context, id string) (Request, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CybercrimeRead, access.Resource{}); err != nil {
		return Request{}, err
	}
	r, err := getRequest(ctx, s.db.R(), id)
	if err != nil {
		return Request{}, err
	}
	// One answer for "not there" and "not yours": the existence of a
	// request is itself confidential.
	if access.Check(a, access.CybercrimeRead, access.Resource{OrgID: r.OrgID}) != nil {
		return Request{}, errOp("request", core.KindNotFound, "err.not_found")
	}
	return r, nil
}

// Request returns one request with its thread and receipts; the read is
// recorded in the audit trail.
func (s *Service) Request(ctx context.Context, id string) (Request, error) {
	r, err := s.readable(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, "cybercrime.request.read", "cyb_request", r.ID, r.OrgID, "")
	}); err != nil {
		return Request{}, err
	}
	if err := s.db.R().Select(ctx, &r.Events, `SELECT `+eventColumns+` FROM cyb_events WHERE request_id = ? ORDER BY at, id`, r.ID); err != nil {
		return Request{}, core.Wrap("cybercrime: events", err)
	}
	return r, s.receipts(ctx, &r)
}

// receipts attaches the other node's signed receipts: for the request, on
// the requesting side, and for each step this node sent.
func (s *Service) receipts(ctx context.Context, r *Request) error {
	var ids []string
	if r.Direction == "out" && r.EnvelopeID != "" {
		ids = append(ids, r.EnvelopeID)
	}
	for _, e := range r.Events {
		if e.EnvelopeID != "" && e.ByAddr == r.mine() {
			ids = append(ids, e.EnvelopeID)
		}
	}
	ds, err := s.fed.Deliveries(ctx, ids)
	if err != nil {
		return err
	}
	if r.Direction == "out" {
		r.Receipt = ds[r.EnvelopeID].Receipt
	}
	for i, e := range r.Events {
		if d, ok := ds[e.EnvelopeID]; ok && e.ByAddr == r.mine() {
			r.Events[i].Receipt = d.Receipt
		}
	}
	return nil
}

// mine is this node's side's address in the request; other is the other's.
func (r Request) mine() string {
	if r.Direction == "out" {
		return r.From
	}
	return r.To
}

func (r Request) other() string {
	if r.Direction == "out" {
		return r.To
	}
	return r.From
}

// Filter narrows a list of requests.
type Filter struct {
	Box   string // in, out or "" for both
	State State
	Kind  Kind
	Page  core.Page
}

// Requests lists the requests of the actor's organisations for which it
// may read them, newest first; the filter is applied in SQL and the read is
// recorded.
func (s *Service) Requests(ctx context.Context, f Filter) ([]Request, string, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CybercrimeRead, access.Resource{}); err != nil {
		return nil, "", err
	}
	orgs := access.Orgs(a, access.CybercrimeRead)
	if len(orgs) == 0 {
		return nil, "", nil
	}
	page := f.Page.Normalize(50, 200)
	where := []string{"org_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",") + ")"}
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	if f.Box == "in" || f.Box == "out" {
		where, args = append(where, "direction = ?"), append(args, f.Box)
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if page.Cursor != "" {
		where, args = append(where, "id < ?"), append(args, page.Cursor)
	}
	args = append(args, page.Limit+1)
	var out []Request
	if err := s.db.R().Select(ctx, &out, `SELECT `+requestColumns+` FROM cyb_requests WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...); err != nil {
		return nil, "", core.Wrap("cybercrime: requests", err)
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, "", core.Wrap("cybercrime: requests", err)
		}
	}
	next := ""
	if len(out) > page.Limit {
		out = out[:page.Limit]
		next = out[len(out)-1].ID
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, "cybercrime.requests.list", "cyb_request", "", "", f.Box)
	})
	return out, next, err
}

func getRequest(ctx context.Context, q store.Conn, id string) (Request, error) {
	var r Request
	if err := q.Get(ctx, &r, `SELECT `+requestColumns+` FROM cyb_requests WHERE id = ?`, id); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return r, errOp("request", core.KindNotFound, "err.not_found")
		}
		return r, core.Wrap("cybercrime: request", err)
	}
	return r, core.Wrap("cybercrime: request", r.decode())
}

func insertRequest(ctx context.Context, tx *store.Tx, r Request) error {
	_, err := tx.Exec(ctx, `INSERT INTO cyb_requests (`+requestColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.OriginID, r.Direction, r.OrgID, r.From, r.To, r.FromCountry, r.ToCountry, string(r.Kind), r.Basis, r.Language, r.Reference, r.FieldsJSON,
		string(r.State), r.Ground, r.RespondBy, r.ExecuteBy, r.PreservedUntil, r.Follows, r.Author, r.ApprovedBy, r.EnvelopeID, r.CreatedAt, r.SentAt,
		r.AckAt, r.PreservAt, r.ExecutedAt, r.ClosedAt, r.UpdatedAt, r.PurgeAfter, r.Purged, r.RemindedAt, r.Exercise)
	return core.Wrap("cybercrime: store request", err)
}

func insertEvent(ctx context.Context, tx *store.Tx, e Event) error {
	if e.OriginID == "" {
		e.OriginID = e.ID
	}
	_, err := tx.Exec(ctx, `INSERT INTO cyb_events (`+eventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.RequestID, e.OriginID, e.At, string(e.Action), string(e.State), e.By, e.ByAddr, e.Note, e.Ground, e.Until, e.EnvelopeID)
	return core.Wrap("cybercrime: store event", err)
}

var errMalformed = errors.New("malformed")

func malformed(what string) error {
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.Join(errMalformed, errors.New(what))}
}

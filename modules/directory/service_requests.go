package directory

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Request actions: the recipient acknowledges, starts and answers; the
// sender closes; either side adds a note to the thread.
const (
	ActAcknowledge = "acknowledge"
	ActProgress    = "progress"
	ActAnswer      = "answer"
	ActClose       = "close"
	ActNote        = "note"
)

// SendRequest sends a structured request from a member of a network to
// another member's points of contact, with the deadline both sides see.
func (s *Networks) SendRequest(ctx context.Context, in RequestInput) (Request, error) {
	a := core.ActorFrom(ctx)
	in.Normalize()
	n, err := s.network(ctx, s.db.R(), in.Network)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return Request{}, core.Problems{"network": "err.not_found"}.Err("directory: send request")
		}
		return Request{}, err
	}
	var from Organisation
	if in.From != "" {
		from, err = orgByHandle(ctx, s.db.R(), strings.ToLower(in.From))
		if err != nil && core.KindOf(err) != core.KindNotFound {
			return Request{}, err
		}
	}
	if err := access.Check(a, access.PocRequestAct, access.Resource{OrgID: from.ID}); err != nil || from.ID == "" {
		if err == nil {
			err = core.Problems{"from": "err.org_unknown"}.Err("directory: send request")
		}
		return Request{}, err
	}
	fromAddr := s.addr(from.Handle)
	p := in.validate(n, s.db.Clock().Now())
	for k, v := range checkAttachments(in.Attachments) {
		p.Add(k, v)
	}
	var members []string
	if err := s.db.R().Select(ctx, &members, `SELECT addr FROM poc_members WHERE network_id = ?`, n.ID); err != nil {
		return Request{}, core.Wrap("directory: send request", err)
	}
	if !slices.Contains(members, fromAddr) {
		p.Add("from", "err.not_network_member")
	}
	if in.To != "" && (!slices.Contains(members, in.To) || in.To == fromAddr) {
		p.Add("to", "err.not_network_member")
	}
	if err := p.Err("directory: send request"); err != nil {
		return Request{}, err
	}
	var out Request
	ats := in.Attachments
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if in.RespondBy.IsZero() {
			h := n.Template.ResponseHours[in.Urgency]
			if h == 0 {
				h = 72
			}
			in.RespondBy = tx.Now.Add(time.Duration(h) * time.Hour)
		}
		r := Request{ID: core.NewID(tx.Now), NetworkID: n.ID, Direction: "out", OrgID: from.ID, From: fromAddr, To: in.To, Author: a.Name,
			Type: in.Type, Urgency: in.Urgency, Subject: in.Subject, Description: in.Description, Sector: in.Sector, Systems: in.Systems, Asked: in.Asked,
			Indicators: in.Indicators, FollowUp: in.FollowUp, TLP: in.TLP, RespondBy: in.RespondBy.UTC().Truncate(time.Second), State: RequestSent, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		r.OriginID = r.ID
		if s.local(in.To) {
			to, err := s.orgByAddr(ctx, tx.Conn, in.To)
			if err != nil {
				return err
			}
			r.State = RequestDelivered
			in := r
			in.ID, in.Direction, in.OrgID = core.NewID(tx.Now), "in", to.ID
			if err := s.insertRequest(ctx, tx, in, RequestDelivered); err != nil {
				return err
			}
			if err := storeAttachments(ctx, tx, in.ID, "", r.From, ats); err != nil {
				return err
			}
			if err := s.people.NotifyOrg(ctx, tx, to.ID, actors, notify.RequestArrived, "/requests/"+in.ID, notify.Args{"from": r.From, "subject": r.Subject}); err != nil {
				return err
			}
		} else {
			w := requestPayload(r)
			w.Attachments = ats
			id, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeRequest, From: from.Handle, To: in.To, TLP: r.TLP, Payload: w})
			if err != nil {
				return err
			}
			r.EnvelopeID = id
		}
		if err := s.insertRequest(ctx, tx, r, RequestSent); err != nil {
			return err
		}
		if err := storeAttachments(ctx, tx, r.ID, "", r.From, ats); err != nil {
			return err
		}
		out = r
		return audit.Record(ctx, tx, "directory.request.send", "request", r.ID, from.ID, r.To)
	})
	return out, err
}

// insertRequest stores a request and the first event of its life.
func (s *Networks) insertRequest(ctx context.Context, tx *store.Tx, r Request, first string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO poc_requests (`+requestColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.OriginID, r.NetworkID, r.Direction, r.OrgID, r.From, r.To, r.Author, r.Type, r.Urgency, r.Subject, r.Description, r.Sector, r.Systems, r.Asked,
		r.Indicators, r.FollowUp, string(r.TLP), r.RespondBy, r.State, r.Answer, r.EnvelopeID, r.CreatedAt, r.UpdatedAt, nil, nil); err != nil {
		return core.Wrap("directory: store request", err)
	}
	return insertEvent(ctx, tx, RequestEvent{ID: core.NewID(tx.Now), RequestID: r.ID, At: tx.Now, State: first, By: r.Author, ByAddr: r.From}, "")
}

func insertEvent(ctx context.Context, tx *store.Tx, e RequestEvent, originID string) error {
	_, err := tx.Exec(ctx, `INSERT INTO poc_request_events (id, request_id, at, state, by_name, by_addr, body, origin_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.RequestID, e.At, e.State, e.By, e.ByAddr, e.Body, originID)
	return core.Wrap("directory: request event", err)
}

// requestWire is a request as it travels between nodes.
type requestWire struct {
	OriginID    string    `json:"origin_id"`
	NetworkID   string    `json:"network_id"`
	Author      string    `json:"author"`
	Type        string    `json:"type"`
	Urgency     string    `json:"urgency"`
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
	Sector      string    `json:"sector,omitempty"`
	Systems     string    `json:"systems,omitempty"`
	Asked       string    `json:"asked,omitempty"`
	Indicators  string    `json:"indicators,omitempty"`
	FollowUp    string    `json:"follow_up,omitempty"`
	RespondBy   time.Time `json:"respond_by"`
	Created     time.Time `json:"created"`
	// Attachments carry their bytes and stated SHA-256.
	Attachments []RequestAttachment `json:"attachments,omitempty"`
}

func requestPayload(r Request) requestWire {
	return requestWire{OriginID: r.OriginID, NetworkID: r.NetworkID, Author: r.Author, Type: r.Type, Urgency: r.Urgency, Subject: r.Subject, Description: r.Description,
		Sector: r.Sector, Systems: r.Systems, Asked: r.Asked, Indicators: r.Indicators, FollowUp: r.FollowUp, RespondBy: r.RespondBy, Created: r.CreatedAt}
}

// receiveRequest stores a request from a member on another node. Both
// organisations must be members of the network as this node knows it.
func (s *Networks) receiveRequest(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p requestWire
	if err := json.Unmarshal(payload, &p); err != nil || p.OriginID == "" {
		return malformed("request")
	}
	n, err := s.network(ctx, tx.Conn, p.NetworkID)
	if err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("unknown network")}
	}
	var members []string
	if err := tx.Select(ctx, &members, `SELECT addr FROM poc_members WHERE network_id = ?`, n.ID); err != nil {
		return core.Wrap("directory: receive request", err)
	}
	if !slices.Contains(members, env.From) || !slices.Contains(members, env.To) {
		return &core.Error{Kind: core.KindForbidden, Message: "err.not_network_member", Err: errors.New("not members of the network")}
	}
	in := RequestInput{Network: n.ID, From: "x", To: "x", Type: p.Type, Urgency: p.Urgency, Subject: p.Subject, Description: p.Description, Sector: p.Sector,
		Systems: p.Systems, Asked: p.Asked, Indicators: p.Indicators, FollowUp: p.FollowUp, TLP: env.TLP}
	if len(in.validate(n, tx.Now)) > 0 || p.RespondBy.Before(p.Created) || p.RespondBy.After(tx.Now.AddDate(1, 0, 0)) || p.Created.After(tx.Now.Add(time.Hour)) {
		return malformed("request fields")
	}
	if err := checkArrived(p.Attachments); err != nil {
		return err
	}
	to, err := s.orgByAddr(ctx, tx.Conn, env.To)
	if err != nil {
		// The key itself is the reason the sending node shows, in words.
		return &core.Error{Kind: core.KindNotFound, Message: "err.recipient_unknown"}
	}
	var seen int
	if err := tx.Get(ctx, &seen, `SELECT COUNT(*) FROM poc_requests WHERE from_addr = ? AND origin_id = ? AND direction = 'in'`, env.From, p.OriginID); err != nil || seen > 0 {
		return core.Wrap("directory: receive request", err)
	}
	r := Request{ID: core.NewID(tx.Now), OriginID: p.OriginID, NetworkID: n.ID, Direction: "in", OrgID: to.ID, From: env.From, To: env.To, Author: trunc(p.Author, 120),
		Type: p.Type, Urgency: p.Urgency, Subject: p.Subject, Description: p.Description, Sector: p.Sector, Systems: p.Systems, Asked: p.Asked, Indicators: p.Indicators,
		FollowUp: p.FollowUp, TLP: env.TLP, RespondBy: p.RespondBy.UTC(), State: RequestDelivered, EnvelopeID: env.ID, CreatedAt: p.Created.UTC(), UpdatedAt: tx.Now}
	if err := s.insertRequest(ctx, tx, r, RequestDelivered); err != nil {
		return err
	}
	if err := storeAttachments(ctx, tx, r.ID, "", env.From, p.Attachments); err != nil {
		return err
	}
	return s.people.NotifyOrg(ctx, tx, to.ID, actors, notify.RequestArrived, "/requests/"+r.ID, notify.Args{"from": r.From, "subject": r.Subject})
}

// next returns the state an action leads to from state, for the side
// (direction) that acts, or "" when the action is not allowed.
func next(direction, state, action string) string {
	if state == RequestClosed {
		return ""
	}
	order := slices.Index(RequestStates, state)
	switch {
	case action == ActNote:
		return state
	case action == ActClose && direction == "out":
		return RequestClosed
	case direction != "in":
		return ""
	case action == ActAcknowledge && order < slices.Index(RequestStates, RequestAcknowledged):
		return RequestAcknowledged
	case action == ActProgress && order < slices.Index(RequestStates, RequestInProgress):
		return RequestInProgress
	case action == ActAnswer && order < slices.Index(RequestStates, RequestAnswered):
		return RequestAnswered
	}
	return ""
}

// UpdateRequest moves a request on, or adds a note to its thread. The other
// side learns of it through a signed envelope (or at once on this node).
func (s *Networks) UpdateRequest(ctx context.Context, id, action, body string) (Request, error) {
	return s.UpdateRequestWith(ctx, id, action, body, nil)
}

// UpdateRequestWith is UpdateRequest with files sent along (an answer's
// report, a note's evidence).
func (s *Networks) UpdateRequestWith(ctx context.Context, id, action, body string, ats []RequestAttachment) (Request, error) {
	a := core.ActorFrom(ctx)
	r, err := s.request(ctx, s.db.R(), id)
	if err != nil {
		return Request{}, err
	}
	if err := access.Check(a, access.PocRequestRead, access.Resource{OrgID: r.OrgID}); err != nil {
		return Request{}, errOp("request", core.KindNotFound, "err.not_found")
	}
	if err := access.Check(a, access.PocRequestAct, access.Resource{OrgID: r.OrgID}); err != nil {
		return Request{}, err
	}
	body = strings.TrimSpace(body)
	p := core.Problems{}
	to := next(r.Direction, r.State, action)
	if to == "" {
		p.Add("action", "err.request_action")
	}
	if (action == ActAnswer || action == ActNote) && body == "" {
		p.Add("body", "err.required")
	}
	if len(body) > 20000 {
		p.Add("body", "err.too_long")
	}
	for k, v := range checkAttachments(ats) {
		p.Add(k, v)
	}
	if err := p.Err("directory: update request"); err != nil {
		return Request{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		me := r.To
		other := r.From
		if r.Direction == "out" {
			me, other = r.From, r.To
		}
		u := requestUpdate{OriginID: r.OriginID, RequestFrom: r.From, Action: action, State: to, Body: body, By: a.Name, At: tx.Now, EventID: core.NewID(tx.Now), Attachments: ats}
		if err := s.applyUpdate(ctx, tx, r.From, r.OriginID, me, u, s.local(other)); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "directory.request."+action, "request", r.ID, r.OrgID, to); err != nil {
			return err
		}
		if s.local(other) {
			o, err := s.orgByAddr(ctx, tx.Conn, other)
			if err != nil {
				return nil
			}
			// Both sides' copies are on this node: link to the other's.
			path := "/requests"
			var theirs string
			switch err := tx.Get(ctx, &theirs, `SELECT id FROM poc_requests WHERE from_addr = ? AND origin_id = ? AND org_id = ?`, r.From, r.OriginID, o.ID); {
			case err == nil:
				path += "/" + theirs
			case core.KindOf(err) != core.KindNotFound:
				return core.Wrap("directory: update request", err)
			}
			return s.people.NotifyOrg(ctx, tx, o.ID, actors, notify.RequestUpdate, path, notify.Args{"subject": r.Subject, "by": me})
		}
		handle, _, _ := federation.Address(me)
		_, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeRequestUpdate, From: handle, To: other, TLP: r.TLP, Payload: u})
		return err
	})
	if err != nil {
		return Request{}, err
	}
	return s.request(ctx, s.db.R(), id)
}

type requestUpdate struct {
	OriginID    string    `json:"origin_id"`
	RequestFrom string    `json:"request_from"` // the original sender's address
	Action      string    `json:"action"`
	State       string    `json:"state"`
	Body        string    `json:"body,omitempty"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
	EventID     string    `json:"event_id"`
	// Attachments carry their bytes and stated SHA-256.
	Attachments []RequestAttachment `json:"attachments,omitempty"`
}

// applyUpdate changes the request's rows on this node (both, when sender and
// recipient are here) and records the event in each.
func (s *Networks) applyUpdate(ctx context.Context, tx *store.Tx, from, originID, byAddr string, u requestUpdate, both bool) error {
	q := `SELECT id, state FROM poc_requests WHERE from_addr = ? AND origin_id = ?`
	var rows []struct {
		ID    string `db:"id"`
		State string `db:"state"`
	}
	if err := tx.Select(ctx, &rows, q, from, originID); err != nil {
		return core.Wrap("directory: update request", err)
	}
	for _, row := range rows {
		set := `UPDATE poc_requests SET state = ?, updated_at = ? WHERE id = ?`
		args := []any{u.State, tx.Now, row.ID}
		if u.Action == ActAnswer {
			set = `UPDATE poc_requests SET state = ?, updated_at = ?, answer = ? WHERE id = ?`
			args = []any{u.State, tx.Now, u.Body, row.ID}
		}
		if _, err := tx.Exec(ctx, set, args...); err != nil {
			return core.Wrap("directory: update request", err)
		}
		state := u.State
		if u.Action == ActNote {
			state = ""
		}
		if err := insertEvent(ctx, tx, RequestEvent{ID: core.NewID(tx.Now), RequestID: row.ID, At: tx.Now, State: state, By: trunc(u.By, 120), ByAddr: byAddr, Body: u.Body}, u.EventID); err != nil {
			return err
		}
		if err := storeAttachments(ctx, tx, row.ID, u.EventID, byAddr, u.Attachments); err != nil {
			return err
		}
	}
	return nil
}

// receiveRequestUpdate applies a step taken on the other side, checking it
// with the same rules: a peer moves only the requests it is party to, in the
// direction its side may.
func (s *Networks) receiveRequestUpdate(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var u requestUpdate
	if err := json.Unmarshal(payload, &u); err != nil || u.OriginID == "" || len(u.Body) > 20000 {
		return malformed("request update")
	}
	if err := checkArrived(u.Attachments); err != nil {
		return err
	}
	var r Request
	if err := tx.Get(ctx, &r, `SELECT `+requestColumns+` FROM poc_requests WHERE from_addr = ? AND origin_id = ? AND (from_addr = ? OR to_addr = ?) AND (from_addr = ? OR to_addr = ?)`,
		u.RequestFrom, u.OriginID, env.From, env.From, env.To, env.To); err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("no such request between these parties")}
	}
	// The sender's side is "out": it acts as sender when the envelope comes
	// from the request's sender.
	side := "in"
	if env.From == r.From {
		side = "out"
	}
	want := next(side, r.State, u.Action)
	if r.State == RequestClosed && side == "in" && u.Action == ActAnswer && r.Answer == "" {
		// The answer crossed the sender's closing: keep it in the record
		// rather than refuse it for good.
		want, u.State = RequestClosed, RequestClosed
	}
	if want == "" || want != u.State {
		return &core.Error{Kind: core.KindConflict, Message: "err.request_action", Err: errors.New("step not allowed from " + r.State)}
	}
	u.At = tx.Now
	if err := s.applyUpdate(ctx, tx, r.From, r.OriginID, env.From, u, false); err != nil {
		return err
	}
	return s.people.NotifyOrg(ctx, tx, r.OrgID, actors, notify.RequestUpdate, "/requests/"+r.ID, notify.Args{"subject": r.Subject, "by": env.From})
}

func (s *Networks) request(ctx context.Context, q store.Conn, id string) (Request, error) {
	var r Request
	if err := q.Get(ctx, &r, `SELECT `+requestColumns+` FROM poc_requests WHERE id = ?`, id); err != nil {
		return r, core.Wrap("directory: request", err)
	}
	return r, nil
}

// Request returns a request with its history, for the people of the
// organisation on this side of it.
func (s *Networks) Request(ctx context.Context, id string) (Request, error) {
	r, err := s.request(ctx, s.db.R(), id)
	if err != nil {
		return r, err
	}
	if err := access.Check(core.ActorFrom(ctx), access.PocRequestRead, access.Resource{OrgID: r.OrgID}); err != nil {
		// Not found rather than forbidden: its existence is not the reader's.
		return Request{}, errOp("request", core.KindNotFound, "err.not_found")
	}
	if err := s.db.R().Select(ctx, &r.Events, `SELECT id, request_id, at, state, by_name, by_addr, body FROM poc_request_events WHERE request_id = ? ORDER BY at, id`, r.ID); err != nil {
		return r, core.Wrap("directory: request", err)
	}
	if err := s.loadAttachments(ctx, &r); err != nil {
		return r, err
	}
	rs := []Request{r}
	if err := s.delivered(ctx, rs); err != nil {
		return r, err
	}
	return rs[0], nil
}

// delivered shows a sent request as delivered once its receipt is in.
func (s *Networks) delivered(ctx context.Context, rs []Request) error {
	var envs []string
	for _, r := range rs {
		if r.EnvelopeID != "" && r.Direction == "out" {
			envs = append(envs, r.EnvelopeID)
		}
	}
	ds, err := s.fed.Deliveries(ctx, envs)
	if err != nil {
		return err
	}
	for i, r := range rs {
		d, ok := ds[r.EnvelopeID]
		if !ok || r.Direction != "out" {
			continue
		}
		rs[i].Receipt = d.Receipt
		if r.State == RequestSent && d.State == "delivered" {
			rs[i].State = RequestDelivered
		}
	}
	return nil
}

// Requests lists the requests of the actor's organisations, newest first;
// box is "in", "out" or "" for both. The filter is applied in SQL.
func (s *Networks) Requests(ctx context.Context, box string, page core.Page) ([]Request, string, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.PocRequestRead, access.Resource{}); err != nil {
		return nil, "", err
	}
	orgs := access.Orgs(a, access.PocRequestRead)
	if len(orgs) == 0 {
		return nil, "", nil
	}
	page = page.Normalize(50, 200)
	where := []string{"org_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",") + ")"}
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	if box == "in" || box == "out" {
		where = append(where, "direction = ?")
		args = append(args, box)
	}
	if page.Cursor != "" {
		where = append(where, "id < ?")
		args = append(args, page.Cursor)
	}
	args = append(args, page.Limit+1)
	var out []Request
	if err := s.db.R().Select(ctx, &out, `SELECT `+requestColumns+` FROM poc_requests WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...); err != nil {
		return nil, "", core.Wrap("directory: requests", err)
	}
	next := ""
	if len(out) > page.Limit {
		out = out[:page.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, s.delivered(ctx, out)
}

// Checks is the periodic work of POC networks: reminders before a request's
// deadline, notice when it passes (on each side, from the same deadline),
// and the scheduled pings of hosted networks.
func (s *Networks) Checks(ctx context.Context) error {
	now := s.db.Clock().Now().UTC()
	var due []Request
	if err := s.db.R().Select(ctx, &due, `SELECT `+requestColumns+` FROM poc_requests WHERE state NOT IN ('answered', 'closed') AND (
		(direction = 'in' AND reminded_at IS NULL) OR (overdue_at IS NULL AND respond_by < ?)) ORDER BY respond_by LIMIT 500`, now); err != nil {
		return core.Wrap("directory: checks", err)
	}
	for _, r := range due {
		overdue := now.After(r.RespondBy) && r.OverdueAt == nil
		remind := r.Direction == "in" && r.RemindedAt == nil && r.RespondBy.Sub(now) <= r.RespondBy.Sub(r.CreatedAt)/4
		if !overdue && !remind {
			continue
		}
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			if now.After(r.RespondBy) && r.OverdueAt == nil {
				if _, err := tx.Exec(ctx, `UPDATE poc_requests SET overdue_at = ?, reminded_at = COALESCE(reminded_at, ?) WHERE id = ?`, tx.Now, tx.Now, r.ID); err != nil {
					return err
				}
				return s.people.NotifyOrg(ctx, tx, r.OrgID, actors, notify.RequestOverdue, "/requests/"+r.ID, notify.Args{"subject": r.Subject})
			}
			// Remind once, when a quarter of the time is left.
			if r.Direction == "in" && r.RemindedAt == nil && r.RespondBy.Sub(now) <= r.RespondBy.Sub(r.CreatedAt)/4 {
				if _, err := tx.Exec(ctx, `UPDATE poc_requests SET reminded_at = ? WHERE id = ?`, tx.Now, r.ID); err != nil {
					return err
				}
				return s.people.NotifyOrg(ctx, tx, r.OrgID, actors, notify.RequestDue, "/requests/"+r.ID, notify.Args{"subject": r.Subject, "deadline": r.RespondBy.UTC().Format(notify.DeadlineFormat)})
			}
			return nil
		})
		if err != nil {
			return core.Wrap("directory: checks", err)
		}
	}
	return s.scheduledPings(ctx, now)
}

// scheduledPings starts a ping for each hosted network whose cadence has
// come round since its last one (or since it was set up).
func (s *Networks) scheduledPings(ctx context.Context, now time.Time) error {
	var ns []Network
	if err := s.db.R().Select(ctx, &ns, `SELECT `+networkColumns+` FROM poc_networks WHERE host = ? AND ping_cadence_days > 0`, s.fed.Host()); err != nil {
		return core.Wrap("directory: scheduled pings", err)
	}
	for _, n := range ns {
		if err := n.decode(); err != nil {
			return err
		}
		last := n.CreatedAt
		var lp []time.Time
		if err := s.db.R().Select(ctx, &lp, `SELECT started_at FROM poc_pings WHERE network_id = ? ORDER BY started_at DESC LIMIT 1`, n.ID); err != nil {
			return core.Wrap("directory: scheduled pings", err)
		}
		if len(lp) > 0 {
			last = lp[0]
		}
		if now.Before(last.AddDate(0, 0, n.PingCadenceDays)) {
			continue
		}
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := s.startPing(ctx, tx, n, "schedule", PingInput{})
			return err
		})
		if err != nil && core.KindOf(err) != core.KindConflict {
			return err
		}
	}
	return nil
}

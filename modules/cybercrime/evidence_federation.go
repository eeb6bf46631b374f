package cybercrime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// TypeEvidence is the envelope that tells the other side of a request of
// files and custody events: the manifest (hash, size, name, type) and the
// sender's signed custody statements. The files themselves never travel in
// an envelope (envelopes are capped at a few MiB): the receiver fetches
// each one from the sender with a signed GET and checks its hash.
const TypeEvidence = "cybercrime.evidence"

const jobFetch = "cybercrime.evidence.fetch"

// evidenceWire is the manifest as it travels.
type evidenceWire struct {
	RequestFrom string            `json:"request_from"`
	OriginID    string            `json:"origin_id"` // the request's
	Files       []fileWire        `json:"files"`
	Custody     []json.RawMessage `json:"custody"`
}

// fileWire is one file of a manifest.
type fileWire struct {
	Origin      string    `json:"origin"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	AddedBy     string    `json:"added_by"`
	AddedAddr   string    `json:"added_addr"`
	Created     time.Time `json:"created"`
}

// maxManifestFiles bounds one envelope's files and statements.
const maxManifestFiles = 200

// parseEvidenceWire reads a manifest from a peer and holds it to the shape
// this node writes.
func parseEvidenceWire(b []byte) (evidenceWire, error) {
	var w evidenceWire
	if err := core.CheckJSON(b); err != nil {
		return w, fmt.Errorf("evidence manifest: %w", err)
	}
	if err := strictJSON(b, &w); err != nil {
		return w, fmt.Errorf("evidence manifest: %w", err)
	}
	return w, w.check()
}

// check holds a manifest to the shape this node writes.
func (w evidenceWire) check() error {
	if w.RequestFrom == "" || w.OriginID == "" || len(w.Files) > maxManifestFiles || len(w.Custody) > 20*maxManifestFiles {
		return errors.New("evidence manifest: request missing or too many files")
	}
	for _, f := range w.Files {
		switch {
		case f.Origin == "" || !hex64(f.SHA256) || f.Size < 0 || f.Created.IsZero():
			return errors.New("evidence manifest: a file without origin, hash, size or time")
		case cleanName(f.Name) != f.Name || core.BadFileName(f.Name):
			return errors.New("evidence manifest: a file's name is not a plain name")
		case cleanType(f.ContentType) != f.ContentType:
			return errors.New("evidence manifest: a file's content type is not a media type")
		}
		for _, v := range []string{f.Origin, f.Name, f.AddedBy, f.AddedAddr} {
			if core.CheckText(v) != "" || utf8.RuneCountInString(v) > maxCustodyText {
				return errors.New("evidence manifest: a file's text is not storable")
			}
		}
	}
	return nil
}

// announce tells the other side of files: this node records "sent" for
// each, then either records "received" at once (the other organisation is
// on this node and the bytes are already here) or sends the manifest with
// this node's statements, and the other node fetches the files.
func (s *Service) announce(ctx context.Context, tx *store.Tx, r Request, files []Evidence, by string) error {
	if len(files) == 0 {
		return nil
	}
	local := s.local(r.other())
	for _, ev := range files {
		if err := s.sent(ctx, tx, r, ev, by, local); err != nil {
			return err
		}
	}
	if local {
		return nil
	}
	return s.sendEvidence(ctx, tx, r, files)
}

// evidenceSent is called when a request is sent: its files go with it.
// It records "sent" on each (and "received", when the other organisation
// is on this node) and returns the manifest the request's envelope
// carries to another node, so that the files are never announced before
// the request they belong to.
func (s *Service) evidenceSent(ctx context.Context, tx *store.Tx, r Request, by string) (*evidenceWire, error) {
	if s.ev == nil {
		return nil, nil
	}
	var files []Evidence
	if err := tx.Select(ctx, &files, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE request_from = ? AND request_origin = ? ORDER BY created_at, id`, r.From, r.OriginID); err != nil {
		return nil, core.Wrap("cybercrime: evidence", err)
	}
	if len(files) == 0 {
		return nil, nil
	}
	local := s.local(r.other())
	for _, ev := range files {
		if err := s.sent(ctx, tx, r, ev, by, local); err != nil {
			return nil, err
		}
	}
	if local {
		return nil, nil
	}
	w, err := s.manifest(ctx, tx, r, files)
	return &w, err
}

func (s *Service) sent(ctx context.Context, tx *store.Tx, r Request, ev Evidence, by string, local bool) error {
	if _, err := s.custody(ctx, tx, ev, Custody{Event: CustodySent, Actor: by, ActorAddr: r.mine(), To: r.other()}); err != nil {
		return err
	}
	if local {
		_, err := s.custody(ctx, tx, ev, Custody{Event: CustodyReceived, Actor: s.fed.Host(), ActorAddr: r.other()})
		return err
	}
	return nil
}

// tellCustody sends this node's statements on a file to the other side,
// once the request is theirs too; the other side keeps the whole log.
func (s *Service) tellCustody(ctx context.Context, tx *store.Tx, r Request, ev Evidence) error {
	if r.State == StateDraft || r.State == StateApproved || s.local(r.other()) {
		return nil
	}
	return s.sendEvidence(ctx, tx, r, []Evidence{ev})
}

func (s *Service) sendEvidence(ctx context.Context, tx *store.Tx, r Request, files []Evidence) error {
	w, err := s.manifest(ctx, tx, r, files)
	if err != nil {
		return err
	}
	handle, _, _ := federation.Address(r.mine())
	_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeEvidence, From: handle, To: r.other(), TLP: core.TLPAmberStrict, Payload: w})
	return err
}

// manifest describes files for the other side, with this node's
// statements on them.
func (s *Service) manifest(ctx context.Context, tx *store.Tx, r Request, files []Evidence) (evidenceWire, error) {
	w := evidenceWire{RequestFrom: r.From, OriginID: r.OriginID, Custody: []json.RawMessage{}}
	for _, ev := range files {
		w.Files = append(w.Files, fileWire{Origin: ev.OriginID, SHA256: ev.SHA256, Size: ev.Size, Name: ev.Name, ContentType: ev.ContentType,
			AddedBy: ev.AddedBy, AddedAddr: ev.AddedAddr, Created: ev.CreatedAt.UTC()})
		var stmts []string
		if err := tx.Select(ctx, &stmts, `SELECT statement FROM cyb_custody WHERE request_from = ? AND request_origin = ? AND evidence_origin = ? AND node = ? ORDER BY seq`,
			r.From, r.OriginID, ev.OriginID, s.fed.Host()); err != nil {
			return w, core.Wrap("cybercrime: evidence", err)
		}
		for _, st := range stmts {
			w.Custody = append(w.Custody, json.RawMessage(st))
		}
	}
	return w, nil
}

// receiveEvidence takes a manifest from the other side of a request: new
// files are recorded (and fetched by a job), the sender's statements
// checked against its key and chained onto what this node holds. A node
// speaks only for itself: it announces only its own organisation's files
// and signs only its own statements.
func (s *Service) receiveEvidence(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	if s.ev == nil || s.ev.Fed == nil {
		return errOp("evidence", core.KindUnavailable, "err.cyb_evidence_off")
	}
	w, err := parseEvidenceWire(payload)
	if err != nil {
		return malformed(err.Error())
	}
	var r Request
	err = tx.Get(ctx, &r, `SELECT `+requestColumns+` FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND (from_addr = ? AND direction = 'in' OR to_addr = ? AND direction = 'out')`,
		w.RequestFrom, w.OriginID, env.From, env.From)
	if core.KindOf(err) == core.KindNotFound {
		// The request's own envelope may still be on its way: try later.
		return &core.Error{Kind: core.KindUnavailable, Message: "err.not_found", Err: errors.New("unknown request")}
	}
	if err != nil {
		return core.Wrap("cybercrime: receive evidence", err)
	}
	return s.takeEvidence(ctx, tx, r, env.From, w)
}

// takeEvidence records what a manifest from the other side's node says:
// new files (fetched by a job) and the sender's statements, each checked
// against its key and chained onto what this node holds.
func (s *Service) takeEvidence(ctx context.Context, tx *store.Tx, r Request, from string, w evidenceWire) error {
	if s.ev == nil || s.ev.Fed == nil {
		// A node that keeps no evidence takes the request without its
		// files; the sender's log shows them never received.
		return nil
	}
	if err := w.check(); err != nil {
		return malformed(err.Error())
	}
	if w.RequestFrom != r.From || w.OriginID != r.OriginID {
		return malformed("a manifest for another request")
	}
	_, host, _ := federation.Address(from)
	for _, f := range w.Files {
		var have Evidence
		err := tx.Get(ctx, &have, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE request_from = ? AND request_origin = ? AND origin_id = ?`, r.From, r.OriginID, f.Origin)
		switch {
		case err == nil:
			if have.SHA256 != f.SHA256 || have.Size != f.Size {
				return malformed("a file announced twice with two hashes")
			}
			continue
		case core.KindOf(err) != core.KindNotFound:
			return core.Wrap("cybercrime: receive evidence", err)
		}
		// A node announces only its own organisation's files; it names the
		// other side's files only to chain its statements on them.
		if f.AddedAddr != from {
			return malformed("a file added by another organisation than the sender")
		}
		if f.Size > s.ev.MaxFile {
			return &core.Error{Kind: core.KindTooLarge, Message: "err.too_large", Err: fmt.Errorf("evidence file of %d bytes", f.Size)}
		}
		id := core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO cyb_evidence (`+evidenceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, r.From, r.OriginID, f.Origin, f.SHA256, f.Size, f.Name, f.ContentType, trunc(f.AddedBy, 120), f.AddedAddr, f.Created.UTC(), false, ""); err != nil {
			return core.Wrap("cybercrime: receive evidence", err)
		}
		if s.ev.Jobs != nil {
			if err := s.ev.Jobs.Enqueue(ctx, tx, jobFetch, fetchPayload{ID: id}, jobs.Options{UniqueKey: jobFetch + ":" + id}); err != nil {
				return err
			}
		}
	}
	key, err := s.ev.Fed.PeerKey(ctx, host)
	if err != nil {
		return err
	}
	var recs []CustodyRecord
	for _, raw := range w.Custody {
		c, err := VerifyCustody(raw, key)
		if err != nil {
			return malformed(err.Error())
		}
		if c.Node != host || c.RequestFrom != r.From || c.Request != r.OriginID {
			return malformed("a custody statement about another request, or by another node than the sender")
		}
		var ev Evidence
		if err := tx.Get(ctx, &ev, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE request_from = ? AND request_origin = ? AND origin_id = ?`, r.From, r.OriginID, c.Evidence); err != nil {
			return malformed("a custody statement about an unknown file")
		}
		if ev.SHA256 != c.SHA256 || ev.Size != c.Size {
			return malformed("a custody statement about another file than the manifest's")
		}
		recs = append(recs, CustodyRecord{Custody: c, Statement: raw, Hash: StatementHash(raw)})
	}
	slices.SortFunc(recs, func(a, b CustodyRecord) int { return a.Seq - b.Seq })
	for _, rec := range recs {
		if err := s.chainOn(ctx, tx, rec); err != nil {
			return err
		}
	}
	return nil
}

// chainOn keeps another node's statement if it is the next link of that
// node's chain on the file; one already held is skipped, and one that
// contradicts a held link is refused: a node must not show two histories.
func (s *Service) chainOn(ctx context.Context, tx *store.Tx, rec CustodyRecord) error {
	var last struct {
		Seq  int    `db:"seq"`
		Hash string `db:"hash"`
	}
	err := tx.Get(ctx, &last, `SELECT seq, hash FROM cyb_custody WHERE request_from = ? AND request_origin = ? AND evidence_origin = ? AND node = ? ORDER BY seq DESC LIMIT 1`,
		rec.RequestFrom, rec.Request, rec.Evidence, rec.Node)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return core.Wrap("cybercrime: custody", err)
	}
	switch {
	case rec.Seq <= last.Seq:
		var held string
		if err := tx.Get(ctx, &held, `SELECT hash FROM cyb_custody WHERE request_from = ? AND request_origin = ? AND evidence_origin = ? AND node = ? AND seq = ?`,
			rec.RequestFrom, rec.Request, rec.Evidence, rec.Node, rec.Seq); err != nil {
			return core.Wrap("cybercrime: custody", err)
		}
		if held != rec.Hash {
			return malformed(fmt.Sprintf("custody statement %d of %s differs from the one held", rec.Seq, rec.Node))
		}
		return nil
	case rec.Seq > last.Seq+1:
		return &core.Error{Kind: core.KindUnavailable, Message: "err.not_found", Err: fmt.Errorf("custody statement %d of %s before %d", rec.Seq, rec.Node, last.Seq+1)}
	case rec.Prev != last.Hash:
		return malformed(fmt.Sprintf("custody statement %d of %s does not follow statement %d", rec.Seq, rec.Node, last.Seq))
	}
	err = insertCustody(ctx, tx, core.NewID(tx.Now), rec, nil)
	if core.KindOf(err) == core.KindConflict {
		// Another envelope carrying the same chain stored this link at the
		// same moment (PostgreSQL, two deliveries at once): try again, and
		// find it held. Refusing would give the envelope up, and with it
		// the links after this one.
		return &core.Error{Kind: core.KindUnavailable, Message: "err.conflict", Err: fmt.Errorf("custody statement %d of %s stored concurrently: %w", rec.Seq, rec.Node, err)}
	}
	return err
}

type fetchPayload struct {
	ID string `json:"id"`
}

// fetchJob brings a file the other side announced: a signed GET to the
// node that added it, streamed into the blob store while hashed, refused
// when its hash or size is not the manifest's. Then this node records that
// it received the file and tells the other side.
func (s *Service) fetchJob(ctx context.Context, payload []byte) error {
	var p fetchPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return err
	}
	var ev Evidence
	if err := s.db.R().Get(ctx, &ev, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE id = ?`, p.ID); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return nil // purged meanwhile
		}
		return err
	}
	if ev.Stored {
		return nil
	}
	_, host, _ := federation.Address(ev.AddedAddr)
	had, err := s.ev.Blobs.Has(ctx, ev.SHA256)
	if err != nil {
		return err
	}
	if !had {
		if err := s.fetchFile(ctx, host, ev); err != nil {
			_ = s.db.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE cyb_evidence SET fetch_error = ? WHERE id = ?`, trunc(err.Error(), 500), ev.ID)
				return err
			})
			return err
		}
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE cyb_evidence SET stored = TRUE, fetch_error = '' WHERE id = ? AND stored = FALSE`, ev.ID)
		if err != nil || n != 1 {
			return core.Wrap("cybercrime: evidence fetched", err)
		}
		var r Request
		err = tx.Get(ctx, &r, `SELECT `+requestColumns+` FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND (from_addr = ? AND direction = 'in' OR to_addr = ? AND direction = 'out')`,
			ev.RequestFrom, ev.RequestOrigin, ev.AddedAddr, ev.AddedAddr)
		if err != nil {
			return core.Wrap("cybercrime: evidence fetched", err)
		}
		if _, err := s.custody(ctx, tx, ev, Custody{Event: CustodyReceived, Actor: s.fed.Host(), ActorAddr: r.mine()}); err != nil {
			return err
		}
		return s.tellCustody(ctx, tx, r, ev)
	})
}

func (s *Service) fetchFile(ctx context.Context, host string, ev Evidence) error {
	q := url.Values{"from": {ev.RequestFrom}, "request": {ev.RequestOrigin}}
	body, n, err := s.ev.Fed.GetStream(ctx, host, "/federation/v1/cybercrime/evidence/"+ev.SHA256+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer body.Close()
	if n >= 0 && n != ev.Size {
		return fmt.Errorf("cybercrime: evidence from %s: %w (announced %d bytes, got %d)", host, errEvidenceHash, ev.Size, n)
	}
	// One byte more than announced fails the put: a node cannot make this
	// one store more than the manifest said.
	b, err := s.ev.Blobs.Put(ctx, body, max(ev.Size, 1))
	if err != nil {
		return fmt.Errorf("cybercrime: evidence from %s: %w", host, err)
	}
	if b.SHA256 != ev.SHA256 || b.Size != ev.Size {
		if err := s.ev.Blobs.Delete(ctx, b.SHA256); err != nil {
			return err
		}
		return fmt.Errorf("cybercrime: evidence from %s: %w (sha-256 %s, %d bytes)", host, errEvidenceHash, b.SHA256, b.Size)
	}
	return nil
}

// ServeEvidence gives a file to the node of the other side of a request,
// and to no other: the request must be between an organisation of this
// node and one of the asking peer's, and the file one of its own.
func (s *Service) ServeEvidence(ctx context.Context, peer federation.Peer, from, origin, sum string) (Evidence, io.ReadCloser, error) {
	if err := s.evidenceReady(); err != nil {
		return Evidence{}, nil, err
	}
	notFound := errOp("evidence", core.KindNotFound, "err.not_found")
	var rows []Request
	if err := s.db.R().Select(ctx, &rows, `SELECT `+requestColumns+` FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND purged = FALSE`, from, origin); err != nil {
		return Evidence{}, nil, core.Wrap("cybercrime: serve evidence", err)
	}
	ok := false
	for _, r := range rows {
		if _, h, _ := federation.Address(r.other()); h == peer.Host && r.State != StateDraft && r.State != StateApproved {
			ok = true
		}
	}
	if !ok {
		return Evidence{}, nil, notFound
	}
	var ev Evidence
	if err := s.db.R().Get(ctx, &ev, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE request_from = ? AND request_origin = ? AND sha256 = ? AND stored = TRUE LIMIT 1`, from, origin, sum); err != nil {
		return Evidence{}, nil, notFound
	}
	body, _, err := s.ev.Blobs.Open(ctx, ev.SHA256)
	return ev, body, err
}

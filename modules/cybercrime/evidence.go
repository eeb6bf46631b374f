package cybercrime

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/blobs"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// Evidence is a file attached to a request, as this node holds it. Both
// sides (and both rows of a request between two organisations of one node)
// share it: it is keyed by the request's requesting address and origin id.
type Evidence struct {
	ID            string    `db:"id" json:"id"`
	RequestFrom   string    `db:"request_from" json:"-"`
	RequestOrigin string    `db:"request_origin" json:"-"`
	OriginID      string    `db:"origin_id" json:"origin_id"`
	SHA256        string    `db:"sha256" json:"sha256"`
	Size          int64     `db:"size" json:"size"`
	Name          string    `db:"name" json:"name"`
	ContentType   string    `db:"content_type" json:"content_type"`
	AddedBy       string    `db:"added_by" json:"added_by"`
	AddedAddr     string    `db:"added_addr" json:"added_addr"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	// Stored says whether this node holds the bytes yet: the other side's
	// files arrive after their manifest.
	Stored     bool   `db:"stored" json:"stored"`
	FetchError string `db:"fetch_error" json:"-"`

	Custody []CustodyRecord `db:"-" json:"-"`
}

const evidenceColumns = `id, request_from, request_origin, origin_id, sha256, size, name, content_type, added_by, added_addr, created_at, stored, fetch_error`

// EvidenceFed is what evidence needs of federation beyond Fed: signing
// statements, the keys it verified, and files streamed between peers.
type EvidenceFed interface {
	SignStatement(context string, v any) ([]byte, error)
	SigningKey() ed25519.PublicKey
	PeerKey(ctx context.Context, host string) (ed25519.PublicKey, error)
	GetStream(ctx context.Context, host, pathQuery string) (io.ReadCloser, int64, error)
	VerifyRequest(ctx context.Context, r *http.Request, body []byte) (federation.Peer, error)
	PeerByHost(ctx context.Context, host string) (federation.Peer, error)
}

// EvidenceOptions are what evidence files are kept and moved with.
type EvidenceOptions struct {
	Blobs  blobs.Store
	Ledger *ledger.Log
	Fed    EvidenceFed
	Jobs   *jobs.Queue
	// MaxFile is the largest evidence file taken; default 4 GiB.
	MaxFile int64
	// NodeName is this node's name, said in packages.
	NodeName string
}

// DefaultMaxEvidence is the default largest evidence file: a disk image or
// a mailbox export runs to gigabytes.
const DefaultMaxEvidence = 4 << 30

// UseEvidence gives the service what evidence files need. Without it (or
// without a blob store) a request takes no files.
func (s *Service) UseEvidence(o EvidenceOptions) {
	if o.MaxFile <= 0 {
		o.MaxFile = DefaultMaxEvidence
	}
	s.ev = &o
	if o.Jobs != nil {
		// A job's lock lasts ten minutes: a longer attempt would be run
		// twice, which wastes a transfer but stores the file once.
		o.Jobs.Register(jobs.Kind{Name: jobFetch, MaxAttempts: 12, Timeout: 9 * time.Minute, Handle: s.fetchJob})
	}
	s.OnPurge(s.purgeEvidence)
}

// MaxEvidence is the largest file an upload may carry (0: no evidence).
func (s *Service) MaxEvidence() int64 {
	if s.ev == nil || s.ev.Blobs == nil {
		return 0
	}
	return s.ev.MaxFile
}

func (s *Service) evidenceReady() error {
	if s.ev == nil || s.ev.Blobs == nil || s.ev.Fed == nil || s.ev.Ledger == nil {
		return errOp("evidence", core.KindUnavailable, "err.cyb_evidence_off")
	}
	return nil
}

// Upload is a file as a person adds it: its bytes stream from Body.
type Upload struct {
	Name        string
	ContentType string
	Place       string // where the person holds it (a lab, an office)
	Body        io.Reader
}

// cleanName keeps the last element of a browser's file name, trimmed.
func cleanName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	n = strings.TrimSpace(path.Base(n))
	if n == "." || n == "/" {
		return ""
	}
	return n
}

func cleanType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || len(mt) > 100 {
		return "application/octet-stream"
	}
	return mt
}

// AddEvidence stores a file on a request, hashing it as it streams in, and
// records its "created" custody event signed by this node; once the request
// has been sent, the other side is told of it and fetches it.
func (s *Service) AddEvidence(ctx context.Context, id string, up Upload) (Evidence, error) {
	if err := s.evidenceReady(); err != nil {
		return Evidence{}, err
	}
	a := core.ActorFrom(ctx)
	r, err := s.readable(ctx, id)
	if err != nil {
		return Evidence{}, err
	}
	if err := access.Check(a, access.CybercrimeAct, access.Resource{OrgID: r.OrgID}); err != nil {
		return Evidence{}, err
	}
	if r.Purged || r.State == StateClosed || r.State == StateWithdrawn {
		return Evidence{}, errOp("evidence", core.KindConflict, "err.cyb_evidence_closed")
	}
	up.Name, up.Place = cleanName(up.Name), strings.TrimSpace(up.Place)
	p := core.Problems{}
	switch {
	case up.Name == "":
		p.Add("file", "err.required")
	case core.BadFileName(up.Name) || core.CheckText(up.Name) != "":
		// Control and format characters too: a bidi override shows
		// "invoice\u202Efdp.exe" as "invoiceexe.pdf" in every custody log.
		p.Add("file", "err.cyb_evidence_name")
	}
	// The place goes into the signed custody statement, which refuses a
	// NUL or invalid UTF-8: refused here, before the file is stored, and
	// named as the place's problem.
	if pr := core.CheckText(up.Place); pr != "" {
		p.Add("place", pr)
	} else if utf8.RuneCountInString(up.Place) > maxCustodyText {
		p.Add("place", "err.too_long")
	}
	// Counted here to refuse a file before its gigabytes are read, and
	// again in the transaction, where it counts.
	if full, err := evidenceFull(ctx, s.db.R(), r); err != nil {
		return Evidence{}, err
	} else if full {
		p.Add("file", "err.cyb_evidence_many")
	}
	if err := p.Err("cybercrime: evidence"); err != nil {
		return Evidence{}, err
	}
	b, err := s.ev.Blobs.Put(ctx, up.Body, s.ev.MaxFile)
	if err != nil {
		if core.KindOf(err) == core.KindTooLarge {
			return Evidence{}, core.Problems{"file": "err.cyb_evidence_large"}.Err("cybercrime: evidence")
		}
		return Evidence{}, err
	}
	var ev Evidence
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Uploads in parallel each counted 199 above. On PostgreSQL the
		// request's rows (both, for a request between two organisations
		// of this node: they share the files) are locked, in one order,
		// until this file is stored; SQLite writes one transaction at a
		// time. A file refused here leaves its blob unreferenced, which
		// costs space but never a row without its file.
		if tx.Engine() == store.Postgres {
			var ids []string
			if err := tx.Select(ctx, &ids, `SELECT id FROM cyb_requests WHERE from_addr = ? AND origin_id = ? ORDER BY id FOR UPDATE`, r.From, r.OriginID); err != nil {
				return core.Wrap("cybercrime: evidence", err)
			}
		}
		if full, err := evidenceFull(ctx, tx.Conn, r); err != nil {
			return err
		} else if full {
			return core.Problems{"file": "err.cyb_evidence_many"}.Err("cybercrime: evidence")
		}
		ev = Evidence{ID: core.NewID(tx.Now), RequestFrom: r.From, RequestOrigin: r.OriginID, SHA256: b.SHA256, Size: b.Size, Name: up.Name,
			ContentType: cleanType(up.ContentType), AddedBy: a.Name, AddedAddr: r.mine(), CreatedAt: tx.Now, Stored: true}
		ev.OriginID = ev.ID
		if _, err := tx.Exec(ctx, `INSERT INTO cyb_evidence (`+evidenceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ev.ID, ev.RequestFrom, ev.RequestOrigin, ev.OriginID, ev.SHA256, ev.Size, ev.Name, ev.ContentType, ev.AddedBy, ev.AddedAddr, ev.CreatedAt, ev.Stored, ""); err != nil {
			return core.Wrap("cybercrime: evidence", err)
		}
		if _, err := s.custody(ctx, tx, ev, Custody{Event: CustodyCreated, Actor: a.Name, ActorAddr: r.mine(), Place: up.Place}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "cybercrime.evidence.add", "cyb_request", r.ID, r.OrgID, ev.SHA256); err != nil {
			return err
		}
		if r.State == StateDraft || r.State == StateApproved {
			return nil // sent with the request
		}
		return s.announce(ctx, tx, r, []Evidence{ev}, a.Name)
	})
	return ev, err
}

// evidenceFull says whether a request holds as many files as its
// envelope's manifest may carry (maxManifestFiles): a peer refuses a
// manifest with more, and so every later update of the request.
func evidenceFull(ctx context.Context, c store.Conn, r Request) (bool, error) {
	var n int
	if err := c.Get(ctx, &n, `SELECT COUNT(*) FROM cyb_evidence WHERE request_from = ? AND request_origin = ?`, r.From, r.OriginID); err != nil {
		return false, core.Wrap("cybercrime: evidence", err)
	}
	return n >= maxManifestFiles, nil
}

// EvidenceOf lists a request's files with their custody logs, each
// statement checked on read against the key this node holds for the node
// that made it, and each chain's links.
func (s *Service) EvidenceOf(ctx context.Context, r Request) ([]Evidence, error) {
	var out []Evidence
	if err := s.db.R().Select(ctx, &out, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE request_from = ? AND request_origin = ? ORDER BY created_at, id`, r.From, r.OriginID); err != nil {
		return nil, core.Wrap("cybercrime: evidence", err)
	}
	if len(out) == 0 || s.ev == nil || s.ev.Fed == nil {
		return out, nil
	}
	recs, err := s.custodyLog(ctx, r.From, r.OriginID)
	if err != nil {
		return nil, err
	}
	problems := checkChains(recs)
	for i := range out {
		for _, c := range recs {
			if c.Evidence == out[i].OriginID {
				if len(problems) > 0 && c.Problem == "" {
					// The signature holds, but the log around it does not.
					c.Problem = strings.Join(problems, "; ")
				}
				out[i].Custody = append(out[i].Custody, c)
			}
		}
	}
	return out, nil
}

// custodyLog reads a request's custody statements, checking each one's
// signature with the key this node holds for its node.
func (s *Service) custodyLog(ctx context.Context, from, origin string) ([]CustodyRecord, error) {
	var rows []struct {
		Statement string `db:"statement"`
		Hash      string `db:"hash"`
		Node      string `db:"node"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT statement, hash, node FROM cyb_custody WHERE request_from = ? AND request_origin = ? ORDER BY at, node, seq`, from, origin); err != nil {
		return nil, core.Wrap("cybercrime: custody", err)
	}
	keys := map[string]ed25519.PublicKey{}
	out := make([]CustodyRecord, 0, len(rows))
	for _, row := range rows {
		rec := CustodyRecord{Statement: []byte(row.Statement), Hash: StatementHash([]byte(row.Statement))}
		key, ok := keys[row.Node]
		if !ok {
			key, _ = s.ev.Fed.PeerKey(ctx, row.Node)
			keys[row.Node] = key
		}
		c, err := ParseCustody(rec.Statement)
		rec.Custody = c
		switch {
		case err != nil:
			rec.Problem = err.Error()
		case key == nil:
			rec.Problem = "no verified key for " + row.Node
		case c.Node != row.Node || rec.Hash != row.Hash:
			rec.Problem = "the statement is not the one stored"
		default:
			if _, err := VerifyCustody(rec.Statement, key); err != nil {
				rec.Problem = err.Error()
			} else {
				rec.Verified = true
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// custody records a custody event made by this node: it fills in the
// chain (seq, prev, after), the node and the time, signs it, keeps it and
// appends its hash to this node's ledger, all in tx.
func (s *Service) custody(ctx context.Context, tx *store.Tx, ev Evidence, c Custody) (CustodyRecord, error) {
	host := s.fed.Host()
	var last struct {
		Seq  int    `db:"seq"`
		Hash string `db:"hash"`
	}
	err := tx.Get(ctx, &last, `SELECT seq, hash FROM cyb_custody WHERE request_from = ? AND request_origin = ? AND evidence_origin = ? AND node = ? ORDER BY seq DESC LIMIT 1`,
		ev.RequestFrom, ev.RequestOrigin, ev.OriginID, host)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return CustodyRecord{}, core.Wrap("cybercrime: custody", err)
	}
	var after string
	err = tx.Get(ctx, &after, `SELECT hash FROM cyb_custody WHERE request_from = ? AND request_origin = ? AND evidence_origin = ? AND node <> ? ORDER BY at DESC, seq DESC LIMIT 1`,
		ev.RequestFrom, ev.RequestOrigin, ev.OriginID, host)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return CustodyRecord{}, core.Wrap("cybercrime: custody", err)
	}
	c.Request, c.RequestFrom, c.Evidence, c.SHA256, c.Size, c.Name = ev.RequestOrigin, ev.RequestFrom, ev.OriginID, ev.SHA256, ev.Size, ev.Name
	c.Seq, c.Prev, c.After, c.Node, c.At = last.Seq+1, last.Hash, after, host, tx.Now.UTC()
	for _, v := range []*string{&c.Actor, &c.Place, &c.To, &c.Note} {
		*v = trunc(*v, maxCustodyText)
	}
	if err := c.check(); err != nil {
		return CustodyRecord{}, err
	}
	b, err := s.ev.Fed.SignStatement(CustodyContext, c)
	if err != nil {
		return CustodyRecord{}, err
	}
	rec := CustodyRecord{Custody: c, Statement: b, Hash: StatementHash(b), Verified: true}
	id := core.NewID(tx.Now)
	idx, err := s.ev.Ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindCustody, Ref: "cyb-custody:" + id, Digest: rec.Hash})
	if err != nil {
		return CustodyRecord{}, err
	}
	if err := insertCustody(ctx, tx, id, rec, &idx[0]); err != nil {
		return CustodyRecord{}, err
	}
	return rec, nil
}

func insertCustody(ctx context.Context, tx *store.Tx, id string, rec CustodyRecord, ledgerIndex *int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO cyb_custody (id, request_from, request_origin, evidence_origin, node, seq, event, at, hash, statement, ledger_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, rec.RequestFrom, rec.Request, rec.Evidence, rec.Node, rec.Seq, rec.Event, rec.At, rec.Hash, string(rec.Statement), ledgerIndex)
	return core.Wrap("cybercrime: custody", err)
}

// evidenceFile finds one file of a request the actor may read.
func (s *Service) evidenceFile(ctx context.Context, r Request, evID string) (Evidence, error) {
	var ev Evidence
	err := s.db.R().Get(ctx, &ev, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE id = ? AND request_from = ? AND request_origin = ?`, evID, r.From, r.OriginID)
	if core.KindOf(err) == core.KindNotFound {
		return ev, errOp("evidence", core.KindNotFound, "err.not_found")
	}
	return ev, core.Wrap("cybercrime: evidence", err)
}

// OpenEvidence gives a person a file's bytes and records that they opened
// it: the custody log says who had the file in hand.
func (s *Service) OpenEvidence(ctx context.Context, id, evID string) (Evidence, io.ReadCloser, error) {
	if err := s.evidenceReady(); err != nil {
		return Evidence{}, nil, err
	}
	a := core.ActorFrom(ctx)
	r, err := s.readable(ctx, id)
	if err != nil {
		return Evidence{}, nil, err
	}
	ev, err := s.evidenceFile(ctx, r, evID)
	if err != nil {
		return ev, nil, err
	}
	if !ev.Stored {
		return ev, nil, errOp("evidence", core.KindConflict, "err.cyb_evidence_pending")
	}
	body, _, err := s.ev.Blobs.Open(ctx, ev.SHA256)
	if err != nil {
		return ev, nil, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := s.custody(ctx, tx, ev, Custody{Event: CustodyOpened, Actor: a.Name, ActorAddr: r.mine()}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "cybercrime.evidence.open", "cyb_request", r.ID, r.OrgID, ev.SHA256); err != nil {
			return err
		}
		return s.tellCustody(ctx, tx, r, ev)
	})
	if err != nil {
		body.Close()
		return ev, nil, err
	}
	return ev, body, nil
}

// HandOver is what a person records when a file leaves the system: to
// whom (a court, a prosecutor, an expert) and where.
type HandOver struct {
	To    string
	Place string
	Note  string
}

// RecordHandOver records that a person handed a file over.
func (s *Service) RecordHandOver(ctx context.Context, id, evID string, h HandOver) error {
	if err := s.evidenceReady(); err != nil {
		return err
	}
	a := core.ActorFrom(ctx)
	r, err := s.readable(ctx, id)
	if err != nil {
		return err
	}
	if err := access.Check(a, access.CybercrimeAct, access.Resource{OrgID: r.OrgID}); err != nil {
		return err
	}
	ev, err := s.evidenceFile(ctx, r, evID)
	if err != nil {
		return err
	}
	h.To, h.Place, h.Note = strings.TrimSpace(h.To), strings.TrimSpace(h.Place), strings.TrimSpace(h.Note)
	p := core.Problems{}
	for field, v := range map[string]string{"to": h.To, "place": h.Place} {
		if v == "" {
			p.Add(field, "err.required")
		}
	}
	for field, v := range map[string]string{"to": h.To, "place": h.Place, "note": h.Note} {
		if pr := core.CheckText(v); pr != "" {
			p.Add(field, pr) // as for an upload's place
		} else if utf8.RuneCountInString(v) > maxCustodyText {
			p.Add(field, "err.too_long")
		}
	}
	if err := p.Err("cybercrime: hand over"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := s.custody(ctx, tx, ev, Custody{Event: CustodyHandedOver, Actor: a.Name, ActorAddr: r.mine(), To: h.To, Place: h.Place, Note: h.Note}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "cybercrime.evidence.handover", "cyb_request", r.ID, r.OrgID, ev.SHA256); err != nil {
			return err
		}
		return s.tellCustody(ctx, tx, r, ev)
	})
}

// purgeEvidence deletes a request's files when its retention ends: the
// rows, and the bytes unless another request holds the same file. The
// custody statements' hashes stay in the ledger.
func (s *Service) purgeEvidence(ctx context.Context, tx *store.Tx, requestID string) error {
	r, err := getRequest(ctx, tx.Conn, requestID)
	if err != nil {
		return err
	}
	var files []Evidence
	if err := tx.Select(ctx, &files, `SELECT `+evidenceColumns+` FROM cyb_evidence WHERE request_from = ? AND request_origin = ?`, r.From, r.OriginID); err != nil {
		return core.Wrap("cybercrime: purge evidence", err)
	}
	// Both rows of a request between two organisations of this node share
	// the files: they go when the last row is purged.
	var rows int
	if err := tx.Get(ctx, &rows, `SELECT COUNT(*) FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND purged = FALSE AND id <> ?`, r.From, r.OriginID, r.ID); err != nil {
		return core.Wrap("cybercrime: purge evidence", err)
	}
	if rows > 0 {
		return nil
	}
	for _, f := range files {
		var others int
		if err := tx.Get(ctx, &others, `SELECT COUNT(*) FROM cyb_evidence WHERE sha256 = ? AND NOT (request_from = ? AND request_origin = ?)`, f.SHA256, r.From, r.OriginID); err != nil {
			return core.Wrap("cybercrime: purge evidence", err)
		}
		if others == 0 && s.ev != nil && s.ev.Blobs != nil {
			if err := s.ev.Blobs.Delete(ctx, f.SHA256); err != nil {
				return err
			}
		}
	}
	for _, q := range []string{`DELETE FROM cyb_custody WHERE request_from = ? AND request_origin = ?`, `DELETE FROM cyb_evidence WHERE request_from = ? AND request_origin = ?`} {
		if _, err := tx.Exec(ctx, q, r.From, r.OriginID); err != nil {
			return core.Wrap("cybercrime: purge evidence", err)
		}
	}
	return nil
}

var errEvidenceHash = errors.New("the file's hash or size is not the manifest's")

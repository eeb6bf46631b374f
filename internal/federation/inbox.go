package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"entente.example/entente/core"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// refuse is an inbound request refused with a reason the sending node logs.
func refuse(kind core.Kind, reason string) error {
	return &core.Error{Kind: kind, Op: "federation: inbox", Message: "err.federation_refused", Err: errors.New(reason)}
}

// Refusal returns the reason an inbound request was refused, for the answer
// to the peer (it is about the peer's own request, so it may say why).
func Refusal(err error) string {
	if ce := core.AsError(err); ce != nil && ce.Err != nil && ce.Message == "err.federation_refused" {
		return ce.Err.Error()
	}
	return ""
}

// addrLimiter bounds requests per client address: 500 a second, bursts of
// 1,000. The table is reset when it grows large, which only ever loosens it.
func (s *Service) addrLimiter(ip string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.addrLimiters) > 10000 {
		s.addrLimiters = map[string]*rate.Limiter{}
	}
	l, ok := s.addrLimiters[ip]
	if !ok {
		l = rate.NewLimiter(500, 1000)
		s.addrLimiters[ip] = l
	}
	return l
}

func (s *Service) limiter(host string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.limiters[host]
	if !ok {
		l = rate.NewLimiter(s.opt.PeerRate, int(s.opt.PeerRate)*2)
		s.limiters[host] = l
	}
	return l
}

// verifyPeerRequest checks the HTTP signature of a request from a peer over
// the exact body received, and returns the verified peer.
func (s *Service) verifyPeerRequest(ctx context.Context, r *http.Request, body []byte) (Peer, error) {
	peer, v, err := s.verifyPeerHeaders(ctx, r)
	if err != nil {
		return Peer{}, err
	}
	if err := CheckBody(r, v, body); err != nil {
		return Peer{}, refuse(core.KindUnauthenticated, err.Error())
	}
	return peer, nil
}

// verifyPeerHeaders checks a peer's request before its body is read: the
// signature over the headers, its time window, the covered components, and
// that the signer is a verified peer. The body must then be checked with
// CheckBody.
func (s *Service) verifyPeerHeaders(ctx context.Context, r *http.Request) (Peer, Verified, error) {
	// Before any signature work or database lookup: a bound per address, so
	// that nobody without a key can make the node spend its CPU on them.
	if ip := core.RequestFrom(ctx).IP; ip != "" && !s.addrLimiter(ip).Allow() {
		return Peer{}, Verified{}, refuse(core.KindRateLimited, "too many requests from "+ip)
	}
	target := s.opt.BaseURL + r.URL.RequestURI()
	var peer Peer
	v, err := VerifyHeaders(r, target, VerifyOptions{
		Required: RequiredComponents,
		Now:      s.db.Clock().Now(),
		MaxSkew:  s.opt.MaxSkew,
		Key: func(keyid string) (ed25519.PublicKey, error) {
			p, err := s.PeerByHost(ctx, keyid)
			if err != nil {
				return nil, refuse(core.KindForbidden, "unknown peer "+keyid)
			}
			if p.Status != PeerVerified {
				return nil, refuse(core.KindForbidden, "peer "+keyid+" is "+p.Status+", not verified")
			}
			peer = p
			return p.SigningKey, nil
		},
	})
	if err != nil {
		if core.AsError(err) != nil {
			return Peer{}, Verified{}, err
		}
		return Peer{}, Verified{}, refuse(core.KindUnauthenticated, err.Error())
	}
	return peer, v, nil
}

// bodySlot takes one of a peer's inbound body slots, or reports that all are
// in use: a verified peer may hold at most PeerBodies bodies in memory at
// once (PeerBodies × MaxBatch bytes), however many connections it opens.
func (s *Service) bodySlot(host string) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reading[host] >= s.opt.PeerBodies {
		return nil, false
	}
	s.reading[host]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.reading[host]--; s.reading[host] <= 0 {
			delete(s.reading, host)
		}
	}, true
}

// readBody reads a verified peer's body within the size limit and the body
// timeout, and checks it against the signed Content-Digest.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request, v Verified) ([]byte, error) {
	if r.ContentLength > MaxBatch {
		return nil, refuse(core.KindTooLarge, "body over the size limit")
	}
	if w != nil {
		// The server's read timeout is long enough for the slowest page;
		// a peer's body gets BodyTimeout, counted from now, like a header.
		// A writer that cannot set deadlines (a test recorder) is not bounded.
		// Once the body is in, net/http clears the deadline itself before
		// it watches the connection for a client that leaves.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opt.BodyTimeout))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBatch+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, refuse(core.KindTooLarge, "body over the size limit")
		}
		return nil, refuse(core.KindInvalid, "reading the body: "+err.Error())
	}
	if len(body) > MaxBatch {
		return nil, refuse(core.KindTooLarge, "body over the size limit")
	}
	if err := CheckBody(r, v, body); err != nil {
		return nil, refuse(core.KindUnauthenticated, err.Error())
	}
	return body, nil
}

// Receive takes envelopes from a peer: one envelope, or a JSON array of them
// (a batch, committed together). It checks the HTTP signature and the sender
// before reading the body, then the body against the signed digest, then
// each envelope: that the signer owns the sender's address and the recipient
// is here, the time window, and that the id is new. Each accepted envelope is
// stored, applied, recorded in the ledger and receipted in the same
// transaction; a refused one leaves nothing behind. The same envelope again
// gets the same receipt and is stored once. w, when not nil, is used to bound
// the time the body may take.
func (s *Service) Receive(ctx context.Context, w http.ResponseWriter, r *http.Request) ([]byte, error) {
	peer, v, err := s.verifyPeerHeaders(ctx, r)
	if err != nil {
		return nil, err
	}
	// The slot is held until the body is stored or refused: it bounds what
	// the peer's bodies take in memory, not only while they arrive.
	release, ok := s.bodySlot(peer.Host)
	if !ok {
		return nil, refuse(core.KindRateLimited, fmt.Sprintf("%s is already sending %d bodies", peer.Host, s.opt.PeerBodies))
	}
	defer release()
	body, err := s.readBody(w, r, v)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, refuse(core.KindInvalid, "batch: "+err.Error())
		}
		if len(raws) == 0 || len(raws) > MaxBatchLen {
			return nil, refuse(core.KindInvalid, fmt.Sprintf("batch: want 1 to %d envelopes", MaxBatchLen))
		}
		// The rate is counted in envelopes, once the signature has proved
		// who is sending: nobody can spend a peer's allowance for it.
		if !s.limiter(peer.Host).AllowN(time.Now(), len(raws)) {
			return nil, refuse(core.KindRateLimited, "too many envelopes from "+peer.Host)
		}
		results, err := s.receiveMany(ctx, peer, raws)
		if err != nil {
			return nil, err
		}
		return json.Marshal(results)
	}
	if !s.limiter(peer.Host).Allow() {
		return nil, refuse(core.KindRateLimited, "too many envelopes from "+peer.Host)
	}
	results, err := s.receiveMany(ctx, peer, []json.RawMessage{body})
	if err != nil {
		return nil, err
	}
	if res := results[0]; res.Error != "" {
		return nil, refuse(res.Kind, res.Error)
	}
	return results[0].Receipt, nil
}

// MaxBatch is the largest batch body a node accepts; MaxBatchLen the most
// envelopes in one.
const (
	MaxBatch    = 8 << 20
	MaxBatchLen = 500
)

// BatchResult is the answer for one envelope of a batch: its receipt, or why
// it was refused.
type BatchResult struct {
	Envelope string          `json:"envelope,omitempty"`
	Receipt  json.RawMessage `json:"receipt,omitempty"`
	Kind     core.Kind       `json:"kind,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// receiveMany applies envelopes in one transaction, each in its own
// savepoint: a refused or failing envelope leaves nothing behind and does not
// stop the others.
func (s *Service) receiveMany(ctx context.Context, peer Peer, raws []json.RawMessage) ([]BatchResult, error) {
	results := make([]BatchResult, len(raws))
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		for i, raw := range raws {
			var id struct {
				ID string `json:"id"`
			}
			json.Unmarshal(raw, &id)
			results[i].Envelope = id.ID
			if len(raw) > MaxEnvelope {
				results[i].Kind, results[i].Error = core.KindTooLarge, "envelope over the size limit"
				continue
			}
			var receipt []byte
			err := tx.Savepoint(ctx, func() error {
				var err error
				receipt, err = s.receiveOne(ctx, tx, peer, raw)
				return err
			})
			switch {
			case err == nil:
				results[i].Receipt = receipt
			case core.KindOf(err) == core.KindConflict && Refusal(err) == "":
				// Delivered twice at once (two claims, or two replicas): the
				// other copy won; answer with its receipt.
				var prev struct {
					Digest  string `db:"digest"`
					Receipt string `db:"receipt"`
				}
				gerr := tx.Get(ctx, &prev, `SELECT digest, receipt FROM inbox WHERE envelope_id = ?`, id.ID)
				switch {
				case gerr == nil && prev.Digest == ledger.Digest(raw):
					results[i].Receipt = json.RawMessage(prev.Receipt)
				case gerr == nil:
					results[i].Kind, results[i].Error = core.KindConflict, "envelope id already used"
				default:
					// Another envelope brought the same thing (what the
					// module keys it by); its cause is SQL, kept here.
					s.log.Warn("federation: receive", "envelope", id.ID, "request_id", core.RequestFrom(ctx).ID, "err", err)
					results[i].Kind, results[i].Error = core.KindConflict, "this node already holds what the envelope carries, from another envelope"
				}
			case Refusal(err) != "":
				results[i].Kind, results[i].Error = core.KindOf(err), Refusal(err)
			default:
				// This node's own failure with this envelope: the sender
				// retries it later; the rest of the batch goes on.
				// Its cause (SQL, say) stays in this node's log; the peer
				// gets the request id to quote to this node's operator.
				rid := core.RequestFrom(ctx).ID
				s.log.Error("federation: receive", "envelope", id.ID, "request_id", rid, "err", err)
				results[i].Kind, results[i].Error = core.KindInternal, "the receiving node failed to store this envelope; try again later (request "+rid+")"
			}
		}
		return nil
	})
	return results, err
}

// receiveOne checks, stores, applies and receipts one envelope in tx.
func (s *Service) receiveOne(ctx context.Context, tx *store.Tx, peer Peer, body []byte) ([]byte, error) {
	env, err := DecodeEnvelope(body)
	if err != nil {
		return nil, refuse(core.KindInvalid, err.Error())
	}
	_, fromHost, _ := Address(env.From)
	toHandle, toHost, _ := Address(env.To)
	now := s.db.Clock().Now()
	switch {
	case fromHost != peer.Host:
		return nil, refuse(core.KindForbidden, fmt.Sprintf("%s may not send for %s", peer.Host, env.From))
	case toHost != s.host:
		return nil, refuse(core.KindInvalid, env.To+" is not on this node")
	case env.Created.After(now.Add(s.opt.MaxSkew)):
		return nil, refuse(core.KindInvalid, fmt.Sprintf("envelope created %s: in the future (this node's clock says %s)", env.Created.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case env.Created.Before(now.Add(-s.opt.MaxAge)):
		// Retries, even an administrator's after a long outage, do not
		// take this long: such a created is backdated.
		return nil, refuse(core.KindInvalid, fmt.Sprintf("envelope created %s: older than the %s this node accepts", env.Created.UTC().Format(time.RFC3339), s.opt.MaxAge))
	}
	prefix, _, _ := strings.Cut(env.Type, ".")
	h, ok := s.handlers[prefix]
	if !ok {
		return nil, refuse(core.KindInvalid, "unknown envelope type "+env.Type)
	}
	digest := ledger.Digest(body)
	var prev struct {
		Digest  string `db:"digest"`
		Receipt string `db:"receipt"`
	}
	err = tx.Get(ctx, &prev, `SELECT digest, receipt FROM inbox WHERE envelope_id = ?`, env.ID)
	if err == nil {
		if prev.Digest != digest {
			return nil, refuse(core.KindConflict, "envelope id "+env.ID+" was already used for other content")
		}
		return []byte(prev.Receipt), nil
	}
	if core.KindOf(err) != core.KindNotFound {
		return nil, err
	}
	payload, err := env.Open(s.keys.HPKE)
	if err != nil {
		return nil, refuse(core.KindInvalid, err.Error())
	}
	// The payload is parsed by the module: a key twice or a NUL in it would
	// mean two things, or be stored by SQLite and refused by PostgreSQL
	// (which would fail until the retry horizon). Refused here, for good.
	if err := core.CheckJSON(payload); err != nil {
		return nil, refuse(core.KindInvalid, "payload: "+err.Error())
	}
	if err := h.Receive(ctx, tx, env, payload); err != nil {
		return nil, handlerRefusal(env, toHandle, err)
	}
	idx, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindReceived, Ref: env.ID, Digest: digest})
	if err != nil {
		return nil, err
	}
	receipt, err := signJSON("receipt", Receipt{Envelope: env.ID, Digest: digest, Received: tx.Now, Index: idx[0], Node: s.host, Kind: ledger.KindReceived}, s.keys.Signing)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO inbox (envelope_id, peer_id, type, from_addr, to_addr, digest, body, received_at, log_index, receipt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		env.ID, peer.ID, env.Type, env.From, env.To, digest, body, tx.Now, idx[0], string(receipt))
	return receipt, core.Wrap("federation: inbox", err)
}

// handlerRefusal turns a module's error into the answer to the peer. A
// module's own refusal says why, from its cause; an error from the database
// says nothing of it (no SQL goes to a peer): a unique violation is another
// delivery of the same envelope that committed first, and goes back unrefused
// to receiveMany, which answers it as the duplicate it is; anything else is
// this node's failure.
func handlerRefusal(env Envelope, toHandle string, err error) error {
	ce := core.AsError(err)
	switch {
	case ce == nil || ce.Kind == core.KindInternal || ce.Kind == core.KindUnavailable:
		return err
	case fromStore(err) && ce.Kind == core.KindConflict:
		return err
	case fromStore(err):
		return &core.Error{Kind: core.KindInternal, Op: "federation: inbox", Err: err}
	}
	reason := ce.Message
	if ce.Err != nil {
		reason = ce.Err.Error()
	}
	return refuse(ce.Kind, fmt.Sprintf("%s refused by %s: %s", env.Type, toHandle, reason))
}

// fromStore reports whether err comes from a database driver (PostgreSQL's
// errors carry an SQLSTATE, SQLite's a result code); its text is SQL and
// stays in this node's log.
func fromStore(err error) bool {
	var pg interface{ SQLState() string }
	var lite interface {
		Code() int
		Error() string
	}
	return errors.As(err, &pg) || errors.As(err, &lite)
}

// DirectoryFor answers a verified peer's signed request for this node's
// organisations, signed in turn.
func (s *Service) DirectoryFor(ctx context.Context, r *http.Request) ([]byte, error) {
	if _, err := s.verifyPeerRequest(ctx, r, nil); err != nil {
		return nil, err
	}
	var orgs []OrgInfo
	if s.dir != nil {
		var err error
		if orgs, err = s.dir.PublicOrgs(ctx); err != nil {
			return nil, err
		}
	}
	if orgs == nil {
		orgs = []OrgInfo{}
	}
	return signJSON("directory", orgs, s.keys.Signing)
}

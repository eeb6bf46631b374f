package federation

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the federation schema.
func Migrations() store.Migrations { return store.Embedded("federation", schemaFS) }

// Peer states.
const (
	PeerPending   = "pending"   // added, fingerprint not yet confirmed
	PeerVerified  = "verified"  // may send and receive
	PeerSuspended = "suspended" // temporarily refused both ways
)

// Handler applies inbound envelopes of the types a module owns. Receive runs
// in the transaction that stores the envelope: an error refuses the envelope
// and nothing is stored.
type Handler interface {
	Receive(ctx context.Context, tx *store.Tx, env Envelope, payload []byte) error
}

// UndeliveredHandler is told, in a transaction, when an envelope it sent could
// not be delivered within the retry horizon, so it can tell the sender.
type UndeliveredHandler interface {
	Undelivered(ctx context.Context, tx *store.Tx, envelopeID, reason string) error
}

// OrgInfo is an organisation as the directory shows it to peers.
type OrgInfo struct {
	Handle  string `json:"handle" db:"handle"`
	Kind    string `json:"kind" db:"kind"`
	Country string `json:"country,omitempty" db:"country"`
	NameEN  string `json:"name_en" db:"name_en"`
	NameID  string `json:"name_id,omitempty" db:"name_id"`
}

// Directory lists this node's organisations for peers and checks addresses.
type Directory interface {
	PublicOrgs(ctx context.Context) ([]OrgInfo, error)
}

// Options configure the service.
type Options struct {
	BaseURL      string
	Name         string
	Operator     string
	Country      string
	Version      string
	Horizon      time.Duration // retry horizon; default 72 h
	MaxSkew      time.Duration // accepted clock difference; default 5 min
	AllowPrivate bool          // allow peers on loopback and private addresses (tests, demos)
	PerPeer      int           // concurrent deliveries per peer; default 4
	// RequestTimeout bounds one delivery request; default 60 s. A claim on
	// envelopes lasts 30 s longer, so no two deliverers send them at once.
	RequestTimeout time.Duration
	PeerRate       rate.Limit // inbound envelopes per second per peer; default 10,000
	// PeerBodies bounds the request bodies one peer may have this node read
	// at once; default 4 (4 × MaxBatch bytes at most).
	PeerBodies int
	// BodyTimeout bounds the time a peer's request body may take to arrive,
	// counted once its signature has been checked; default 10 s.
	BodyTimeout time.Duration
	// MaxAge is how old an envelope's created may be; default 30 days. It
	// is far longer than the retry horizon because an administrator may
	// retry envelopes after an outage longer than the horizon (Retry), and
	// bounded so that a peer cannot date an envelope years back.
	MaxAge time.Duration
	// Rotations are this node's key rotation statements (LoadRotations).
	Rotations []json.RawMessage
}

// Service is a node's federation.
type Service struct {
	opt      Options
	db       *store.DB
	log      *slog.Logger
	ledger   *ledger.Log
	keys     *keys.Node
	host     string
	client   *http.Client
	handlers map[string]Handler // by type prefix before the first dot
	dir      Directory

	descMu sync.Mutex
	desc   []byte // signed, once its created is known

	mu       sync.Mutex
	peers    map[string]*peerState // by peer id
	limiters map[string]*rate.Limiter
	// addrLimiters bound requests per client address before verification.
	addrLimiters map[string]*rate.Limiter
	reading      map[string]int // bodies being read, by peer host
	wake         chan struct{}
}

// New returns the federation service of a node.
func New(db *store.DB, l *ledger.Log, k *keys.Node, logger *slog.Logger, opt Options) (*Service, error) {
	u, err := url.Parse(opt.BaseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("federation: base URL %q", opt.BaseURL)
	}
	if opt.Horizon <= 0 {
		opt.Horizon = 72 * time.Hour
	}
	if opt.MaxSkew <= 0 {
		opt.MaxSkew = 5 * time.Minute
	}
	if opt.PerPeer <= 0 {
		opt.PerPeer = 4
	}
	if opt.RequestTimeout <= 0 {
		opt.RequestTimeout = 60 * time.Second
	}
	if opt.PeerRate <= 0 {
		opt.PeerRate = 10000
	}
	if opt.PeerBodies <= 0 {
		opt.PeerBodies = 4
	}
	if opt.BodyTimeout <= 0 {
		opt.BodyTimeout = 10 * time.Second
	}
	if opt.MaxAge <= 0 {
		opt.MaxAge = max(30*24*time.Hour, opt.Horizon+opt.MaxSkew)
	}
	return &Service{
		opt: opt, db: db, log: logger, ledger: l, keys: k, host: u.Host,
		client:       newClient(opt.AllowPrivate),
		handlers:     map[string]Handler{},
		peers:        map[string]*peerState{},
		limiters:     map[string]*rate.Limiter{},
		addrLimiters: map[string]*rate.Limiter{},
		reading:      map[string]int{},
		wake:         make(chan struct{}, 1),
	}, nil
}

// Host is this node's name in addresses.
func (s *Service) Host() string { return s.host }

// Handle routes inbound envelopes whose type starts with prefix + "." to h.
func (s *Service) Handle(prefix string, h Handler) { s.handlers[prefix] = h }

// UseDirectory sets where the list of this node's organisations comes from.
func (s *Service) UseDirectory(d Directory) { s.dir = d }

// Fingerprint is this node's signing key fingerprint.
func (s *Service) Fingerprint() string {
	return keys.Fingerprint(s.keys.Signing.Public().(ed25519.PublicKey))
}

// Peer is a known node.
type Peer struct {
	ID         string     `db:"id" json:"id"`
	Host       string     `db:"host" json:"host"`
	BaseURL    string     `db:"base_url" json:"base_url"`
	Name       string     `db:"name" json:"name"`
	Country    string     `db:"country" json:"country,omitempty"`
	Operator   string     `db:"operator" json:"operator"`
	SigningKey []byte     `db:"signing_key" json:"-"`
	HPKEKey    []byte     `db:"hpke_key" json:"-"`
	LedgerKey  string     `db:"ledger_key" json:"ledger_key"`
	Status     string     `db:"status" json:"status"`
	AddedAt    time.Time  `db:"added_at" json:"added_at"`
	VerifiedAt *time.Time `db:"verified_at" json:"verified_at"`
}

const peerColumns = `id, host, base_url, name, country, operator, signing_key, hpke_key, ledger_key, status, added_at, verified_at`

// Fingerprint of the peer's signing key, in groups people can read aloud.
func (p Peer) Fingerprint() string { return keys.Fingerprint(p.SigningKey) }

// fetch GETs a URL from a peer with the node's limits.
func (s *Service) fetch(ctx context.Context, u string, signedBy bool) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if signedBy {
		if err := Sign(req, nil, u, s.keys.Signing, SignParams{KeyID: s.host, Alg: true}); err != nil {
			return nil, err
		}
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxEnvelope+1))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, statusError{url: u, code: res.StatusCode}
	}
	return b, nil
}

// statusError is a peer's non-200 answer.
type statusError struct {
	url  string
	code int
}

func (e statusError) Error() string { return fmt.Sprintf("%s: status %d", e.url, e.code) }

// AddPeer fetches a node's descriptor and records it as pending: it can do
// nothing until an administrator has compared its fingerprint and verified it.
func (s *Service) AddPeer(ctx context.Context, rawURL string) (Peer, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(rawURL), "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return Peer{}, core.Problems{"url": "err.url"}.Err("federation: add peer")
	}
	if u.Host == s.host {
		return Peer{}, core.Problems{"url": "err.peer_self"}.Err("federation: add peer")
	}
	b, err := s.fetch(ctx, u.String()+"/.well-known/entente", false)
	if err != nil {
		return Peer{}, &core.Error{Kind: core.KindInvalid, Op: "federation: add peer", Message: "err.form", Fields: core.Problems{"url": "err.peer_unreachable"}, Err: err}
	}
	d, err := OpenDescriptor(b)
	if err == nil && strings.TrimRight(d.BaseURL, "/") != u.String() {
		err = fmt.Errorf("descriptor: the node calls itself %s", d.BaseURL)
	}
	if err != nil {
		return Peer{}, &core.Error{Kind: core.KindInvalid, Op: "federation: add peer", Message: "err.form", Fields: core.Problems{"url": "err.peer_descriptor"}, Err: err}
	}
	var p Peer
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var existing Peer
		err := tx.Get(ctx, &existing, `SELECT `+peerColumns+` FROM peers WHERE host = ?`, d.Host())
		if err == nil {
			var held string
			if err := tx.Get(ctx, &held, `SELECT descriptor FROM peers WHERE id = ?`, existing.ID); err != nil {
				return core.Wrap("federation: add peer", err)
			}
			if err := olderThanHeld(d, held); err != nil {
				return &core.Error{Kind: core.KindInvalid, Op: "federation: add peer", Message: "err.form", Fields: core.Problems{"url": "err.peer_descriptor"}, Err: err}
			}
		}
		switch {
		case err == nil && bytes.Equal(existing.SigningKey, d.SigningKey):
			p = existing // same key: it keeps its status
			// The newest descriptor is the one held, so that an older one
			// replayed later is refused.
			_, err = tx.Exec(ctx, `UPDATE peers SET descriptor = ? WHERE id = ?`, string(b), existing.ID)
			return core.Wrap("federation: add peer", err)
		case err == nil && existing.Status != PeerPending && followRotations(existing.SigningKey, d.SigningKey, d.Rotations):
			// A key announced by the one that was verified keeps the trust.
			_, err = tx.Exec(ctx, `UPDATE peers SET signing_key = ?, hpke_key = ?, ledger_key = ?, descriptor = ?, updated_at = ? WHERE id = ?`,
				d.SigningKey, d.HPKEKey, d.LedgerKey, string(b), tx.Now, existing.ID)
			if err != nil {
				return core.Wrap("federation: add peer", err)
			}
			p = existing
			p.SigningKey, p.HPKEKey, p.LedgerKey = d.SigningKey, d.HPKEKey, d.LedgerKey
			return audit.Record(ctx, tx, "federation.peer.key_rotated", "peer", p.ID, "", d.Host()+" "+p.Fingerprint())
		case err == nil:
			// A new key for a known host is not taken on trust: it waits for
			// someone to compare the new fingerprint.
			_, err = tx.Exec(ctx, `UPDATE peers SET signing_key = ?, hpke_key = ?, ledger_key = ?, descriptor = ?, status = ?, verified_at = NULL, updated_at = ? WHERE id = ?`,
				d.SigningKey, d.HPKEKey, d.LedgerKey, string(b), PeerPending, tx.Now, existing.ID)
			if err != nil {
				return core.Wrap("federation: add peer", err)
			}
			p = existing
		case core.KindOf(err) == core.KindNotFound:
			p = Peer{ID: core.NewID(tx.Now), AddedAt: tx.Now}
			if _, err := tx.Exec(ctx, `INSERT INTO peers (id, host, base_url, name, country, operator, signing_key, hpke_key, ledger_key, descriptor, status, added_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.ID, d.Host(), d.BaseURL, d.Name, d.Country, d.Operator, d.SigningKey, d.HPKEKey, d.LedgerKey, string(b), PeerPending, tx.Now, tx.Now); err != nil {
				return core.Wrap("federation: add peer", err)
			}
		default:
			return core.Wrap("federation: add peer", err)
		}
		p.Host, p.BaseURL, p.Name, p.Country, p.Operator, p.SigningKey, p.HPKEKey, p.LedgerKey, p.Status =
			d.Host(), d.BaseURL, d.Name, d.Country, d.Operator, d.SigningKey, d.HPKEKey, d.LedgerKey, PeerPending
		return audit.Record(ctx, tx, "federation.peer.add", "peer", p.ID, "", d.Host()+" "+p.Fingerprint())
	})
	return p, err
}

// SetPeerStatus verifies, suspends or reinstates a peer.
func (s *Service) SetPeerStatus(ctx context.Context, id, status string) error {
	if status != PeerVerified && status != PeerSuspended {
		return core.Problems{"status": "err.choice"}.Err("federation: peer status")
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE peers SET status = ?, verified_at = CASE WHEN ? = 'verified' THEN ? ELSE verified_at END, updated_at = ? WHERE id = ?`, status, status, tx.Now, tx.Now, id)
		if err != nil {
			return core.Wrap("federation: peer status", err)
		}
		if n == 0 {
			return &core.Error{Kind: core.KindNotFound, Op: "federation: peer status", Message: "err.not_found"}
		}
		return audit.Record(ctx, tx, "federation.peer."+status, "peer", id, "", "")
	})
	if err != nil {
		return err
	}
	s.Wake()
	if status == PeerVerified {
		// Learn its organisations now rather than at the next refresh; a peer
		// that is down now is refreshed later.
		var p Peer
		if s.db.R().Get(ctx, &p, `SELECT `+peerColumns+` FROM peers WHERE id = ?`, id) == nil {
			if err := s.RefreshDirectory(ctx, p); err != nil {
				s.log.Debug("federation: directory", "peer", p.Host, "err", err)
			}
		}
	}
	return nil
}

// RemovePeer forgets a peer that never exchanged anything; one that did is
// kept for the record and can only be suspended.
func (s *Service) RemovePeer(ctx context.Context, id string) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.Get(ctx, &n, `SELECT (SELECT COUNT(*) FROM outbox WHERE peer_id = ?) + (SELECT COUNT(*) FROM inbox WHERE peer_id = ?)`, id, id); err != nil {
			return core.Wrap("federation: remove peer", err)
		}
		if n > 0 {
			return &core.Error{Kind: core.KindConflict, Op: "federation: remove peer", Message: "err.peer_has_history"}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM peers WHERE id = ?`, id); err != nil {
			return core.Wrap("federation: remove peer", err)
		}
		return audit.Record(ctx, tx, "federation.peer.remove", "peer", id, "", "")
	})
}

// Peers lists known peers.
func (s *Service) Peers(ctx context.Context) ([]Peer, error) {
	var ps []Peer
	err := s.db.R().Select(ctx, &ps, `SELECT `+peerColumns+` FROM peers ORDER BY host`)
	return ps, core.Wrap("federation: peers", err)
}

// PeerByHost returns a peer.
func (s *Service) PeerByHost(ctx context.Context, host string) (Peer, error) {
	var p Peer
	err := s.db.R().Get(ctx, &p, `SELECT `+peerColumns+` FROM peers WHERE host = ?`, host)
	return p, core.Wrap("federation: peer "+host, err)
}

// RemoteOrgs lists the organisations of verified peers, as their directories
// last said.
func (s *Service) RemoteOrgs(ctx context.Context) ([]RemoteOrg, error) {
	var out []RemoteOrg
	err := s.db.R().Select(ctx, &out, `SELECT o.handle, o.kind, o.country, o.name_en, o.name_id, p.host FROM peer_orgs o JOIN peers p ON p.id = o.peer_id WHERE p.status = 'verified' ORDER BY p.host, o.handle`)
	return out, core.Wrap("federation: remote orgs", err)
}

// RemoteOrg is an organisation on a peer.
type RemoteOrg struct {
	OrgInfo
	Host string `db:"host" json:"host"`
}

// Address returns the organisation's address.
func (o RemoteOrg) Address() string { return o.Handle + "@" + o.Host }

// RefreshDirectory fetches a verified peer's list of organisations.
func (s *Service) RefreshDirectory(ctx context.Context, p Peer) error {
	b, err := s.fetch(ctx, p.BaseURL+"/federation/v1/directory", true)
	if err != nil {
		return fmt.Errorf("federation: directory of %s: %w", p.Host, err)
	}
	body, err := openSigned("directory", b, p.SigningKey)
	if err != nil {
		return fmt.Errorf("federation: directory of %s: %w", p.Host, err)
	}
	var orgs []OrgInfo
	if err := strictUnmarshal(body, &orgs); err != nil || len(orgs) > 10000 {
		return fmt.Errorf("federation: directory of %s: %v", p.Host, err)
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Take the peer's row first: two refreshes at once (a periodic one
		// and one after verifying) would otherwise both delete nothing the
		// other inserted, and the second insert collide on PostgreSQL.
		if _, err := tx.Exec(ctx, `UPDATE peers SET id = id WHERE id = ?`, p.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM peer_orgs WHERE peer_id = ?`, p.ID); err != nil {
			return err
		}
		for _, o := range orgs {
			if !validHandle(o.Handle) {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO peer_orgs (peer_id, handle, kind, country, name_en, name_id) VALUES (?, ?, ?, ?, ?, ?)`,
				p.ID, o.Handle, o.Kind, o.Country, trunc(o.NameEN, 200), trunc(o.NameID, 200)); err != nil {
				return err
			}
		}
		return nil
	})
}

func validHandle(h string) bool {
	if len(h) < 2 || len(h) > 32 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func trunc(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// RefreshDirectories fetches every verified peer's directory; a periodic job.
func (s *Service) RefreshDirectories(ctx context.Context) error {
	ps, err := s.verifiedPeers(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range ps {
		errs = append(errs, s.RefreshDirectory(ctx, p))
	}
	return errors.Join(errs...)
}

// verifiedPeers lists the peers that may send and receive.
func (s *Service) verifiedPeers(ctx context.Context) ([]Peer, error) {
	var ps []Peer
	err := s.db.R().Select(ctx, &ps, `SELECT `+peerColumns+` FROM peers WHERE status = 'verified' ORDER BY host`)
	return ps, core.Wrap("federation: peers", err)
}

// Outgoing is an envelope to send.
type Outgoing struct {
	Type    string
	From    string // local organisation handle
	To      string // handle@host of a peer
	TLP     core.TLP
	Payload any // marshalled to JSON and sealed
}

// ErrPeerNotVerified is in the chain of Send's error when the recipient's
// node is not a verified peer: a caller that will send again once it is
// (a publication's catch-up) tells it from every other failure.
var ErrPeerNotVerified = errors.New("federation: peer not verified")

// Send seals an envelope for a verified peer, writes it to the outbox and
// records it in the ledger, all in tx: it goes out exactly when the change that
// caused it commits. It returns the envelope id.
func (s *Service) Send(ctx context.Context, tx *store.Tx, o Outgoing) (string, error) {
	_, host, ok := Address(o.To)
	if !ok {
		return "", core.Problems{"to": "err.address"}.Err("federation: send")
	}
	var p Peer
	err := tx.Get(ctx, &p, `SELECT `+peerColumns+` FROM peers WHERE host = ?`, host)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return "", core.Wrap("federation: send", err)
	}
	if err != nil || p.Status != PeerVerified {
		return "", &core.Error{Kind: core.KindInvalid, Op: "federation: send", Message: "err.form", Fields: core.Problems{"to": "err.peer_not_verified"}, Err: ErrPeerNotVerified}
	}
	payload, err := json.Marshal(o.Payload)
	if err != nil {
		return "", fmt.Errorf("federation: send: %w", err)
	}
	pub, err := ecdh.X25519().NewPublicKey(p.HPKEKey)
	if err != nil {
		return "", fmt.Errorf("federation: peer %s key: %w", p.Host, err)
	}
	env := Envelope{ID: core.NewID(tx.Now), Type: o.Type, From: o.From + "@" + s.host, To: o.To, Created: tx.Now, TLP: o.TLP}
	if err := env.Seal(pub, payload); err != nil {
		return "", err
	}
	body, err := json.Marshal(env)
	if err != nil {
		return "", err
	}
	if len(body) > MaxEnvelope {
		return "", core.Problems{"body": "err.too_long"}.Err("federation: send")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO outbox (id, peer_id, envelope_id, type, body, state, next_attempt_at, expires_at, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
		core.NewID(tx.Now), p.ID, env.ID, env.Type, body, tx.Now, tx.Now.Add(s.opt.Horizon), tx.Now); err != nil {
		return "", core.Wrap("federation: send", err)
	}
	if _, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindSent, Ref: env.ID, Digest: ledger.Digest(body)}); err != nil {
		return "", err
	}
	tx.AfterCommit(s.Wake)
	return env.ID, nil
}

// Delivery is the state of an envelope sent.
type Delivery struct {
	EnvelopeID  string     `db:"envelope_id" json:"envelope_id"`
	PeerHost    string     `db:"host" json:"peer"`
	State       string     `db:"state" json:"state"` // queued, delivered, undelivered
	Attempts    int        `db:"attempts" json:"attempts"`
	LastError   string     `db:"last_error" json:"last_error,omitempty"`
	DeliveredAt *time.Time `db:"delivered_at" json:"delivered_at,omitempty"`
	NextAttempt time.Time  `db:"next_attempt_at" json:"next_attempt_at"`
	Receipt     string     `db:"receipt" json:"receipt,omitempty"` // the signed receipt, as received
}

// Deliveries returns the delivery state of envelopes.
func (s *Service) Deliveries(ctx context.Context, ids []string) (map[string]Delivery, error) {
	out := map[string]Delivery{}
	if len(ids) == 0 {
		return out, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "?", id
	}
	var ds []Delivery
	if err := s.db.R().Select(ctx, &ds, `SELECT o.envelope_id, p.host, o.state, o.attempts, o.last_error, o.delivered_at, o.next_attempt_at, o.receipt
		FROM outbox o JOIN peers p ON p.id = o.peer_id WHERE o.envelope_id IN (`+strings.Join(marks, ",")+`)`, args...); err != nil {
		return nil, core.Wrap("federation: deliveries", err)
	}
	for _, d := range ds {
		out[d.EnvelopeID] = d
	}
	return out, nil
}

// LocalOrgs lists this node's organisations, as its directory shows them to
// peers (for choosing recipients).
func (s *Service) LocalOrgs(ctx context.Context) ([]OrgInfo, error) {
	if s.dir == nil {
		return nil, nil
	}
	return s.dir.PublicOrgs(ctx)
}

// VerifyRequest checks a peer's signed request over the exact body received
// and returns the verified peer, for modules that answer peers themselves.
func (s *Service) VerifyRequest(ctx context.Context, r *http.Request, body []byte) (Peer, error) {
	return s.verifyPeerRequest(ctx, r, body)
}

// Get sends a signed GET for pathQuery to a verified peer and returns the
// body of its 200 answer (at most MaxEnvelope bytes).
func (s *Service) Get(ctx context.Context, host, pathQuery string) ([]byte, error) {
	p, err := s.PeerByHost(ctx, host)
	if err != nil {
		return nil, err
	}
	if p.Status != PeerVerified {
		return nil, &core.Error{Kind: core.KindForbidden, Op: "federation: get", Message: "err.peer_not_verified"}
	}
	return s.fetch(ctx, strings.TrimSuffix(p.BaseURL, "/")+pathQuery, true)
}

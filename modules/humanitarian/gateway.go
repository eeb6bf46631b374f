package humanitarian

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/humanitarian/inbound"
)

// Kinds of gateway: two Android SMS gateways, and a mail gateway that posts
// each message it receives.
const (
	GatewaySMSSync      = "smssync"
	GatewayFrontlineSMS = "frontlinesms"
	GatewayMail         = "mail"
)

// GatewayKinds are the gateways a coordinator may set up.
var GatewayKinds = []string{GatewaySMSSync, GatewayFrontlineSMS, GatewayMail}

// Gateway is a phone or mailbox that forwards what the people affected send
// to an emergency. It proves itself with a secret the node generated, shown
// once and kept only as a hash.
type Gateway struct {
	ID          string    `json:"id"`
	EmergencyID string    `json:"emergency_id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Address     string    `json:"address"`      // the phone number or e-mail address people write to
	CountryCode string    `json:"country_code"` // calling code for national numbers, such as "62"
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Secret is set only in the answer to its creation.
	Secret string `json:"secret,omitempty"`
}

// SMS reports whether the gateway carries SMS.
func (g Gateway) SMS() bool { return g.Kind == GatewaySMSSync || g.Kind == GatewayFrontlineSMS }

// Validate checks a gateway as a coordinator sets it up.
func (g *Gateway) Validate() core.Problems {
	g.Name, g.Address = strings.TrimSpace(g.Name), strings.TrimSpace(g.Address)
	g.CountryCode = strings.TrimPrefix(strings.TrimSpace(g.CountryCode), "+")
	pr := core.Problems{}
	if !slices.Contains(GatewayKinds, g.Kind) {
		pr.Add("kind", "err.hum_gw_kind")
	}
	text(pr, "name", g.Name, maxTitle, false)
	text(pr, "address", g.Address, maxTitle, true)
	if g.CountryCode == "" && g.SMS() {
		g.CountryCode = "62"
	}
	if g.CountryCode != "" && (len(g.CountryCode) > 3 || strings.Trim(g.CountryCode, "0123456789") != "" || g.CountryCode[0] == '0') {
		pr.Add("country_code", "err.hum_gw_country_code")
	}
	return pr
}

// newSecret is 24 random bytes, URL-safe: it goes into a gateway's settings
// and, for a mail gateway, into a query string.
func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

const gatewayCols = `id, emergency_id, kind, name, address, country_code, secret_hash, enabled, created_at, updated_at`

type gatewayRow struct {
	ID          string    `db:"id"`
	EmergencyID string    `db:"emergency_id"`
	Kind        string    `db:"kind"`
	Name        string    `db:"name"`
	Address     string    `db:"address"`
	CountryCode string    `db:"country_code"`
	SecretHash  string    `db:"secret_hash"`
	Enabled     int       `db:"enabled"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

func (r gatewayRow) gateway() Gateway {
	return Gateway{ID: r.ID, EmergencyID: r.EmergencyID, Kind: r.Kind, Name: r.Name, Address: r.Address, CountryCode: r.CountryCode,
		Enabled: r.Enabled == 1, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Service) mustCoordinate(ctx context.Context, e Emergency, op string) error {
	if !s.Coordinates(ctx, e) {
		return core.E(core.KindForbidden, op, "err.forbidden")
	}
	return nil
}

// CreateGateway sets up a gateway for the emergency; its coordinators do.
// The answer carries the secret, which is never shown again.
func (s *Service) CreateGateway(ctx context.Context, e Emergency, g Gateway) (Gateway, error) {
	const op = "humanitarian: create gateway"
	if err := s.mustCoordinate(ctx, e, op); err != nil {
		return Gateway{}, err
	}
	if err := g.Validate().Err(op); err != nil {
		return g, err
	}
	g.Secret, g.EmergencyID, g.Enabled = newSecret(), e.ID, true
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		g.ID, g.CreatedAt, g.UpdatedAt = core.NewID(tx.Now), tx.Now, tx.Now
		if _, err := tx.Exec(ctx, `INSERT INTO hum_gateways (`+gatewayCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, e.ID, g.Kind, g.Name, g.Address, g.CountryCode, hashSecret(g.Secret), 1, tx.Now, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.gateway.create", "hum_gateway", g.ID, e.OrgID, g.Kind+" "+g.Address)
	})
	return g, err
}

// UpdateGateway changes a gateway's name, address, country code and whether
// it is enabled; its kind and secret stay.
func (s *Service) UpdateGateway(ctx context.Context, e Emergency, id string, in Gateway) (Gateway, error) {
	const op = "humanitarian: update gateway"
	old, err := s.Gateway(ctx, e, id)
	if err != nil {
		return Gateway{}, err
	}
	in.Kind = old.Kind
	if err := in.Validate().Err(op); err != nil {
		return in, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE hum_gateways SET name = ?, address = ?, country_code = ?, enabled = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Address, in.CountryCode, boolInt(in.Enabled), tx.Now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.gateway.update", "hum_gateway", id, e.OrgID, in.Address)
	})
	if err != nil {
		return in, err
	}
	return s.Gateway(ctx, e, id)
}

// Gateway returns one of the emergency's gateways, to its coordinators.
func (s *Service) Gateway(ctx context.Context, e Emergency, id string) (Gateway, error) {
	if err := s.mustCoordinate(ctx, e, "humanitarian: gateway"); err != nil {
		return Gateway{}, err
	}
	var r gatewayRow
	if err := s.db.R().Get(ctx, &r, `SELECT `+gatewayCols+` FROM hum_gateways WHERE id = ? AND emergency_id = ?`, id, e.ID); err != nil {
		return Gateway{}, err
	}
	return r.gateway(), nil
}

// Gateways lists the emergency's gateways, to its coordinators.
func (s *Service) Gateways(ctx context.Context, e Emergency) ([]Gateway, error) {
	if err := s.mustCoordinate(ctx, e, "humanitarian: gateways"); err != nil {
		return nil, err
	}
	return s.gateways(ctx, e.ID)
}

func (s *Service) gateways(ctx context.Context, emergencyID string) ([]Gateway, error) {
	var rows []gatewayRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+gatewayCols+` FROM hum_gateways WHERE emergency_id = ? ORDER BY created_at, id`, emergencyID); err != nil {
		return nil, err
	}
	out := make([]Gateway, len(rows))
	for i, r := range rows {
		out[i] = r.gateway()
	}
	return out, nil
}

// Hook is a gateway as its webhook meets it: the gateway, its emergency,
// and Check, which tells whether a presented secret is the gateway's.
type Hook struct {
	Gateway   Gateway
	Emergency Emergency
	Check     func(secret string) bool
}

// noSecret is what an unknown or disabled gateway's secret is compared
// with: nothing hashes to it, and the comparison costs the same.
var noSecret = strings.Repeat("0", 64)

// OpenHook finds the gateway a webhook names, of one of kinds. A gateway
// that does not exist, is disabled, or is of another kind gives a hook
// whose Check refuses every secret, so a caller cannot tell it from a
// wrong secret.
func (s *Service) OpenHook(ctx context.Context, id string, kinds ...string) Hook {
	var r gatewayRow
	err := s.db.R().Get(ctx, &r, `SELECT `+gatewayCols+` FROM hum_gateways WHERE id = ?`, id)
	want := r.SecretHash
	if err != nil || r.Enabled != 1 || !slices.Contains(kinds, r.Kind) {
		want = noSecret
	}
	h := Hook{Gateway: r.gateway()}
	ok := want != noSecret
	if ok {
		if h.Emergency, err = s.Emergency(ctx, r.EmergencyID); err != nil {
			ok = false
		}
	}
	wantB, _ := hex.DecodeString(want)
	h.Check = func(secret string) bool {
		got := sha256.Sum256([]byte(secret))
		return subtle.ConstantTimeCompare(got[:], wantB) == 1 && ok
	}
	return h
}

// SMSConfig is how the gateway's webhook is read.
func (h Hook) SMSConfig() inbound.SMSConfig {
	gw := h.Gateway.Kind
	if gw != GatewaySMSSync && gw != GatewayFrontlineSMS {
		gw = ""
	}
	return inbound.SMSConfig{Check: h.Check, Gateway: gw, DefaultCC: h.Gateway.CountryCode}
}

package publicdiplomacy

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("publicdiplomacy", schemaFS) }

// Notifier e-mails the people of an organisation of this node who hold one
// of roles (notify.People).
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// Signer signs a statement with the node's key (federation.SignStatement):
// the public list of verified accounts is signed by the node.
type Signer interface {
	SignStatement(context string, v any) ([]byte, error)
}

// Options configure the service.
type Options struct {
	// BaseURL is the node's public address; every ActivityPub id is under
	// it, so it must not change once accounts have followers.
	BaseURL func() string
	// HTTP is the client for other instances and feeds: netguard's, which
	// refuses private addresses unless the node allows them.
	HTTP *http.Client
	// Insecure lets WebFinger use http, for tests and demos on loopback.
	Insecure bool
	Jobs     *jobs.Queue
	Notify   Notifier
	Signer   Signer
	// Horizon is how long a delivery is retried before it is given up;
	// default 72 h.
	Horizon time.Duration
	// Workers is how many deliveries run at once; default 128 (each is
	// mostly waiting on the network).
	Workers int
}

// Service is the use cases of public diplomacy.
type Service struct {
	db  *store.DB
	opt Options
	dl  *deliverer
	// refetched are the keys fetched again after a failed signature, with
	// when (inbox.go).
	refetched sync.Map
	refetchN  atomic.Int64
}

// NewService returns the service.
func NewService(db *store.DB, opt Options) *Service {
	if opt.Horizon <= 0 {
		opt.Horizon = 72 * time.Hour
	}
	if opt.Workers <= 0 {
		opt.Workers = 128
	}
	if opt.HTTP == nil {
		opt.HTTP = http.DefaultClient
	}
	s := &Service{db: db, opt: opt}
	s.dl = newDeliverer(s)
	return s
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.db.Clock().Now() }

// base is the node's public address without a trailing slash.
func (s *Service) base() string { return strings.TrimRight(s.opt.BaseURL(), "/") }

// Host is the host of the node's public address: the domain of its
// accounts' handles (user@host).
func (s *Service) Host() string {
	u, err := url.Parse(s.base())
	if err != nil {
		return ""
	}
	return u.Host
}

var errNotFound = &core.Error{Kind: core.KindNotFound, Op: "publicdiplomacy", Message: "err.not_found"}

// orgsFor lists the organisations (handle and id) for which the actor may
// perform act: the choices of a form's owner.
func orgsFor(a core.Actor, act access.Action) []core.OrgRef {
	var out []core.OrgRef
	for _, m := range a.Memberships {
		if access.Check(a, act, access.Resource{OrgID: m.Org.ID}) == nil {
			out = append(out, m.Org)
		}
	}
	return out
}

// may reports whether the actor may perform act for the organisation.
func may(ctx context.Context, act access.Action, orgID string) error {
	return access.Check(core.ActorFrom(ctx), act, access.Resource{OrgID: orgID})
}

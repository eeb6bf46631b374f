package core

import "context"

// Role is a person's role within one organisation.
type Role string

// The roles, from most to least privileged. Admin is the organisation's focal
// point; node administration is separate (Actor.NodeAdmin).
const (
	RoleAdmin        Role = "admin"
	RoleOfficer      Role = "officer"
	RoleAnalyst      Role = "analyst"
	RoleInvestigator Role = "investigator"
	// RoleAuthority is a central authority for mutual legal assistance: it
	// approves and receives formal requests for cooperation on cybercrime.
	RoleAuthority Role = "central_authority"
	RoleMember    Role = "member"
	RoleObserver  Role = "observer"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleOfficer, RoleAnalyst, RoleInvestigator, RoleAuthority, RoleMember, RoleObserver}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// OrgRef names an organisation on this node.
type OrgRef struct {
	ID     string
	Handle string
}

// Membership is one role of a person in one organisation.
type Membership struct {
	Org  OrgRef
	Kind OrgKind
	Role Role
}

// Actor is who is acting: a signed-in person, or a program holding an API token
// on a person's behalf. The zero Actor is anonymous.
type Actor struct {
	UserID      string
	Name        string
	Email       string
	NodeAdmin   bool
	Lang        string // the language the person chose: "en", "id" or empty
	Memberships []Membership
	// TokenID and Scopes are set when the actor authenticated with an API token;
	// scopes narrow what the person could otherwise do.
	TokenID string
	Scopes  []string
}

// Anonymous reports whether nobody is signed in.
func (a Actor) Anonymous() bool { return a.UserID == "" }

// RoleIn returns the actor's role in the organisation with the given ID.
func (a Actor) RoleIn(orgID string) (Role, bool) {
	for _, m := range a.Memberships {
		if m.Org.ID == orgID {
			return m.Role, true
		}
	}
	return "", false
}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or the anonymous actor.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// RequestInfo is what the audit trail records about where a change came from.
type RequestInfo struct {
	ID string // request id, also in logs and error pages
	IP string
}

type requestKey struct{}

// WithRequest returns a context carrying request information.
func WithRequest(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, requestKey{}, ri)
}

// RequestFrom returns the request information in ctx, if any.
func RequestFrom(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(requestKey{}).(RequestInfo)
	return ri
}

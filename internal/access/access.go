// Package access is the one place that decides who may do what in Entente.
// Handlers and services ask it; nothing else makes authorization decisions.
// Every route names an Action, and a test fails when a route names an action
// that has no rule here.
//
// Node administrators run the node, not its organisations, and get no pass to
// an organisation's data. Since that data is open to the organisation's
// members, who is a member is the organisation's own business too: a node
// administrator creates an organisation and staffs it while it has no active
// admin (its first focal point, or a new one when every admin's account has
// been disabled for a week: the week makes "disable, join, re-enable" a
// lock-out the focal point notices), but once it has one, only its admins add, change or remove its
// members and create people in it. A node administrator cannot add anyone,
// themselves included; one who needs a role asks the organisation's admin,
// whose adding them is the consent, and the organisation's audit trail shows
// it.
package access

import (
	"slices"
	"sort"

	"entente.example/entente/core"
)

// Action is something a principal may try to do.
type Action string

// The actions of the platform and the directory module.
const (
	Public        Action = "public"         // anyone, signed in or not: static files, health, login page
	Anonymous     Action = "anonymous"      // sign-in flows that work without a session
	SignedIn      Action = "signed-in"      // any signed-in person
	AccountSelf   Action = "account.self"   // change one's own account (password, two-factor, tokens)
	DirectoryRead Action = "directory.read" // see organisations and people
	OrgCreate     Action = "directory.org.create"
	OrgManage     Action = "directory.org.manage"    // edit an organisation
	OrgStaff      Action = "directory.org.staff"     // add, change or remove an organisation's members
	PersonCreate  Action = "directory.person.create" // create a person with a role in an organisation
	NodeAdmin     Action = "node.admin"              // users, audit trail, node settings
	// Metrics are for the operator's monitoring: a node administrator's token
	// with the read scope is what a Prometheus scraper presents.
	Metrics Action = "node.metrics"
	// PeerRequest is a request from another node. The route lets it through;
	// the federation service then admits only a verified peer whose HTTP
	// signature checks out (the principal is the peer, not a person).
	PeerRequest Action = "federation.peer"
	// PeerManage is adding, verifying, suspending and retrying peers.
	PeerManage Action = "federation.manage"

	// Correspondence. Reading is for members of the sending or a receiving
	// organisation; sending for its admins and officers; acknowledging for
	// anyone in a receiving organisation but observers.
	MessageRead Action = "correspondence.read"
	MessageSend Action = "correspondence.send"
	MessageAck  Action = "correspondence.ack"

	// Points-of-contact networks. Anyone signed in may see that a network
	// exists and who its members are; its directory (the contacts) only the
	// people of member organisations and of the secretariat, or for a
	// restricted network only their focal points and officers. The
	// secretariat's admins run the network; only a member's focal point (its
	// admin, not a node administrator) nominates; the nominee, or anyone
	// named for the entry, acknowledges a ping.
	NetworkRead        Action = "directory.network.read"
	NetworkDirectory   Action = "directory.network.directory"
	NetworkRestricted  Action = "directory.network.restricted"
	NetworkCreate      Action = "directory.network.create"
	NetworkManage      Action = "directory.network.manage"
	Nominate           Action = "directory.nominate"
	PingAck            Action = "directory.ping.ack"
	PocRequestRead     Action = "directory.request.read"
	PocRequestAct      Action = "directory.request.act"
	TransparencyPublic Action = "directory.transparency"

	// Norms and national implementation reports. The framework and published
	// public reports are for everyone; a draft is its state's own: its
	// people read it, its admins, officers and analysts write it, and only
	// its focal point (admin) approves and publishes.
	NormsPublic   Action = "norms.public"
	ReportRead    Action = "norms.report.read"
	ReportEdit    Action = "norms.report.edit"
	ReportApprove Action = "norms.report.approve"
	ReportPublish Action = "norms.report.publish"

	// The negotiating table. Who takes part is data (a process's parties);
	// what each role may do is here. A delegation's people read the state
	// texts, its admins and officers act for it (amend, take positions,
	// co-sponsor, break silence); the chair's and secretariat's admins and
	// officers run the table; a secretariat's admin opens a process;
	// stakeholders contribute to their consultation only. Node
	// administrators get no pass.
	NegotiationRead    Action = "negotiation.read"
	NegotiationCreate  Action = "negotiation.create"
	NegotiationChair   Action = "negotiation.chair"
	NegotiationAct     Action = "negotiation.act"
	NegotiationObject  Action = "negotiation.object"
	NegotiationConsult Action = "negotiation.consult"
)

// Resource is what an action is done to. The zero Resource means "some
// resource": the route-level check, before the service knows which.
type Resource struct {
	OrgID string
	// People, when set, names the only people who may act (for a ping: the
	// nominee and the entry's deputies); nobody else in the organisation can.
	People []string
	// Unstaffed says the organisation has no active admin and none was
	// disabled in the last week, the only case
	// in which a node administrator may staff it. The zero value is the
	// safe one: a caller that forgets to ask keeps node administrators out.
	Unstaffed bool
}

// rule says who may perform an action.
type rule struct {
	anonymous bool // allowed without signing in
	write     bool // changes state: API tokens need the write scope
	// allow decides for a signed-in actor; nil means every signed-in actor.
	allow func(a core.Actor, r Resource) bool
}

var policy = map[Action]rule{
	Public:        {anonymous: true},
	Anonymous:     {anonymous: true, write: true},
	SignedIn:      {},
	AccountSelf:   {write: true, allow: func(a core.Actor, _ Resource) bool { return a.TokenID == "" || slices.Contains(a.Scopes, "write") }},
	DirectoryRead: {},
	OrgCreate:     {write: true, allow: isNodeAdmin},
	OrgManage:     {write: true, allow: orgAdmin},
	OrgStaff:      {write: true, allow: staffer},
	PersonCreate:  {write: true, allow: staffer},
	NodeAdmin:     {allow: isNodeAdmin},
	Metrics:       {allow: isNodeAdmin},
	PeerRequest:   {anonymous: true, write: true},
	PeerManage:    {write: true, allow: isNodeAdmin},
	// Observers follow an organisation's work, not its correspondence.
	MessageRead: {allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)},
	MessageSend: {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)},
	MessageAck:  {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)},

	NetworkRead:        {},
	NetworkDirectory:   {allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)},
	NetworkRestricted:  {allow: memberWith(core.RoleAdmin, core.RoleOfficer)},
	NetworkCreate:      {write: true, allow: memberWith(core.RoleAdmin)},
	NetworkManage:      {write: true, allow: memberWith(core.RoleAdmin)},
	Nominate:           {write: true, allow: memberWith(core.RoleAdmin)},
	PingAck:            {write: true, allow: named(memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember))},
	PocRequestRead:     {allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)},
	PocRequestAct:      {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)},
	TransparencyPublic: {anonymous: true},

	NormsPublic:   {anonymous: true},
	ReportRead:    {allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)},
	ReportEdit:    {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst)},
	ReportApprove: {write: true, allow: memberWith(core.RoleAdmin)},
	ReportPublish: {write: true, allow: memberWith(core.RoleAdmin)},

	NegotiationRead:    {allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)},
	NegotiationCreate:  {write: true, allow: memberWith(core.RoleAdmin)},
	NegotiationChair:   {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)},
	NegotiationAct:     {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)},
	NegotiationObject:  {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)},
	NegotiationConsult: {write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)},
}

// SeesTLP decides whether a may see a record labelled tlp whose audience is
// the organisations orgs: CLEAR is public, GREEN is for the community (anyone
// signed in), AMBER and AMBER+STRICT for the organisations' own people; RED
// needs named people, which a bare audience does not give, so it is never
// shown this way. An unknown label is treated as RED.
func SeesTLP(a core.Actor, tlp core.TLP, orgs []string) bool {
	switch tlp {
	case core.TLPClear:
		return true
	case core.TLPGreen:
		return !a.Anonymous()
	case core.TLPAmber, core.TLPAmberStrict:
		for _, m := range a.Memberships {
			if slices.Contains(orgs, m.Org.ID) {
				return true
			}
		}
	}
	return false
}

// named narrows a rule to the people a resource names, when it names any.
func named(allow func(core.Actor, Resource) bool) func(core.Actor, Resource) bool {
	return func(a core.Actor, r Resource) bool {
		if len(r.People) > 0 && !slices.Contains(r.People, a.UserID) {
			return false
		}
		return allow(a, r)
	}
}

// CheckAny allows a when it may perform act for at least one of the
// organisations. An empty list allows nobody: an audience nobody is in must
// never mean everyone.
func CheckAny(a core.Actor, act Action, orgIDs []string) error {
	if a.Anonymous() {
		if err := Check(a, act, Resource{OrgID: "-"}); err != nil {
			return err
		}
	}
	for _, id := range orgIDs {
		if id != "" && Check(a, act, Resource{OrgID: id}) == nil {
			return nil
		}
	}
	return errForbidden
}

// Orgs lists the actor's organisations for which it may perform act: the
// filter list queries apply in SQL.
func Orgs(a core.Actor, act Action) []string {
	var out []string
	for _, m := range a.Memberships {
		if Check(a, act, Resource{OrgID: m.Org.ID}) == nil {
			out = append(out, m.Org.ID)
		}
	}
	return out
}

// memberWith allows members of the organisation (of any organisation, for the
// route-level check) who hold one of the roles. Node administrators get no
// pass here: the correspondence of an organisation is its own.
func memberWith(roles ...core.Role) func(core.Actor, Resource) bool {
	return func(a core.Actor, r Resource) bool {
		for _, m := range a.Memberships {
			if (r.OrgID == "" || m.Org.ID == r.OrgID) && slices.Contains(roles, m.Role) {
				return true
			}
		}
		return false
	}
}

func isNodeAdmin(a core.Actor, _ Resource) bool { return a.NodeAdmin }

// orgAdmin allows node administrators, and an organisation's own admins (its
// focal points) for that organisation. For the route-level check (no org yet),
// being admin of any organisation is enough to reach the service, which checks
// again with the organisation.
func orgAdmin(a core.Actor, r Resource) bool {
	if a.NodeAdmin {
		return true
	}
	for _, m := range a.Memberships {
		if m.Role == core.RoleAdmin && (r.OrgID == "" || m.Org.ID == r.OrgID) {
			return true
		}
	}
	return false
}

// staffer allows an organisation's own admins, and node administrators only
// for an organisation without an active admin (see the package comment). For
// the route-level check (no organisation yet) a node administrator may reach
// the service, which checks again knowing whether the organisation is staffed.
func staffer(a core.Actor, r Resource) bool {
	for _, m := range a.Memberships {
		if m.Role == core.RoleAdmin && (r.OrgID == "" || m.Org.ID == r.OrgID) {
			return true
		}
	}
	return a.NodeAdmin && (r.OrgID == "" || r.Unstaffed)
}

// Known reports whether the action has a rule.
func Known(act Action) bool {
	_, ok := policy[act]
	return ok
}

// Actions lists every action with a rule, sorted.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for a := range policy {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

var (
	errSignIn    = &core.Error{Kind: core.KindUnauthenticated, Message: "err.signin_required"}
	errForbidden = &core.Error{Kind: core.KindForbidden, Message: "err.forbidden"}
)

// Check returns nil when a may perform act on r; otherwise an unauthenticated
// error for anonymous actors and a forbidden error for signed-in ones. An action
// without a rule is always refused: forgetting a rule must fail closed.
func Check(a core.Actor, act Action, r Resource) error {
	ru, ok := policy[act]
	if !ok {
		return errForbidden
	}
	if ru.anonymous {
		return nil
	}
	if a.Anonymous() {
		return errSignIn
	}
	if a.TokenID != "" && ru.write && !slices.Contains(a.Scopes, "write") {
		return errForbidden
	}
	if a.TokenID != "" && !slices.Contains(a.Scopes, "read") && !slices.Contains(a.Scopes, "write") {
		return errForbidden
	}
	if ru.allow != nil && !ru.allow(a, r) {
		return errForbidden
	}
	return nil
}

// Can is Check as a boolean, for templates deciding which buttons to show.
func Can(a core.Actor, act Action, r Resource) bool { return Check(a, act, r) == nil }

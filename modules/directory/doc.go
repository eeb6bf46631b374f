// Package directory is the node's directory of organisations and the people in
// them: state ministries, CERTs, law enforcement, international secretariats,
// companies, civil society and academia, each with a unique handle, and the
// roles people hold in them. It also tells internal/auth which roles a person
// has, through the RoleLoader interface that auth declares.
//
// It also runs points-of-contact networks (Networks): a network is kept on
// its secretariat's node and replicated, signed, to its members' nodes;
// focal points nominate contacts with signed statements (nomination.go); the
// secretariat runs communication checks that escalate to deputies (ping.go);
// members' contacts send each other structured requests with deadlines
// (request.go). Every envelope between nodes is handled in federation.go.
package directory

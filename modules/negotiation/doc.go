// Package negotiation is the negotiating table: processes with a chair, a
// secretariat, delegations and a separate stakeholder consultation; texts of
// paragraphs with brackets, options and a status; amendments with a
// word-level diff, positions, revisions and a silence procedure that ends in
// a signed adoption. A process lives on its chair's node as one document;
// the other participating nodes hold signed copies and send their
// delegations' acts back as signed envelopes.
package negotiation

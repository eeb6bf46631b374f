// Package norms is the UN framework of responsible state behaviour as data
// (its four pillars, the eleven norms and regional commitments) and the
// national implementation reports states write against it: private drafts
// edited by several people with a history of who changed what, an internal
// approval, and a deliberate, signed publication recorded in the ledger,
// after which a version never changes. A report is a series of versions (a
// new version starts from the last; a new report starts at version 1); every
// published version stays listed, and the focal point can withdraw one.
//
// A publication travels to the nodes that may see it (public: every
// verified peer; a points-of-contact network: its members' nodes) as the
// publishing node's signed statement in a federation envelope; withdrawals
// follow the same way. A receiving node keeps the statement byte for byte,
// believes it only from the state's own node, never lets an older version
// replace a newer one, and shows it read-only with its origin, so reports
// from several nodes can be compared side by side.
package norms

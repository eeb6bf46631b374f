// Package norms is the UN framework of responsible state behaviour as data
// (its four pillars, the eleven norms and regional commitments) and the
// national implementation reports states write against it: private drafts
// edited by several people with a history of who changed what, an internal
// approval, and a deliberate, signed publication recorded in the ledger,
// after which a report never changes (a new version is a new publication).
package norms

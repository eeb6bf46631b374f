// Package ledger is the node's transparency log: an append-only Merkle tree
// (golang.org/x/mod/sumdb/tlog) of the digests of everything the node sends,
// receives, acknowledges or publishes. Content stays private; the log proves
// that a record existed, in which order, and that the node shows everyone one
// history. Checkpoints are signed notes in the C2SP checkpoint format and the
// tree is served in the C2SP tlog-tiles layout, with inclusion and
// consistency proofs, so peers and standard tools can check it.
package ledger

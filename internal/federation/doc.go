// Package federation lets nodes talk: each node's signed descriptor, peering
// (add by URL, compare fingerprints, verify, suspend), envelopes sealed with
// HPKE to the receiving node and sent as HTTP requests signed with RFC 9421,
// a durable outbox with per-peer limits and circuit breakers, an idempotent
// inbox, and signed receipts recorded in the ledger on both sides.
package federation

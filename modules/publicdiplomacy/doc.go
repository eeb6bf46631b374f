// Package publicdiplomacy is an organisation's voice on the open social
// web, run from the node it already has: ActivityPub accounts that
// Mastodon, GoToSocial and their kin can find, follow, read, reply to and
// boost; a newsroom where a post is drafted, approved by a second person,
// scheduled and published (one post per language, the translations kept
// together); the web-care queue where the public's replies, mentions and
// direct messages are assigned and answered; reach counted from what
// instances send back; disinformation cases published as a searchable
// fact-check database with ClaimReview; and media monitoring of feeds with
// keyword alerts.
//
// The protocol itself (documents, HTTP signatures, parsing) is package ap;
// this package keeps the state: accounts and their keys, followers, posts,
// the durable delivery queue (one row per activity and inbox, retried with
// back-off, each instance behind its own circuit breaker, dead instances
// skipped so they never delay the live ones) and what arrived.
package publicdiplomacy

// Package auth knows who is asking: accounts, passwords (argon2id), sessions
// kept in the database, TOTP two-factor, API tokens, one-time setup and
// invitation links, and login throttling shared by every replica. It answers
// "who is this" with a core.Actor; what that actor may do is internal/access's
// question.
package auth

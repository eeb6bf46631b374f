// Package auth knows who is asking: accounts, passwords (argon2id), sessions
// kept in the database, TOTP two-factor, API tokens, one-time setup and
// invitation links, and login throttling shared by every replica. A login
// attempt is counted in the database before its password is hashed, and only
// a few hashes run at once, so a burst of guesses gets no more guesses than
// the limit and no more memory than a few hashes. It answers "who is this"
// with a core.Actor; what that actor may do is internal/access's question.
package auth

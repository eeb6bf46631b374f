// Package store opens Entente's database — SQLite by default, PostgreSQL for
// scale — and gives the rest of the code one way to read, to write in explicit
// transactions, and to migrate, with the same SQL on both engines. Driver errors
// are mapped to core error kinds here so no caller inspects driver types.
package store

// Package core is the small shared vocabulary of Entente: identifiers, the acting
// principal, organisation references, TLP labels, error kinds, the clock and
// pagination. It imports only the standard library so that every other package
// can depend on it without pulling anything else in.
package core

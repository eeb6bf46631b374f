// Package correspondence is diplomatic correspondence between organisations,
// on this node or on its peers: compose, inbox, sent, threads, the delivery
// state of every message for every recipient, and acknowledgments that travel
// back as their own receipted envelopes.
package correspondence

package federation

import (
	"net/http"

	"entente.example/entente/internal/netguard"
)

// newClient returns the one HTTP client for talking to peers (see netguard).
func newClient(allowPrivate bool) *http.Client { return netguard.Client(allowPrivate) }

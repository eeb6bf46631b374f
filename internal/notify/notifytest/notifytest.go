// Package notifytest records the e-mails a module asks to send to
// organisations, for its tests: one recorder for every module's tests,
// rather than one copy each.
package notifytest

import (
	"context"
	"sync"

	"entente.example/entente/core"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Call is one notification a module asked for.
type Call struct {
	OrgID string
	Kind  string
	Path  string
	Args  notify.Args
}

// Recorder is a module's Notifier that keeps every call. It is safe for
// the parallel deliveries of a federation test.
type Recorder struct {
	mu    sync.Mutex
	calls []Call
}

// NotifyOrg records the call.
func (r *Recorder) NotifyOrg(_ context.Context, _ *store.Tx, orgID string, _ []core.Role, k notify.Kind, path string, args notify.Args) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, Call{OrgID: orgID, Kind: k.Name, Path: path, Args: args})
	return nil
}

// Calls returns the calls so far, in order.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

// Of returns the kinds of the notifications to one organisation, in order.
func (r *Recorder) Of(orgID string) []string {
	var out []string
	for _, c := range r.Calls() {
		if c.OrgID == orgID {
			out = append(out, c.Kind)
		}
	}
	return out
}

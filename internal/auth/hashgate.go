package auth

import (
	"context"
	"runtime"
	"time"

	"entente.example/entente/core"
)

// Password hashing is bounded because each argon2id computation holds 19 MiB
// and one core for 50–80 ms: unbounded, a burst of N sign-ins holds N×19 MiB
// at once (100 parallel requests took a node from 0.2 to 1.8 GB).
const (
	// maxConcurrentHashes caps the gate on large machines: more hashes at
	// once than cores only add memory, and four already sign in some sixty
	// people a second.
	maxConcurrentHashes = 4
	// hashWait is how long a request queues for a hashing slot before it is
	// refused as busy. Waiting rather than refusing at once keeps one
	// attacker spread over many addresses from turning a short burst into
	// refusals for everybody; a queued request costs a few KB, not 19 MiB.
	hashWait = 10 * time.Second
)

var errBusy = &core.Error{Kind: core.KindUnavailable, Message: "err.unavailable"}

// hashGate is a semaphore around password hashing (the counts the tests hold
// it to are taken at the hash itself, in idKey).
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

// newHashGate returns a gate of n slots; n <= 0 means one per core, at most
// maxConcurrentHashes.
func newHashGate(n int) *hashGate {
	if n <= 0 {
		n = min(runtime.GOMAXPROCS(0), maxConcurrentHashes)
	}
	return &hashGate{slots: make(chan struct{}, n), wait: hashWait}
}

// do runs f once a slot is free, or returns errBusy when none frees up within
// the wait or the caller gives up first.
func (g *hashGate) do(ctx context.Context, op string, f func()) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return core.Wrap(op, errBusy)
	case <-t.C:
		return core.Wrap(op, errBusy)
	}
	defer func() { <-g.slots }()
	f()
	return nil
}

// checkPassword is CheckPassword through the service's gate. A malformed hash
// is a mismatch, as it always was for callers.
func (s *Service) checkPassword(ctx context.Context, op, hash, pw string) (bool, error) {
	var ok bool
	err := s.hashes.do(ctx, op, func() { ok, _ = CheckPassword(hash, pw) })
	return ok, err
}

// hashPassword is HashPassword through the service's gate.
func (s *Service) hashPassword(ctx context.Context, op, pw string) (string, error) {
	var h string
	err := s.hashes.do(ctx, op, func() { h = HashPassword(pw) })
	return h, err
}

package auth

import "time"

// HashStats reports how many password hashes the service has run and the most
// it has ever run at once.
func (s *Service) HashStats() (done, maxInFlight int64) {
	return s.hashes.done.Load(), s.hashes.maxSeen.Load()
}

// LimitHashes gives the service a hashing gate of n slots.
func (s *Service) LimitHashes(n int) { s.hashes = newHashGate(n) }

// Limits of the login throttle, for tests that go up to them.
const (
	MaxFailsPerEmail = maxFailsPerEmail
	MaxFailsPerIP    = maxFailsPerIP
)

// HoldHashes takes every slot of the service's gate and shortens the wait for
// one, so that the next hash is refused as busy; release gives the slots back.
func (s *Service) HoldHashes(wait time.Duration) (release func()) {
	s.hashes.wait = wait
	for range cap(s.hashes.slots) {
		s.hashes.slots <- struct{}{}
	}
	return func() {
		for range cap(s.hashes.slots) {
			<-s.hashes.slots
		}
	}
}

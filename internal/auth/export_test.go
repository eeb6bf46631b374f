package auth

import "time"

// HashStats reports how many argon2id hashes have run and the most that ran
// at once since the last ResetHashStats, counted at the hash itself.
func (s *Service) HashStats() (done, maxInFlight int64) {
	return hashing.done.Load(), hashing.most.Load()
}

// ResetHashStats forgets the most hashes seen at once, for a test that holds
// a gate of its own size.
func ResetHashStats() { hashing.most.Store(0) }

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

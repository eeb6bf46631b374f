package auth_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// burst runs n logins at once, released together, and returns how each ended
// by error kind ("" for a session).
func burst(t *testing.T, s *auth.Service, n int, login func(i int) (string, string, string)) map[core.Kind]int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		kinds = map[core.Kind]int{}
		start = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email, pw, ip := login(i)
			<-start
			_, err := s.Login(context.Background(), email, pw, auth.SessionMeta{IP: ip})
			k := core.Kind("")
			if err != nil {
				k = core.KindOf(err)
			}
			mu.Lock()
			kinds[k]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return kinds
}

// peakHeap samples the heap until stop is closed and returns the highest
// reading above the one at the start.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				out <- peak - base
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}()
	return out
}

// A burst of wrong passwords on one account, each from its own address, gets
// no more guesses evaluated than the limit, holds no more hashes at once than
// the gate allows, and leaves the right password refused until the window ends.
func TestLoginBurst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, clock := setup(t, e)
		const gate = 2
		s.LimitHashes(gate)
		auth.ResetHashStats()
		mustUser(t, s, db, "lukas@univ.test", "the right password")
		before, _ := s.HashStats()

		stop := make(chan struct{})
		heap := peakHeap(stop)
		kinds := burst(t, s, 100, func(i int) (string, string, string) {
			return "lukas@univ.test", fmt.Sprintf("wrong guess %d", i), fmt.Sprintf("192.0.2.%d", i)
		})
		close(stop)
		grew := <-heap

		done, inFlight := s.HashStats()
		if got := done - before; got > auth.MaxFailsPerEmail {
			t.Errorf("%d guesses evaluated in a burst of 100; the limit is %d", got, auth.MaxFailsPerEmail)
		}
		if kinds[core.KindUnauthenticated] != auth.MaxFailsPerEmail || kinds[core.KindRateLimited] != 100-auth.MaxFailsPerEmail {
			t.Errorf("answers %v; want %d wrong and the rest throttled", kinds, auth.MaxFailsPerEmail)
		}
		if inFlight > gate {
			t.Errorf("%d hashes ran at once; the gate has %d slots", inFlight, gate)
		}
		// Each hash holds 19 MiB: unbounded, 100 at once take some 1.9 GB.
		if grew > 200<<20 {
			t.Errorf("the heap grew by %d MiB during the burst", grew>>20)
		}
		t.Logf("%s: %d evaluated, %d at most at once, heap +%d MiB", e.Name, done-before, inFlight, grew>>20)

		// The right password, after the limit, is refused without a hash.
		before, _ = s.HashStats()
		if _, err := s.Login(ctx, "lukas@univ.test", "the right password", auth.SessionMeta{IP: "198.51.100.1"}); core.KindOf(err) != core.KindRateLimited {
			t.Fatalf("right password after the limit: %v; want it throttled", err)
		}
		if after, _ := s.HashStats(); after != before {
			t.Errorf("a throttled attempt ran %d hashes", after-before)
		}
		clock.Advance(15 * time.Minute)
		if _, err := s.Login(ctx, "lukas@univ.test", "the right password", auth.SessionMeta{IP: "198.51.100.1"}); err != nil {
			t.Fatalf("right password once the window is over: %v", err)
		}
	})
}

// A mixed burst — many wrong guesses and the right password — evaluates at
// most the limit before the count resets, however the race falls.
func TestLoginBurstWithRightPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s, db, _ := setup(t, e)
		mustUser(t, s, db, "lukas@univ.test", "the right password")
		before, _ := s.HashStats()
		kinds := burst(t, s, 30, func(i int) (string, string, string) {
			pw := fmt.Sprintf("wrong guess %d", i)
			if i == 29 {
				pw = "the right password"
			}
			return "lukas@univ.test", pw, "203.0.113.5"
		})
		done, _ := s.HashStats()
		// A right password clears the account's count (the person is back),
		// so at most the limit is evaluated before it and the limit after.
		if got := done - before; got > 2*auth.MaxFailsPerEmail {
			t.Errorf("%d of 30 evaluated; want at most %d", got, 2*auth.MaxFailsPerEmail)
		}
		if kinds[core.KindRateLimited] < 30-2*auth.MaxFailsPerEmail {
			t.Errorf("answers %v; want most throttled", kinds)
		}
	})
}

// One address guessing across many accounts is held to the address limit.
func TestLoginBurstOneAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s, _, _ := setup(t, e)
		before, _ := s.HashStats()
		n := auth.MaxFailsPerIP + 20
		kinds := burst(t, s, n, func(i int) (string, string, string) {
			return fmt.Sprintf("person%d@nowhere.test", i), "any password at all", "203.0.113.9"
		})
		done, _ := s.HashStats()
		if got := done - before; got > auth.MaxFailsPerIP {
			t.Errorf("%d guesses evaluated from one address; the limit is %d", got, auth.MaxFailsPerIP)
		}
		if kinds[core.KindRateLimited] != n-auth.MaxFailsPerIP {
			t.Errorf("answers %v; want %d throttled", kinds, n-auth.MaxFailsPerIP)
		}
	})
}

// Sign-ins that are not throttled at all wait for a hashing slot rather than
// fail, never run more hashes at once than the gate allows, and so hold the
// heap flat: unbounded, 24 at once hold some 450 MiB.
func TestLoginHashGate(t *testing.T) {
	s, _, _ := setup(t, storetest.Engines(t)[0])
	const gate, n = 2, 24
	s.LimitHashes(gate)
	auth.ResetHashStats()
	before, _ := s.HashStats()
	stop := make(chan struct{})
	heap := peakHeap(stop)
	kinds := burst(t, s, n, func(i int) (string, string, string) {
		return fmt.Sprintf("person%d@nowhere.test", i), "any password at all", fmt.Sprintf("192.0.2.%d", i)
	})
	close(stop)
	grew := <-heap
	done, inFlight := s.HashStats()
	done -= before
	if done != n || kinds[core.KindUnauthenticated] != n {
		t.Errorf("%d of %d evaluated, answers %v; want all evaluated, none refused", done, n, kinds)
	}
	if inFlight > gate {
		t.Errorf("%d hashes ran at once; the gate has %d slots", inFlight, gate)
	}
	if grew > 150<<20 {
		t.Errorf("the heap grew by %d MiB", grew>>20)
	}
	t.Logf("%d evaluated, %d at most at once, heap +%d MiB", done, inFlight, grew>>20)
}

// The address counts failures only: an office behind one address can sign in
// more often than the failure limit.
func TestLoginSuccessesDoNotCountAgainstAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, _ := setup(t, e)
		mustUser(t, s, db, "sari@kemlu.test", "the right password")
		for i := range auth.MaxFailsPerIP + 2 {
			if _, err := s.Login(ctx, "sari@kemlu.test", "the right password", auth.SessionMeta{IP: "192.0.2.80"}); err != nil {
				t.Fatalf("sign-in %d from one address: %v", i+1, err)
			}
		}
	})
}

// A sign-in refused because every hashing slot stayed busy is answered
// "unavailable" and not counted: a loaded node must not lock people out.
func TestLoginBusyIsNotCounted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, _ := setup(t, e)
		s.LimitHashes(1)
		mustUser(t, s, db, "rina@bssn.test", "the right password")
		release := s.HoldHashes(20 * time.Millisecond)
		for range auth.MaxFailsPerEmail + 1 {
			if _, err := s.Login(ctx, "rina@bssn.test", "the right password", auth.SessionMeta{IP: "192.0.2.7"}); core.KindOf(err) != core.KindUnavailable {
				t.Fatalf("with every slot held: %v; want unavailable", err)
			}
		}
		release()
		if _, err := s.Login(ctx, "rina@bssn.test", "the right password", auth.SessionMeta{IP: "192.0.2.7"}); err != nil {
			t.Fatalf("once the node has a slot: %v", err)
		}
	})
}

// Accepting an invitation hashes before its write transaction: waiting for a
// hashing slot must not hold SQLite's one writer, and every write behind it.
func TestAcceptInviteWaitsOutsideTheWriter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, _ := setup(t, e)
		s.LimitHashes(1)
		var tok string
		if err := db.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			_, tok, err = s.CreateUser(ctx, tx, auth.NewUser{Email: "new@bssn.test", Name: "New"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		release := s.HoldHashes(5 * time.Second)
		done := make(chan error, 1)
		go func() {
			_, _, err := s.AcceptInvite(ctx, tok, "a good long password", auth.SessionMeta{})
			done <- err
		}()
		time.Sleep(100 * time.Millisecond) // the invitation now waits for a slot
		start := time.Now()
		if err := db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE key = 'none'`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited > time.Second {
			t.Errorf("a write waited %v behind an invitation waiting to hash", waited)
		}
		release()
		if err := <-done; err != nil {
			t.Fatalf("accept: %v", err)
		}
	})
}

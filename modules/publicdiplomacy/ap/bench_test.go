package ap

import (
	"context"
	"testing"
)

// BenchmarkVerify measures one inbox delivery's signature check: a signed
// POST as Mastodon sends it, parsed, digested and verified with a 2048-bit
// key already at hand (fetching the key is the caller's cache's cost).
func BenchmarkVerify(b *testing.B) {
	k := mustKeys(b)
	r := mastodonSigned(b, k[0], "POST", "/users/bob/inbox", testActivity, testNow)
	key := keyFunc(&k[0].PublicKey)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(ctx, r, testActivity, testNow, key); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}

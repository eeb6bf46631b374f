package blobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"entente.example/entente/core"
)

// contract is one store under test: the store, and everything it holds
// (blobs and temporary leftovers alike), so that a test can say "nothing was
// left behind".
type contract struct {
	store Store
	list  func(t *testing.T) []string
}

// testContract runs the behaviour every Store promises.
func testContract(t *testing.T, open func(t *testing.T) contract) {
	ctx := context.Background()
	t.Run("put then open", func(t *testing.T) {
		c := open(t)
		for _, data := range [][]byte{{}, []byte("hello, evidence"), random(12<<20 + 7)} {
			b := mustPut(t, c.store, data, 0)
			if sum := sha256.Sum256(data); b.SHA256 != hex.EncodeToString(sum[:]) || b.Size != int64(len(data)) {
				t.Fatalf("put %d bytes: %+v", len(data), b)
			}
			if got := mustRead(t, c.store, b.SHA256); !bytes.Equal(got, data) {
				t.Fatalf("open %d bytes: got %d bytes back, not the same", len(data), len(got))
			}
			if ok, err := c.store.Has(ctx, b.SHA256); !ok || err != nil {
				t.Fatalf("has after put: %v %v", ok, err)
			}
		}
		if n := len(c.list(t)); n != 3 {
			t.Fatalf("three blobs stored, %d things in the store: %v", n, c.list(t))
		}
	})
	t.Run("the same bytes twice are one object", func(t *testing.T) {
		c := open(t)
		data := random(100 << 10)
		a, b := mustPut(t, c.store, data, 0), mustPut(t, c.store, data, 0)
		if a != b || len(c.list(t)) != 1 {
			t.Fatalf("%+v and %+v; stored %v", a, b, c.list(t))
		}
	})
	t.Run("delete, and again", func(t *testing.T) {
		c := open(t)
		b := mustPut(t, c.store, []byte("withdrawn"), 0)
		for range 2 {
			if err := c.store.Delete(ctx, b.SHA256); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := c.store.Has(ctx, b.SHA256); ok || err != nil {
			t.Fatalf("has after delete: %v %v", ok, err)
		}
		if _, _, err := c.store.Open(ctx, b.SHA256); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("open after delete: %v", err)
		}
		if got := c.list(t); len(got) != 0 {
			t.Fatalf("left behind: %v", got)
		}
	})
	t.Run("too large leaves nothing", func(t *testing.T) {
		c := open(t)
		for _, tc := range []struct{ size, max int64 }{{1001, 1000}, {12 << 20, 7 << 20}, {12 << 20, 12<<20 - 1}} {
			_, err := c.store.Put(ctx, bytes.NewReader(random(int(tc.size))), tc.max)
			if core.KindOf(err) != core.KindTooLarge {
				t.Fatalf("%d bytes, max %d: %v; want too large", tc.size, tc.max, err)
			}
			if got := c.list(t); len(got) != 0 {
				t.Fatalf("%d bytes, max %d: left behind %v", tc.size, tc.max, got)
			}
		}
		if b := mustPut(t, c.store, random(1000), 1000); b.Size != 1000 {
			t.Fatalf("exactly max: %+v", b)
		}
	})
	t.Run("bad names are refused", func(t *testing.T) {
		c := open(t)
		good := mustPut(t, c.store, []byte("x"), 0).SHA256
		for _, name := range []string{"", "../../../etc/passwd", strings.ToUpper(good), good[:63], good + "0",
			"../" + good[3:], good[:62] + "/.", good[:60] + "%2e%2e", good[:63] + "\x00"} {
			if _, _, err := c.store.Open(ctx, name); core.KindOf(err) != core.KindInvalid {
				t.Errorf("open %q: %v", name, err)
			}
			if _, err := c.store.Has(ctx, name); core.KindOf(err) != core.KindInvalid {
				t.Errorf("has %q: %v", name, err)
			}
			if err := c.store.Delete(ctx, name); core.KindOf(err) != core.KindInvalid {
				t.Errorf("delete %q: %v", name, err)
			}
		}
		if ok, _ := c.store.Has(ctx, good); !ok {
			t.Fatal("a refused delete removed a blob")
		}
	})
	t.Run("concurrent puts of the same bytes", func(t *testing.T) {
		c := open(t)
		data := random(9<<20 + 3)
		var wg sync.WaitGroup
		got := make([]Blob, 6)
		errs := make([]error, len(got))
		for i := range got {
			wg.Go(func() { got[i], errs[i] = c.store.Put(ctx, bytes.NewReader(data), 0) })
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil || got[i] != got[0] {
				t.Fatalf("put %d: %+v %v; put 0: %+v", i, got[i], errs[i], got[0])
			}
		}
		if !bytes.Equal(mustRead(t, c.store, got[0].SHA256), data) || len(c.list(t)) != 1 {
			t.Fatalf("after concurrent puts: %v", c.list(t))
		}
	})
}

func mustPut(t *testing.T, s Store, data []byte, max int64) Blob {
	t.Helper()
	b, err := s.Put(context.Background(), bytes.NewReader(data), max)
	if err != nil {
		t.Fatalf("put %d bytes: %v", len(data), err)
	}
	return b
}

func mustRead(t *testing.T, s Store, sum string) []byte {
	t.Helper()
	rc, size, err := s.Open(context.Background(), sum)
	if err != nil {
		t.Fatalf("open %s: %v", sum, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil || int64(len(data)) != size {
		t.Fatalf("read %s: %d bytes of %d: %v", sum, len(data), size, err)
	}
	return data
}

var seed atomicSeed

// random returns n bytes no earlier call returned, so blobs of two tests (or
// two subtests sharing a bucket) never collide.
func random(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed.next())})
	r.Read(b)
	return b
}

type atomicSeed struct {
	mu sync.Mutex
	n  int
}

func (s *atomicSeed) next() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.n
}

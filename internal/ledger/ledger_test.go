package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

func newLog(t *testing.T, e storetest.Engine) *Log {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	db := storetest.Open(t, e, nil, Migrations())
	l, err := New(db, "node-a.example", key)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func appendN(t *testing.T, l *Log, from, n int) {
	t.Helper()
	err := l.db.WithTx(context.Background(), func(tx *store.Tx) error {
		var es []Entry
		for i := from; i < from+n; i++ {
			es = append(es, Entry{Kind: KindReceived, Ref: fmt.Sprint("env-", i), Digest: Digest([]byte(fmt.Sprint("record ", i)))})
		}
		_, err := l.Append(context.Background(), tx, es...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		l := newLog(t, e)
		appendN(t, l, 0, 300) // more than one full tile
		cp1, err := l.Sign(ctx)
		if err != nil || cp1.Size != 300 {
			t.Fatalf("sign: %+v %v", cp1, err)
		}
		// The signed note opens with the log's key, and only with it.
		got, err := OpenCheckpoint(cp1.Note, l.VerifierKey())
		if err != nil || got.Size != 300 || got.Root != cp1.Root {
			t.Fatalf("open checkpoint: %+v %v", got, err)
		}
		_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
		other, _ := New(l.db, "node-a.example", otherKey)
		if _, err := OpenCheckpoint(cp1.Note, other.VerifierKey()); err == nil {
			t.Fatal("checkpoint opened with another node's key")
		}
		// Every entry has a valid inclusion proof; a wrong digest does not verify.
		for _, i := range []int64{0, 1, 255, 256, 299} {
			p, err := l.ProveInclusion(ctx, i, cp1.Size)
			if err != nil {
				t.Fatal(err)
			}
			proof := Proof{Index: i, Size: cp1.Size, Hashes: hashStrings(p)}
			if err := VerifyInclusion(cp1, i, KindReceived, Digest([]byte(fmt.Sprint("record ", i))), proof); err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			if err := VerifyInclusion(cp1, i, KindReceived, Digest([]byte("forged")), proof); err == nil {
				t.Fatalf("entry %d: forged digest verified", i)
			}
		}
		// Grow, sign again: consistent with the first.
		appendN(t, l, 300, 50)
		cp2, _ := l.Sign(ctx)
		p, err := l.ProveConsistency(ctx, cp1.Size, cp2.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyConsistency(cp1, cp2, Proof{Old: cp1.Size, Size: cp2.Size, Hashes: hashStrings(p)}); err != nil {
			t.Fatalf("consistency: %v", err)
		}
		// A checkpoint of a rewritten history is caught.
		forged := cp1
		forged.Root[0] ^= 1
		if err := VerifyConsistency(forged, cp2, Proof{Old: cp1.Size, Size: cp2.Size, Hashes: hashStrings(p)}); err == nil {
			t.Fatal("forged old checkpoint passed the consistency check")
		}
		// Signing again without growth returns the same checkpoint.
		if again, _ := l.Sign(ctx); again.Size != cp2.Size || string(again.Note) != string(cp2.Note) {
			t.Fatal("re-signed an unchanged tree")
		}
		// The tiles rebuild the same tree: tlog's tile reader checks every
		// tile against the checkpoint's root.
		tr := tileReader{l: l, size: cp2.Size}
		hr := tlog.TileHashReader(tlog.Tree{N: cp2.Size, Hash: cp2.Root}, tr)
		if _, err := tlog.TreeHash(cp2.Size, hr); err != nil {
			t.Fatalf("tree from tiles: %v", err)
		}
		if _, err := tlog.ProveRecord(cp2.Size, 299, hr); err != nil {
			t.Fatalf("proof from tiles: %v", err)
		}
		if _, err := l.Tile(ctx, cp2.Size, 0, 1, 0); err != errNoTile {
			t.Fatalf("full tile 0/1 of a 350-entry tree: %v", err)
		}
		b, err := l.Tile(ctx, cp2.Size, -1, 1, 350-256)
		if err != nil || len(b) == 0 {
			t.Fatalf("entry bundle: %v", err)
		}
	})
}

type tileReader struct {
	l    *Log
	size int64
}

func (r tileReader) Height() int { return TileHeight }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		w := t.W
		if w == 1<<TileHeight {
			w = 0
		}
		b, err := r.l.Tile(context.Background(), r.size, t.L, t.N, w)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// TestConcurrentAppends: writers racing on both engines never share an index
// or break the tree.
func TestConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		l := newLog(t, e)
		var wg sync.WaitGroup
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					appendN(t, l, w*1000+i*3, 3)
				}
			}()
		}
		wg.Wait()
		cp, err := l.Sign(context.Background())
		if err != nil || cp.Size != 360 {
			t.Fatalf("size %d, %v; want 360", cp.Size, err)
		}
		if _, err := tlog.TreeHash(cp.Size, l.Reader(context.Background())); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTilePaths(t *testing.T) {
	for _, tc := range []struct {
		level int
		n     int64
		w     int
		path  string
	}{
		{0, 0, 0, "tile/0/000"},
		{0, 1234067, 0, "tile/0/x001/x234/067"},
		{1, 5, 7, "tile/1/005.p/7"},
		{-1, 1000, 0, "tile/entries/x001/000"},
	} {
		if p := TilePath(tc.level, tc.n, tc.w); p != tc.path {
			t.Errorf("TilePath(%d,%d,%d) = %q, want %q", tc.level, tc.n, tc.w, p, tc.path)
		}
		l, n, w, err := ParseTilePath(tc.path)
		if err != nil || l != tc.level || n != tc.n || w != tc.w {
			t.Errorf("ParseTilePath(%q) = %d %d %d %v", tc.path, l, n, w, err)
		}
	}
	for _, bad := range []string{"tile/0/1", "tile/0/x1/000", "tile/0/000.p/0", "tile/0/000.p/256", "tile/a/000", "tile/0/001/002", "tile/00/000", "tile/0/x000/001"} {
		if _, _, _, err := ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%q) accepted", bad)
		}
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestCheckpointGolden pins the C2SP checkpoint format: origin, size and
// base64 root, a blank line, and the note signature line.
func TestCheckpointGolden(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	var root tlog.Hash
	root[0] = 0xab
	signed, err := note.Sign(&note.Note{Text: Body("node-a.example", 1234, root)}, ed25519Signer{name: "node-a.example", key: key})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join("testdata", "checkpoint.txt")
	if *update {
		os.WriteFile(p, signed, 0o644)
	}
	want, err := os.ReadFile(p)
	if err != nil || string(want) != string(signed) {
		t.Fatalf("checkpoint changed (%v):\n%s", err, signed)
	}
	vkey, _ := note.NewEd25519VerifierKey("node-a.example", key.Public().(ed25519.PublicKey))
	cp, err := OpenCheckpoint(want, vkey)
	if err != nil || cp.Size != 1234 || cp.Root != root {
		t.Fatalf("golden checkpoint does not open: %+v %v", cp, err)
	}
}

// BenchmarkAppend measures ledger appends in transactions of 100, the way a
// batch of received envelopes appends them.
func BenchmarkAppend(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	db := storetest.Open(b, storetest.Engines(b)[0], nil, Migrations())
	l, _ := New(db, "bench.example", key)
	b.ResetTimer()
	for done := 0; done < b.N; done += 100 {
		n := min(100, b.N-done)
		err := db.WithTx(context.Background(), func(tx *store.Tx) error {
			es := make([]Entry, n)
			for i := range es {
				es[i] = Entry{Kind: KindReceived, Digest: Digest([]byte(fmt.Sprint(done + i)))}
			}
			_, err := l.Append(context.Background(), tx, es...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

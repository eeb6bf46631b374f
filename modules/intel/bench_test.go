package intel_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/intel"
)

// benchObject is a realistic indicator of about 600 bytes.
func benchObject(i int) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-1111-4111-8111-%012d","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","created_by_ref":"identity--5d2c8f41-2a9b-4c7e-8f3d-6b1e0c7a9f22","name":"C2 server %d of the GridLock campaign","description":"Command-and-control address seen in traffic from compromised remote-access gateways of a distribution company.","pattern":"[ipv4-addr:value = '198.51.%d.%d']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z","indicator_types":["malicious-activity"],"labels":["sector:energy","gridlock"],"object_marking_refs":["%s"]}`,
		i, i, i, (i/256)%256, i%256, tlpAmber)
}

// BenchmarkIngest100 stores bundles of 100 indicators through the same path
// as a TAXII POST: streaming decode, schema and rule checks, markings and
// access (the writer's rights), one transaction per batch.
func BenchmarkIngest100(b *testing.B) {
	w := newWorld(b, storetest.Engines(b)[0])
	ctx := context.Background()
	n := 0
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		var sb strings.Builder
		sb.WriteString(`{"objects":[`)
		for j := 0; j < 100; j++ {
			if j > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(benchObject(n))
			n++
		}
		sb.WriteString("]}")
		st, err := w.svc.Post(ctx, []string{cert}, w.coll.ID, strings.NewReader(sb.String()))
		if err != nil || st.SuccessCount != 100 {
			b.Fatalf("%+v %v", st, err)
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "objects/s")
}

// streamBundle yields a bundle of n objects without holding it in memory.
type streamBundle struct {
	n, i, base int
	buf        []byte
}

func (s *streamBundle) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		switch {
		case s.i == 0:
			s.buf = []byte(`{"type":"bundle","id":"bundle--5d2c8f41-2a9b-4c7e-8f3d-6b1e0c7a9f22","objects":[`)
		case s.i <= s.n:
			s.buf = []byte(benchObject(s.base + s.i))
			if s.i < s.n {
				s.buf = append(s.buf, ',')
			}
		case s.i == s.n+1:
			s.buf = []byte("]}")
		default:
			return 0, io.EOF
		}
		s.i++
	}
	k := copy(p, s.buf)
	s.buf = s.buf[k:]
	return k, nil
}

// TestLargeBundleStreams ingests a bundle of ENTENTE_BENCH_BUNDLE_MB
// megabytes (default 5; 100 for the figure) and reports the peak heap: the
// bundle is read object by object, so memory does not grow with it.
func TestLargeBundleStreams(t *testing.T) {
	mb, _ := strconv.Atoi(os.Getenv("ENTENTE_BENCH_BUNDLE_MB"))
	if mb == 0 {
		mb = 5
	}
	w := newWorld(t, storetest.Engines(t)[0])
	objects := mb << 20 / len(benchObject(1_000_000))
	var peak uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	start := time.Now()
	st, err := w.svc.Post(context.Background(), []string{cert}, w.coll.ID, &streamBundle{n: objects, base: 1_000_000})
	close(done)
	if err != nil || st.SuccessCount != objects {
		t.Fatalf("%d of %d: %v", st.SuccessCount, objects, err)
	}
	t.Logf("%d MB bundle, %d objects in %v (%.0f objects/s), peak heap %.1f MB", mb, objects, time.Since(start).Round(time.Millisecond),
		float64(objects)/time.Since(start).Seconds(), float64(peak)/(1<<20))
	if peak > 200<<20 {
		t.Errorf("peak heap %d MB: the bundle is not streamed", peak>>20)
	}
}

// BenchmarkPage100 measures GET …/objects/?limit=100 as the TAXII handler
// runs it (the collection with the reader's rights, then the page), over a
// collection of ENTENTE_BENCH_OBJECTS objects (default 100,000), at random
// places in it; it reports p50 and p99.
func BenchmarkPage100(b *testing.B) {
	total, _ := strconv.Atoi(os.Getenv("ENTENTE_BENCH_OBJECTS"))
	if total == 0 {
		total = 100_000
	}
	w := newWorld(b, storetest.Engines(b)[0])
	ctx := context.Background()
	for i := 0; i < total; i += 1000 {
		if _, err := w.svc.Post(ctx, []string{cert}, w.coll.ID, &streamBundle{n: 1000, base: 2_000_000 + i}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		after := int64((i * 7919) % total)
		t0 := time.Now()
		qctx, n := store.CountQueries(ctx)
		c, err := w.svc.CollectionFor(qctx, []string{member}, w.coll.ID)
		if err != nil {
			b.Fatal(err)
		}
		rows, _, err := w.svc.Objects(qctx, []string{member}, intel.Query{Collection: c.ID, After: after, Limit: 100})
		if err != nil || len(rows) == 0 {
			b.Fatal(len(rows), err)
		}
		lat = append(lat, time.Since(t0))
		if n.Load() > 3 {
			b.Fatalf("%d queries", n.Load())
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

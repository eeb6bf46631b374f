package publicdiplomacy_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/publicdiplomacy"
)

// The feed-polling figure: 1,000 feeds at the default interval (15
// minutes) polled by one node for an hour. The feeds are served over TLS
// by another process (this test binary again, TestFeedLoadServer), so the
// poller's CPU and memory are measured alone; every fetch opens a new
// connection, as polling 1,000 different servers every 15 minutes does.
// A third of the feeds are RSS, a third Atom, a third JSON Feed; a third
// answer with an ETag, a third with Last-Modified, a third with neither;
// each has 20 items of about 800 bytes, gzipped on the wire, and changes
// (one new item) on every fourth fetch. Kemlu watches four keywords.
//
//	go test ./modules/publicdiplomacy -run '^$' -bench FeedPolling -benchtime 1x -v
//
// ENTENTE_BENCH_FEEDS changes the number of feeds.

const loadItems = 20

// loadFeed is feed i at version v: its newest item is number v+loadItems.
func loadFeed(i, v int) []byte {
	var b strings.Builder
	format := (i / 3) % 3
	words := []string{"regional", "ministers", "statement", "cooperation", "maritime", "trade", "digital", "policy", "summit", "delegation"}
	text := func(n int) (title, summary string) {
		title = fmt.Sprintf("Item %d of feed %d: %s %s", n, i, words[n%10], words[(n*7)%10])
		switch {
		case n%10 == 0:
			title += " and disinformation"
		case n%15 == 0:
			title += ", hoaks beredar"
		}
		summary = "<p>" + strings.Repeat("The delegation met its counterparts to discuss "+words[(n*3)%10]+" questions. ", 9) + "</p>"
		return title, summary
	}
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	switch format {
	case 0:
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Load feed %d</title><link>https://feeds.example/%d/</link><language>en</language>`, i, i)
		for n := v + loadItems; n > v; n-- {
			t, s := text(n)
			fmt.Fprintf(&b, "<item><title>%s</title><link>https://feeds.example/%d/%d</link><guid>f%d-%d</guid><pubDate>%s</pubDate><description><![CDATA[%s]]></description></item>",
				t, i, n, i, n, day.Add(time.Duration(n)*time.Minute).Format(time.RFC1123Z), s)
		}
		b.WriteString("</channel></rss>")
	case 1:
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Load feed %d</title><link href="https://feeds.example/%d/"/><id>urn:feed:%d</id><updated>%s</updated>`,
			i, i, i, day.Format(time.RFC3339))
		for n := v + loadItems; n > v; n-- {
			t, s := text(n)
			fmt.Fprintf(&b, `<entry><title>%s</title><link href="https://feeds.example/%d/%d"/><id>urn:feed:%d:%d</id><updated>%s</updated><summary type="html">%s</summary></entry>`,
				t, i, n, i, n, day.Add(time.Duration(n)*time.Minute).Format(time.RFC3339), strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s))
		}
		b.WriteString("</feed>")
	default:
		fmt.Fprintf(&b, `{"version":"https://jsonfeed.org/version/1.1","title":"Load feed %d","home_page_url":"https://feeds.example/%d/","items":[`, i, i)
		for n := v + loadItems; n > v; n-- {
			t, s := text(n)
			if n != v+loadItems {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id":"f%d-%d","url":"https://feeds.example/%d/%d","title":%q,"content_html":%q,"date_published":%q}`,
				i, n, i, n, t, s, day.Add(time.Duration(n)*time.Minute).Format(time.RFC3339))
		}
		b.WriteString("]}")
	}
	return []byte(b.String())
}

// loadHandler serves the load feeds at /f/{i}; feed i changes on every
// fourth request for it.
func loadHandler(feeds int) http.Handler {
	counts := make([]atomic.Int64, feeds)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/f/"))
		if err != nil || i < 0 || i >= feeds {
			http.NotFound(w, r)
			return
		}
		v := int(counts[i].Add(1) / 4)
		etag, modified := fmt.Sprintf(`"%d-%d"`, i, v), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(v)*time.Minute).Format(http.TimeFormat)
		switch i % 3 {
		case 0:
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
		case 1:
			if r.Header.Get("If-Modified-Since") == modified {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Last-Modified", modified)
		}
		body := loadFeed(i, v)
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			gz.Write(body)
			gz.Close()
			return
		}
		w.Write(body)
	})
}

// TestFeedLoadServer is the benchmark's feed server when the benchmark
// starts this binary with ENTENTE_FEED_LOAD_SERVER set: it serves until
// its standard input closes. Run as a test, it checks that the load feeds
// parse, change every fourth request and answer conditional requests.
func TestFeedLoadServer(t *testing.T) {
	if n := os.Getenv("ENTENTE_FEED_LOAD_SERVER"); n != "" {
		feeds, _ := strconv.Atoi(n)
		srv := httptest.NewTLSServer(loadHandler(feeds))
		defer srv.Close()
		cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		fmt.Printf("LISTEN %s %s\n", srv.URL, base64.StdEncoding.EncodeToString(cert))
		io.Copy(io.Discard, os.Stdin)
		return
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		srv := httptest.NewServer(loadHandler(9))
		defer srv.Close()
		env := newMonEnv(t, e, netguard.Client(true))
		env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		mustKeywords(t, env, bima, "en:disinformation", "id:hoaks")
		for i := range 9 {
			mustFeed(t, env, bima, fmt.Sprintf("%s/f/%d", srv.URL, i))
		}
		for round := range 4 {
			if n := env.Poll(t); n != 9 {
				t.Fatalf("round %d fetched %d", round, n)
			}
			env.Clock.Advance(15 * time.Minute)
		}
		fs, _ := env.Svc.Feeds(bima)
		for _, f := range fs {
			// 20 items, then one more at the fourth request.
			if f.Status != publicdiplomacy.FeedOK || f.Items != loadItems+1 {
				t.Errorf("%s: %s, %d items (%s %s)", f.Title, f.Status, f.Items, f.LastError, f.ErrorDetail)
			}
		}
		if m, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Matched: true, Page: core.Page{Limit: 200}}); len(m) == 0 {
			t.Error("no load item matched a keyword")
		}
	})
}

func BenchmarkFeedPolling(b *testing.B) {
	feeds := 1000
	if n, err := strconv.Atoi(os.Getenv("ENTENTE_BENCH_FEEDS")); err == nil && n > 0 {
		feeds = n
	}
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for range b.N {
				feedPolling(b, e, feeds)
			}
		})
	}
}

// loadServer starts the feed server process and returns its URL and a
// client that trusts its certificate and opens a connection per fetch.
func loadServer(b *testing.B, feeds int) (string, *http.Client) {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestFeedLoadServer$")
	cmd.Env = append(os.Environ(), "ENTENTE_FEED_LOAD_SERVER="+strconv.Itoa(feeds))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 3 || f[0] != "LISTEN" {
		b.Fatalf("feed server: %q %v", line, err)
	}
	certPEM, _ := base64.StdEncoding.DecodeString(f[2])
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := netguard.Client(true)
	tr := client.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	tr.DisableKeepAlives = true
	client.Transport = tr
	return f[1], client
}

// rusage is this process's CPU time so far.
func rusage() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set (VmHWM) in MiB; resetPeak
// starts a new peak.
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

func heapInUse() float64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// heapWatch samples the Go heap in use until stopped and keeps its peak.
type heapWatch struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

func watchHeap() *heapWatch {
	h := &heapWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.peak = max(h.peak, ms.HeapInuse)
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapWatch) Stop() float64 { close(h.stop); <-h.done; return float64(h.peak) / (1 << 20) }

func feedPolling(b *testing.B, e storetest.Engine, feeds int) {
	b.StopTimer()
	base, client := loadServer(b, feeds)
	// The service alone, as the job runs it: no web server, whose parsed
	// templates would weigh in the heap measured.
	clock := storetest.NewClock(monNow)
	db := storetest.Open(b, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), publicdiplomacy.Migrations())
	n := &node{Served: fedtest.Serve(b, db), Clock: clock}
	n.Svc = publicdiplomacy.NewService(db, publicdiplomacy.Options{BaseURL: func() string { return "https://kemlu.example" }, HTTP: client})
	env := &monEnv{node: n}
	env.Org(b, "kemlu", "Ministry of Foreign Affairs")
	bima := env.As("Bima", "kemlu", core.RoleOfficer)
	mustKeywords(b, env, bima, "en:disinformation", "en:ASEAN", "id:hoaks", "id:siber")
	for i := range feeds {
		mustFeed(b, env, bima, fmt.Sprintf("%s/f/%d", base, i))
	}
	ctx := context.Background()
	poll := func() int {
		n, err := env.Svc.PollFeeds(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	runtime.GC()
	baseHeap, baseRSS := heapInUse(), peakRSS()

	// Subscribing: every feed due at once, fetched whole, round after
	// round each minute until none is left.
	resetPeak()
	cpu0, wall0, heap := rusage(), time.Now(), watchHeap()
	first := 0
	for round := 0; first < feeds; round++ {
		first += poll()
		env.Clock.Advance(time.Minute)
	}
	firstCPU, firstWall, firstHeap, firstRSS := rusage()-cpu0, time.Since(wall0), heap.Stop(), peakRSS()

	// The hour, in the steady state: a round every minute, each fetching
	// the feeds that are due.
	runtime.GC()
	resetPeak()
	hourBaseHeap := heapInUse()
	fetched, rounds, slowest := 0, 0, time.Duration(0)
	b.StartTimer()
	cpu0, wall0, heap = rusage(), time.Now(), watchHeap()
	for range 60 {
		env.Clock.Advance(time.Minute)
		t0 := time.Now()
		fetched += poll()
		rounds++
		slowest = max(slowest, time.Since(t0))
	}
	hourCPU, hourWall, hourHeap, hourRSS := rusage()-cpu0, time.Since(wall0), heap.Stop(), peakRSS()
	b.StopTimer()

	var items, matched int
	env.DB.R().Get(ctx, &items, `SELECT COUNT(*) FROM pd_feed_items`)
	env.DB.R().Get(ctx, &matched, `SELECT COUNT(*) FROM pd_feed_items WHERE matched <> ''`)
	var failing int
	env.DB.R().Get(ctx, &failing, `SELECT COUNT(*) FROM pd_feeds WHERE status <> 'ok'`)
	if failing > 0 {
		var errs []string
		env.DB.R().Select(ctx, &errs, `SELECT DISTINCT last_error || ' ' || error_detail FROM pd_feeds WHERE status <> 'ok' LIMIT 5`)
		b.Fatalf("%d feeds failing: %v", failing, errs)
	}
	b.ReportMetric(float64(fetched), "fetches/hour")
	b.ReportMetric(hourCPU.Seconds(), "cpu-s/hour")
	b.ReportMetric(hourWall.Seconds(), "wall-s/hour")
	b.ReportMetric(float64(slowest.Milliseconds()), "slowest-round-ms")
	b.ReportMetric(hourHeap-hourBaseHeap, "heap-growth-MiB")
	b.ReportMetric(hourHeap, "peak-heap-MiB")
	b.ReportMetric(hourRSS, "peak-RSS-MiB")
	b.ReportMetric(firstCPU.Seconds(), "first-fetch-cpu-s")
	b.ReportMetric(firstHeap, "first-fetch-peak-heap-MiB")
	b.ReportMetric(firstRSS, "first-fetch-peak-RSS-MiB")
	b.ReportMetric(float64(items), "items-stored")
	b.Logf("%s: before polling: heap in use %.1f MiB, RSS %.1f MiB (the test binary, its database and the feeds' rows)", e.Name, baseHeap, baseRSS)
	b.Logf("%s, %d feeds: first fetch of all %d in %.1f s wall, %.2f s CPU, peak heap %.1f MiB, peak RSS %.1f MiB", e.Name, feeds, first, firstWall.Seconds(), firstCPU.Seconds(), firstHeap, firstRSS)
	b.Logf("%s: the hour: %d fetches in %d rounds, %.2f s CPU (%.2f ms a fetch), %.1f s wall, slowest round %v, peak heap %.1f MiB (%.1f MiB over its start), peak RSS %.1f MiB; %d items stored, %d matched",
		e.Name, fetched, rounds, hourCPU.Seconds(), hourCPU.Seconds()*1000/float64(max(fetched, 1)), hourWall.Seconds(), slowest.Round(time.Millisecond), hourHeap, hourHeap-hourBaseHeap, hourRSS, items, matched)
}

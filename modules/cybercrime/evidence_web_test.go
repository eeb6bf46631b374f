package cybercrime

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/blobs"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/directory"
	webfiles "entente.example/entente/web"
)

// evWorld is one node with two police organisations (Australia's and
// Japan's, both hosted here), a draft request between them, the module's
// pages rendered by the real templates, and the evidence routes on a real
// HTTP server on loopback.
type evWorld struct {
	m   *Module
	s   *fedtest.Served
	inv context.Context
	r   Request
	url string
}

func newEvWorld(t testing.TB) *evWorld {
	t.Helper()
	return newEvWorldOn(t, storetest.Engines(t)[0])
}

func newEvWorldOn(t testing.TB, e storetest.Engine) *evWorld {
	t.Helper()
	db := storetest.Open(t, e, storetest.NewClock(time.Now()), auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(),
		federation.Migrations(), directory.Migrations(), Migrations())
	s := fedtest.Serve(t, db)
	s.Org(t, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
	s.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
	svc := NewService(db, s.Fed, nil, ShippedLegal(), Options{})
	store, err := blobs.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc.UseEvidence(EvidenceOptions{Blobs: store, Ledger: s.Ledger, Fed: s.Fed, NodeName: "Australia's node"})
	srv, err := web.New(web.Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(), NodeName: "Australia's node"}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	w := &evWorld{m: &Module{svc: svc, web: srv}, s: s, inv: s.As("Ines", "afp", core.RoleInvestigator)}
	w.r, err = svc.Create(w.inv, Input{From: "afp", To: s.Addr("npa"), Kind: KindStoredData, Basis: "budapest", Language: "en",
		Fields: map[string]string{"authority": "AFP", "offence": "Unauthorised access", "facts": "Records taken.", "data": "A mailbox",
			"relation": "Sent from it.", "custodian": "Example Mail KK", "measures": "Production order", "purpose": "Prove who sent them."}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, rt := range w.m.evidenceRoutes() {
		h := rt.Handler
		mux.HandleFunc(rt.Pattern, func(rw http.ResponseWriter, r *http.Request) {
			h(rw, r.WithContext(core.WithActor(r.Context(), core.ActorFrom(w.inv))))
		})
	}
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	w.url = hs.URL + "/cybercrime/requests/" + w.r.ID + "/evidence"
	return w
}

// upload posts a multipart form whose file part streams from body.
func (w *evWorld) upload(t testing.TB, name string, body io.Reader) *http.Response {
	t.Helper()
	return w.uploadAt(t, "AFP forensic lab, Canberra", name, body)
}

// uploadAt is upload with the place field as given.
func (w *evWorld) uploadAt(t testing.TB, place, name string, body io.Reader) *http.Response {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("place", place)
		part, _ := mw.CreateFormFile("file", name)
		_, err := io.Copy(part, body)
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", w.url, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestEvidencePage uploads a file through the form's route and shows it:
// its name, size in words, hash and custody log in the reader's language;
// a hand-over without a place comes back naming the field, its input kept.
func TestEvidencePage(t *testing.T) {
	w := newEvWorld(t)
	res := w.upload(t, "server-logs.txt", strings.NewReader(strings.Repeat("203.0.113.7 GET /export\n", 50000)))
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cybercrime/requests/"+w.r.ID+"/evidence" {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	page := get(t, w.url)
	for _, want := range []string{"server-logs.txt", "1.1 MB · application/octet-stream", "Uploaded by Ines (afp@" + w.s.Host + ") on the node Australia&#39;s node",
		"at AFP forensic lab, Canberra", "signature verified", `action="/cybercrime/requests/` + w.r.ID + `/evidence" enctype="multipart/form-data"`,
		"/evidence/package"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	files, err := w.m.svc.EvidenceOf(w.inv, w.r)
	if err != nil || len(files) != 1 {
		t.Fatal(files, err)
	}
	// A statement changed in the database no longer verifies, and the page
	// says so where it shows it.
	if _, err := w.s.DB.Raw().Exec(`UPDATE cyb_custody SET statement = REPLACE(statement, 'Canberra', 'Canberrb')`); err != nil {
		t.Fatal(err)
	}
	if page := get(t, w.url); !strings.Contains(page, "NOT verified: the statement is not the one stored") {
		t.Errorf("a changed statement is not shown as such")
	}
	form := "to=Tokyo+District+Court&note=Sealed"
	req, _ := http.NewRequest("POST", w.url+"/"+files[0].ID+"/handover", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 422 || !strings.Contains(string(b), `id="place-`+files[0].ID+`-err">This is required.`) || !strings.Contains(string(b), `value="Tokyo District Court"`) || !strings.Contains(string(b), `href="#place-`+files[0].ID+`">Where: This is required.`) {
		t.Errorf("hand-over without a place: %d\n%s", res.StatusCode, b)
	}
}

// TestEvidenceTooLarge refuses a file over the node's limit naming the
// file field, and keeps nothing of it.
func TestEvidenceTooLarge(t *testing.T) {
	w := newEvWorld(t)
	w.m.svc.ev.MaxFile = 1000
	res := w.upload(t, "big.bin", strings.NewReader(strings.Repeat("x", 5000)))
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 413 && res.StatusCode != 422 || !strings.Contains(string(b), `id="file-err">The file is larger than this node takes`) {
		t.Fatalf("5000 bytes over a 1000-byte limit: %d\n%s", res.StatusCode, b)
	}
	if files, err := w.m.svc.EvidenceOf(w.inv, w.r); err != nil || len(files) != 0 {
		t.Fatalf("kept: %v %v", files, err)
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", u, res.StatusCode, b)
	}
	return string(b)
}

// randomStream is n bytes of a random 1 MiB block repeated, made as read.
type randomStream struct {
	block []byte
	left  int64
	off   int
}

func newRandomStream(n int64) *randomStream {
	b := make([]byte, 1<<20)
	rand.Read(b)
	return &randomStream{block: b, left: n}
}

func (r *randomStream) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.block[r.off:])
	n = int(min(int64(n), r.left))
	r.off = (r.off + n) % len(r.block)
	r.left -= int64(n)
	return n, nil
}

// TestEvidenceUploadStreams sends 200 MB through the upload route and
// holds the heap to a few megabytes: the file streams from the request
// into the blob store, never whole in memory.
func TestEvidenceUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB through the route: not with -short")
	}
	w := newEvWorld(t)
	const size = 200 << 20
	stop := make(chan struct{})
	peak := peakHeap(stop)
	start := time.Now()
	res := w.upload(t, "disk.img", newRandomStream(size))
	res.Body.Close()
	took := time.Since(start)
	close(stop)
	grew := <-peak
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	files, err := w.m.svc.EvidenceOf(w.inv, w.r)
	if err != nil || len(files) != 1 || files[0].Size != size {
		t.Fatalf("stored: %+v %v", files, err)
	}
	t.Logf("200 MiB in %v (%.0f MB/s), heap grew by at most %.1f MiB", took, float64(size)/took.Seconds()/1e6, float64(grew)/(1<<20))
	if grew > 32<<20 {
		t.Errorf("the heap grew by %d MiB for a 200 MiB upload: the file is held in memory", grew>>20)
	}

	// The package streams the file out the same way.
	stop = make(chan struct{})
	peak = peakHeap(stop)
	n := &countWriter{}
	if err := w.m.svc.ExportPackage(w.inv, w.r.ID, nil, n); err != nil {
		t.Fatal(err)
	}
	close(stop)
	grew = <-peak
	t.Logf("package of %d bytes, heap grew by at most %.1f MiB", n.n, float64(grew)/(1<<20))
	if n.n < size || grew > 32<<20 {
		t.Errorf("package: %d bytes, heap grew by %d MiB", n.n, grew>>20)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkEvidenceUpload measures an upload through the route: of the file
// ENTENTE_BENCH_EVIDENCE names (the figure in docs/performance.md is of a
// 1 GiB file), or else of 256 MiB generated as it streams.
//
//	ENTENTE_BENCH_EVIDENCE=/tmp/evidence-1g.bin go test ./modules/cybercrime -run '^$' -bench EvidenceUpload -benchtime 1x -v
func BenchmarkEvidenceUpload(b *testing.B) {
	w := newEvWorld(b)
	for i := 0; i < b.N; i++ {
		var body io.Reader
		size := int64(256 << 20)
		if path := os.Getenv("ENTENTE_BENCH_EVIDENCE"); path != "" {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			size, body = st.Size(), bufio.NewReaderSize(f, 1<<20)
		} else {
			body = io.LimitReader(rand.Reader, size)
		}
		b.SetBytes(size)
		start := time.Now()
		res := w.upload(b, fmt.Sprintf("evidence-%d.bin", i), body)
		res.Body.Close()
		took := time.Since(start)
		if res.StatusCode != http.StatusSeeOther {
			b.Fatalf("upload: %d", res.StatusCode)
		}
		b.Logf("%d bytes in %.2f s: %.0f MB/s; peak RSS %s", size, took.Seconds(), float64(size)/took.Seconds()/1e6, vmHWM())
	}
}

// vmHWM is the process's peak resident memory, from Linux's /proc.
func vmHWM() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return strconv.Itoa(kb/1024) + " MiB"
		}
	}
	return "?"
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

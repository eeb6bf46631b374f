package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// TestMain lets the test binary stand in for the entente binary, so crash
// tests can run real node processes and kill them.
func TestMain(m *testing.M) {
	if os.Getenv("ENTENTE_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// proc is a node running as its own process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *syncBuffer
	data string
	port int
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startProc(t *testing.T, data string, port int) *proc {
	t.Helper()
	p := &proc{t: t, data: data, port: port, out: &syncBuffer{}}
	p.cmd = exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--data", data, "--allow-private-peers", "--log-level", "error")
	p.cmd.Env = append(os.Environ(), "ENTENTE_TEST_AS_MAIN=1")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the node process", func() bool { return strings.Contains(p.out.String(), "serving on") })
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

func (p *proc) url() string { return "http://127.0.0.1:" + strconv.Itoa(p.port) }

func (p *proc) node() *testNode {
	return &testNode{URL: p.url(), Data: p.data, Stdout: p.out}
}

func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

var checkpointSizeRE = regexp.MustCompile(`\n(\d+)\n`)

func ledgerSize(c *client) int {
	r := c.get("/ledger/checkpoint")
	m := checkpointSizeRE.FindStringSubmatch(r.Body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestCrashes sends 1,000 messages from one node process to another and kills
// the receiver, then the sender, with SIGKILL in the middle of the stream.
// Every message must arrive exactly once, every receipt must match an entry
// of the receiver's ledger, and the receiver's checkpoints must stay
// consistent (its peer, which witnesses them, raises no alarm).
func TestCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	const total = 1000
	aData, bData := t.TempDir(), t.TempDir()
	aPort, bPort := freePort(t), freePort(t)
	ap, bp := startProc(t, aData, aPort), startProc(t, bData, bPort)
	a := setupFederated(t, ap.node(), "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := setupFederated(t, bp.node(), "csa-sg", "SG", "Cyber Security Agency of Singapore")
	peer(t, a, b)
	r := a.officer.post("/account/tokens", url.Values{"name": {"load"}, "scopes": {"read", "write"}, "days": {"1"}})
	tok := regexp.MustCompile(`ent_[a-z0-9]+`).FindString(r.Body)
	to := "csa-sg@" + b.host

	var posted atomic.Int64
	// send posts messages [from, to) through the API, 8 at a time; while a is
	// down, requests fail and are retried until it is back.
	send := func(from, upto int) {
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := newClient(t, a.URL)
				for i := range next {
					for {
						res, err := sendOnce(c, tok, to, i)
						if err == nil && res == 201 {
							posted.Add(1)
							break
						}
						time.Sleep(50 * time.Millisecond)
					}
				}
			}()
		}
		for i := from; i < upto; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
	}

	// Kill the receiver while the first half is arriving.
	done := make(chan struct{})
	go func() { send(0, total/2); close(done) }()
	waitFor(t, "part of the stream on b", func() bool { return ledgerSize(b.admin) >= 100 })
	bp.kill()
	t.Logf("killed b; it answers %d (down)", ledgerSizeAt(t, b.URL))
	<-done
	bp = startProc(t, bData, bPort)

	// Kill the sender while the second half is being sent and delivered.
	done = make(chan struct{})
	go func() { send(total/2, total); close(done) }()
	waitFor(t, "the second half under way", func() bool { return posted.Load() >= total/2+150 })
	ap.kill()
	t.Logf("killed a; b has %d entries", ledgerSizeAt(t, b.URL))
	ap = startProc(t, aData, aPort)
	<-done

	// Everything arrives once: wait until a's outbox to b is empty.
	queueRE := regexp.MustCompile(`(\d+) waiting, (\d+) delivered, (\d+) undelivered`)
	waitLong(t, 90*time.Second, "a's outbox to drain", func() bool {
		m := queueRE.FindStringSubmatch(a.admin.get("/admin/peers").Body)
		if m == nil {
			return false
		}
		delivered, _ := strconv.Atoi(m[2])
		return m[1] == "0" && m[3] == "0" && delivered >= total
	})
	ap.stop()
	bp.stop()

	ctx := context.Background()
	adb, err := store.Open(ctx, filepath.Join(aData, "entente.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	bdb, err := store.Open(ctx, filepath.Join(bData, "entente.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()

	// A request whose answer was lost when a was killed is sent again by the
	// client, so a may hold a few more messages than the client meant; each
	// message a holds must reach b exactly once.
	var sent, sentDistinct, inbox, distinct int
	adb.R().Get(ctx, &sent, `SELECT COUNT(*) FROM messages WHERE direction = 'out'`)
	adb.R().Get(ctx, &sentDistinct, `SELECT COUNT(DISTINCT subject) FROM messages WHERE direction = 'out'`)
	bdb.R().Get(ctx, &inbox, `SELECT COUNT(*) FROM inbox`)
	bdb.R().Get(ctx, &distinct, `SELECT COUNT(DISTINCT subject) FROM messages WHERE direction = 'in'`)
	if sentDistinct != total || inbox != sent || distinct != total {
		t.Fatalf("a holds %d messages (%d distinct), b received %d envelopes (%d distinct); want %d distinct and every one once", sent, sentDistinct, inbox, distinct, total)
	}
	var rows []struct {
		State   string `db:"state"`
		Receipt string `db:"receipt"`
	}
	adb.R().Select(ctx, &rows, `SELECT state, receipt FROM outbox`)
	var bKey []byte
	adb.R().Get(ctx, &bKey, `SELECT signing_key FROM peers WHERE host = ?`, b.host)
	for _, row := range rows {
		if row.State != "delivered" {
			t.Fatalf("an envelope is %s", row.State)
		}
		rc, err := federation.OpenReceipt([]byte(row.Receipt), bKey)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Kind   string `db:"kind"`
			Digest string `db:"digest"`
		}
		if err := bdb.R().Get(ctx, &e, `SELECT kind, digest FROM ledger_entries WHERE idx = ?`, rc.Index); err != nil || e.Kind != rc.Kind || e.Digest != rc.Digest {
			t.Fatalf("receipt for %s says entry %d, the ledger has %+v (%v)", rc.Envelope, rc.Index, e, err)
		}
	}
	// b's tree is whole and its last checkpoint matches it.
	var size int64
	bdb.R().Get(ctx, &size, `SELECT COALESCE(MAX(idx)+1, 0) FROM ledger_entries`)
	var cp struct {
		Size int64  `db:"size"`
		Root []byte `db:"root"`
	}
	bdb.R().Get(ctx, &cp, `SELECT size, root FROM ledger_checkpoints ORDER BY size DESC LIMIT 1`)
	root, err := tlog.TreeHash(cp.Size, tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			var h []byte
			if err := bdb.R().Get(ctx, &h, `SELECT hash FROM ledger_hashes WHERE id = ?`, x); err != nil {
				return nil, err
			}
			copy(out[i][:], h)
		}
		return out, nil
	}))
	if err != nil || string(root[:]) != string(cp.Root) {
		t.Fatalf("b's checkpoint of size %d does not match its tree: %v", cp.Size, err)
	}
	var alarms, seen int
	adb.R().Get(ctx, &alarms, `SELECT COUNT(*) FROM ledger_alarms`)
	adb.R().Get(ctx, &seen, `SELECT COUNT(*) FROM peer_checkpoints`)
	if alarms != 0 || seen == 0 {
		t.Fatalf("%d ledger alarms after the crashes, %d checkpoints of b witnessed", alarms, seen)
	}
	t.Logf("%d messages, b's ledger %d entries, %d of b's checkpoints witnessed by a", total, size, seen)
}

func sendOnce(c *client, tok, to string, i int) (int, error) {
	body := map[string]any{"from": "kemlu", "to": []string{to}, "subject": fmt.Sprintf("Message %04d", i), "body": "Crash test.", "tlp": "GREEN"}
	b, _ := json.Marshal(body)
	req, _ := newJSONRequest(c.base+"/api/v1/messages", tok, b)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

func waitLong(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ledgerSizeAt reads a node's latest checkpoint size, or -1 if it is down.
func ledgerSizeAt(t *testing.T, base string) int {
	c := &client{t: t, base: base, http: &http.Client{Timeout: time.Second}}
	req, _ := http.NewRequest("GET", base+"/ledger/checkpoint", nil)
	res, err := c.http.Do(req)
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := checkpointSizeRE.FindStringSubmatch(string(b))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

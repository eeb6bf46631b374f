package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/config"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
)

// peerCmd manages peers from the console: add (prints the fingerprint to
// compare), verify, suspend, list.
func (e env) peerCmd(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, "usage: entente peer add URL | verify HOST | suspend HOST | list   [--data DIR] [--db URL] [--base-url URL] [--allow-private-peers]\n")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub := args[0]
	cfg := config.Defaults()
	fs := e.newFlagSet("peer "+sub, "peer "+sub+" [flags] [URL|HOST]")
	cfg.BindStorage(fs, e.getenv)
	fs.StringVar(&cfg.BaseURL, "base-url", e.getenv("ENTENTE_BASE_URL"), "public URL of this node (env ENTENTE_BASE_URL)")
	fs.BoolVar(&cfg.AllowPrivatePeers, "allow-private-peers", e.getenv("ENTENTE_ALLOW_PRIVATE_PEERS") == "true" || e.getenv("ENTENTE_ALLOW_PRIVATE_PEERS") == "1", "allow peers on loopback and private addresses")
	if code := parse(fs, args[1:]); code >= 0 {
		return code
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	if cfg.DB == "" {
		cfg.DB = cfg.DataDir + "/entente.db"
	}
	fed, db, err := e.openFederation(ctx, cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "entente peer: %v\n", err)
		return 1
	}
	defer db.Close()
	actx := operatorCtx(ctx)
	switch sub {
	case "add":
		if fs.NArg() != 1 {
			fmt.Fprintln(e.stderr, "usage: entente peer add URL")
			return 2
		}
		p, err := fed.AddPeer(actx, fs.Arg(0))
		if err != nil {
			fmt.Fprintf(e.stderr, "entente peer add: %s\n", describePeerAdd(err))
			return 1
		}
		fmt.Fprintf(e.stdout, "added %s (%s), pending verification.\nCompare this fingerprint with its operator, then run: entente peer verify %s\n\n  %s\n", p.Host, p.Name, p.Host, p.Fingerprint())
	case "verify", "suspend":
		if fs.NArg() != 1 {
			fmt.Fprintf(e.stderr, "usage: entente peer %s HOST\n", sub)
			return 2
		}
		p, err := fed.PeerByHost(ctx, fs.Arg(0))
		if err != nil {
			fmt.Fprintf(e.stderr, "entente peer %s: no peer %s\n", sub, fs.Arg(0))
			return 1
		}
		status := federation.PeerVerified
		if sub == "suspend" {
			status = federation.PeerSuspended
		}
		if err := fed.SetPeerStatus(actx, p.ID, status); err != nil {
			fmt.Fprintf(e.stderr, "entente peer %s: %v\n", sub, err)
			return 1
		}
		fmt.Fprintf(e.stdout, "%s is %s\n", p.Host, status)
	case "list":
		ps, err := fed.Peers(ctx)
		if err != nil {
			fmt.Fprintf(e.stderr, "entente peer list: %v\n", err)
			return 1
		}
		for _, p := range ps {
			fmt.Fprintf(e.stdout, "%-30s %-10s %s\n", p.Host, p.Status, p.Fingerprint())
		}
	default:
		fmt.Fprintf(e.stderr, "entente peer: unknown command %q\n", sub)
		return 2
	}
	return 0
}

// peerAddReasons word AddPeer's problems with the URL for the console.
var peerAddReasons = map[string]string{
	"err.url":              "not an http or https URL without a query",
	"err.peer_self":        "that is this node's own URL",
	"err.peer_unreachable": "fetching its descriptor failed",
	"err.peer_descriptor":  "its descriptor is not valid",
}

// describePeerAdd says why a peer could not be added: the problem with the
// URL and its cause (the network's error, the descriptor's fault), which the
// operator needs and the form shows only in general.
func describePeerAdd(err error) string {
	ce := core.AsError(err)
	if ce == nil || ce.Fields["url"] == "" {
		return err.Error()
	}
	msg := peerAddReasons[ce.Fields["url"]]
	if msg == "" {
		msg = ce.Fields["url"]
	}
	if ce.Err != nil {
		msg += ": " + ce.Err.Error()
	}
	return msg
}

// openFederation opens the node's federation without serving, for the console.
func (e env) openFederation(ctx context.Context, cfg config.Config) (*federation.Service, *store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return nil, nil, err
	}
	k, _, err := keys.LoadOrCreate(cfg.DataDir)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	l, err := ledger.New(db, hostOf(cfg.BaseURL), k.Signing)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	fed, err := federation.New(db, l, k, newLogger(io.Discard, "error"), federation.Options{BaseURL: cfg.BaseURL, AllowPrivate: cfg.AllowPrivatePeers})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return fed, db, nil
}

// verifyCmd proves, from the receiving node's public ledger, that a receipt's
// envelope is in its log: it checks the receipt's signature with the node's
// published key, the node's latest signed checkpoint, and an inclusion proof.
// An evidence package (verify_package.go) and a joint statement's bundle
// (verify_statement.go) are checked offline instead.
func (e env) verifyCmd(ctx context.Context, args []string) int {
	if _, ok := evidencePackageArg(args); ok {
		return e.verifyPackageCmd(args)
	}
	if _, ok := statementBundleArg(args); ok {
		return e.verifyStatementCmd(args)
	}
	fs := e.newFlagSet("verify", "verify [--node URL] [--fingerprint FP] RECEIPT-FILE|-")
	nodeURL := fs.String("node", "", "base URL of the receiving node (default: the node_url a downloaded receipt carries, else https:// plus the host the receipt names)")
	fp := fs.String("fingerprint", "", "the fingerprint you compared with the node's operator; the check fails if the node's key differs")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	var b []byte
	var err error
	if fs.Arg(0) == "-" {
		b, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	} else {
		b, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "entente verify: %v\n", err)
		return 1
	}
	if err := e.verifyReceipt(ctx, strings.TrimSpace(string(b)), *nodeURL, *fp); err != nil {
		fmt.Fprintf(e.stderr, "entente verify: NOT PROVEN: %v\n", err)
		return 1
	}
	return 0
}

func (e env) verifyReceipt(ctx context.Context, receipt, nodeURL, wantFP string) error {
	host, err := federation.ReceiptNode([]byte(receipt))
	if err != nil {
		return err
	}
	guessed := nodeURL == ""
	if guessed {
		nodeURL = receiptNodeURL(receipt, host)
		guessed = strings.HasPrefix(nodeURL, "https://")
	}
	client := &http.Client{Timeout: 20 * time.Second}
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(nodeURL, "/")+path, nil)
		res, err := client.Do(req)
		if err != nil && guessed && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
			// A node served over plain http (a demo, a closed network):
			// what proves the receipt is its signature and the log's, not
			// the transport; --fingerprint pins the key.
			fmt.Fprintf(e.stderr, "entente verify: note: %s answers over http, not https\n", host)
			nodeURL, guessed = "http://"+host, false
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, nodeURL+path, nil)
			res, err = client.Do(req)
		}
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			return nil, fmt.Errorf("%s: status %d", path, res.StatusCode)
		}
		return io.ReadAll(io.LimitReader(res.Body, 1<<20))
	}
	db, err := get("/.well-known/entente")
	if err != nil {
		return err
	}
	d, err := federation.OpenDescriptor(db)
	if err != nil {
		return err
	}
	if d.Host() != host {
		return fmt.Errorf("the node at %s is %s, the receipt names %s", nodeURL, d.Host(), host)
	}
	got := keys.Fingerprint(d.SigningKey)
	if wantFP != "" && strings.ReplaceAll(strings.ToUpper(wantFP), " ", "") != strings.ReplaceAll(got, " ", "") {
		return fmt.Errorf("the node's key fingerprint is %s, not the one you compared", got)
	}
	// A receipt signed before the node rotated its key verifies with the
	// key it had then, if the rotation chain proves it.
	rc, err := federation.OpenReceiptOf([]byte(receipt), d)
	if err != nil {
		return err
	}
	cpb, err := get("/ledger/checkpoint")
	if err != nil {
		return err
	}
	cp, err := ledger.OpenCheckpoint(cpb, d.LedgerKey)
	if err != nil {
		return err
	}
	if rc.Index >= cp.Size {
		return fmt.Errorf("entry %d is not yet covered by the latest checkpoint (size %d); try again in a second", rc.Index, cp.Size)
	}
	pb, err := get(fmt.Sprintf("/ledger/proof/inclusion?index=%d&size=%d", rc.Index, cp.Size))
	if err != nil {
		return err
	}
	var p ledger.Proof
	if err := json.Unmarshal(pb, &p); err != nil {
		return err
	}
	if err := ledger.VerifyInclusion(cp, rc.Index, rc.Kind, rc.Digest, p); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "PROVEN: envelope %s (sha-256 %s) was %s by %s at %s and is entry %d of its ledger (checkpoint of size %d, root %x…).\nNode key fingerprint: %s\n",
		rc.Envelope, rc.Digest, rc.Kind, rc.Node, web.HumanTime("en", rc.Received), rc.Index, cp.Size, cp.Root[:6], got)
	return nil
}

// receiptNodeURL is where to ask about a receipt: the node_url a receipt
// downloaded from a node's page carries (http or https, as the node is
// served), when it is the host the receipt names; else https:// and that
// host. The URL is not signed: the descriptor fetched there must still name
// the host, and its key must still check the receipt.
func receiptNodeURL(receipt, host string) string {
	var f struct {
		NodeURL string `json:"node_url"`
	}
	if json.Unmarshal([]byte(receipt), &f) == nil && f.NodeURL != "" {
		if u, err := url.Parse(f.NodeURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host == host {
			return strings.TrimRight(f.NodeURL, "/")
		}
	}
	return "https://" + host
}

// keysCmd rotates the node's signing key: the node must be stopped. Peers
// that verified the old key follow the signed announcement to the new one.
func (e env) keysCmd(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(e.stderr, "usage: entente keys rotate [--data DIR]")
		return 2
	}
	cfg := config.Defaults()
	fs := e.newFlagSet("keys rotate", "keys rotate [--data DIR]")
	cfg.BindStorage(fs, e.getenv)
	if code := parse(fs, args[1:]); code >= 0 {
		return code
	}
	lock, err := lockData(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(e.stderr, "entente keys rotate: refusing: stop the node first (%v)\n", err)
		return 1
	}
	defer lock.Close()
	old, nw, err := federation.RotateKey(cfg.DataDir, time.Now())
	if err != nil {
		fmt.Fprintf(e.stderr, "entente keys rotate: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "rotated the signing key.\n  old fingerprint: %s\n  new fingerprint: %s\nPeers that verified the old key follow the signed announcement when they next read this node's descriptor.\n", keys.Fingerprint(old), keys.Fingerprint(nw))
	return 0
}

package federation

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
)

// This file is a narrow profile of RFC 9421 HTTP Message Signatures: Ed25519
// only, one signature per request, the components Entente needs plus the ones
// the RFC's own test vectors use. No RFC 9421 library resolves from this
// project's module proxy; the RFC's example B.2.6 is the test.

// Components every federation request signs: what is asked, of what, with
// which body. `created` is a signature parameter.
var RequiredComponents = []string{"@method", "@target-uri", "content-digest"}

// ContentDigest returns the RFC 9530 Content-Digest header value for body.
func ContentDigest(body []byte) string {
	h := sha256.Sum256(body)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(h[:]) + ":"
}

// parseContentDigest reads the sha-256 digest of a Content-Digest header.
// Only sha-256 is understood and it must be there; other algorithms must at
// least be byte sequences.
func parseContentDigest(header string) ([]byte, error) {
	d, err := httpsfv.UnmarshalDictionary([]string{header})
	if err != nil {
		return nil, fmt.Errorf("content-digest: %w", err)
	}
	var want []byte
	for _, alg := range d.Names() {
		m, _ := d.Get(alg)
		it, ok := m.(httpsfv.Item)
		b, isBytes := it.Value.([]byte)
		if !ok || !isBytes {
			return nil, fmt.Errorf("content-digest: %s is not a byte sequence", alg)
		}
		if alg == "sha-256" {
			want = b
		}
	}
	if want == nil {
		return nil, errors.New("content-digest: no sha-256 digest")
	}
	return want, nil
}

// checkContentDigest verifies a Content-Digest header against the exact body
// received.
func checkContentDigest(header string, body []byte) error {
	want, err := parseContentDigest(header)
	if err != nil {
		return err
	}
	if h := sha256.Sum256(body); string(want) != string(h[:]) {
		return errors.New("content-digest: the body does not match its sha-256 digest")
	}
	return nil
}

// componentValue returns the value of one covered component of a request.
// targetURI is the absolute URI of the request as the signer addressed it.
func componentValue(r *http.Request, name, targetURI string) (string, error) {
	switch name {
	case "@method":
		return r.Method, nil
	case "@target-uri":
		return targetURI, nil
	case "@authority":
		return strings.ToLower(r.Host), nil
	case "@scheme":
		return strings.ToLower(strings.SplitN(targetURI, ":", 2)[0]), nil
	case "@path":
		p := r.URL.EscapedPath()
		if p == "" {
			p = "/"
		}
		return p, nil
	case "@query":
		return "?" + r.URL.RawQuery, nil
	case "@request-target":
		return r.URL.RequestURI(), nil
	}
	if strings.HasPrefix(name, "@") || name != strings.ToLower(name) || name == "" {
		return "", fmt.Errorf("component %q is not supported", name)
	}
	vals := r.Header.Values(name)
	if len(vals) == 0 {
		return "", fmt.Errorf("component %q: no such header", name)
	}
	for i, v := range vals {
		vals[i] = strings.TrimSpace(v)
	}
	return strings.Join(vals, ", "), nil
}

// signatureBase builds the RFC 9421 signature base: one line per component
// and the @signature-params line, joined by LF with none at the end.
func signatureBase(r *http.Request, params httpsfv.InnerList, targetURI string) (string, error) {
	var b strings.Builder
	seen := map[string]bool{}
	for _, it := range params.Items {
		name, ok := it.Value.(string)
		if !ok || len(it.Params.Names()) > 0 {
			return "", errors.New("covered components must be plain strings")
		}
		if seen[name] {
			return "", fmt.Errorf("component %q covered twice", name)
		}
		seen[name] = true
		v, err := componentValue(r, name, targetURI)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%q: %s\n", name, v)
	}
	sp, err := httpsfv.Marshal(params)
	if err != nil {
		return "", err
	}
	b.WriteString(`"@signature-params": ` + sp)
	return b.String(), nil
}

// SignParams says how to sign.
type SignParams struct {
	Label      string    // default "sig1"
	KeyID      string    // the signer's name: its host
	Created    time.Time // default now
	Components []string  // default RequiredComponents
	Alg        bool      // include alg="ed25519" (Entente does; the RFC's B.2.6 does not)
}

// Sign adds Signature-Input and Signature headers to r (and Content-Digest
// when it is covered and missing), signing with key.
func Sign(r *http.Request, body []byte, targetURI string, key ed25519.PrivateKey, p SignParams) error {
	if p.Label == "" {
		p.Label = "sig1"
	}
	if p.Components == nil {
		p.Components = RequiredComponents
	}
	if p.Created.IsZero() {
		p.Created = time.Now()
	}
	if slices.Contains(p.Components, "content-digest") && r.Header.Get("Content-Digest") == "" {
		r.Header.Set("Content-Digest", ContentDigest(body))
	}
	il := httpsfv.InnerList{Params: httpsfv.NewParams()}
	for _, c := range p.Components {
		il.Items = append(il.Items, httpsfv.NewItem(c))
	}
	il.Params.Add("created", p.Created.Unix())
	il.Params.Add("keyid", p.KeyID)
	if p.Alg {
		il.Params.Add("alg", "ed25519")
	}
	base, err := signatureBase(r, il, targetURI)
	if err != nil {
		return fmt.Errorf("httpsig: %w", err)
	}
	sig := ed25519.Sign(key, []byte(base))
	in := httpsfv.NewDictionary()
	in.Add(p.Label, il)
	sd := httpsfv.NewDictionary()
	sd.Add(p.Label, httpsfv.NewItem(sig))
	inS, err := httpsfv.Marshal(in)
	if err != nil {
		return err
	}
	sigS, err := httpsfv.Marshal(sd)
	if err != nil {
		return err
	}
	r.Header.Set("Signature-Input", inS)
	r.Header.Set("Signature", sigS)
	return nil
}

// Verified is what a valid signature established.
type Verified struct {
	KeyID   string
	Created time.Time
	// Digest reports that Content-Digest is covered: the body must then be
	// checked against it (CheckBody) before it is trusted.
	Digest bool
}

// VerifyOptions say what a receiver accepts.
type VerifyOptions struct {
	Required []string      // components that must be covered
	Now      time.Time     // the receiver's clock
	MaxSkew  time.Duration // how far created may be from now
	// Key returns the public key of a signer, or an error when the signer is
	// unknown or not allowed.
	Key func(keyid string) (ed25519.PublicKey, error)
}

// Verify checks the request's signature over the exact body bytes received:
// the Content-Digest must match the body, the covered components must include
// the required ones, created must be within the allowed skew, and the Ed25519
// signature must verify with the signer's key.
func Verify(r *http.Request, body []byte, targetURI string, o VerifyOptions) (Verified, error) {
	v, err := VerifyHeaders(r, targetURI, o)
	if err != nil {
		return Verified{}, err
	}
	if err := CheckBody(r, v, body); err != nil {
		return Verified{}, err
	}
	return v, nil
}

// CheckBody checks the body received against the Content-Digest that a
// verified signature covers.
func CheckBody(r *http.Request, v Verified, body []byte) error {
	if !v.Digest {
		return nil
	}
	if err := checkContentDigest(r.Header.Get("Content-Digest"), body); err != nil {
		return fmt.Errorf("httpsig: %w", err)
	}
	return nil
}

// VerifyHeaders checks everything a signature says without the body: the
// covered components include the required ones, created is within the
// allowed skew, the signer is known (o.Key) and the Ed25519 signature over
// the headers, Content-Digest included, verifies. A receiver calls it before
// reading a byte of the body, so that nobody without a key can make it
// buffer one; the body is then held to the digest with CheckBody.
func VerifyHeaders(r *http.Request, targetURI string, o VerifyOptions) (Verified, error) {
	inH, sigH := r.Header.Values("Signature-Input"), r.Header.Values("Signature")
	if len(inH) == 0 || len(sigH) == 0 {
		return Verified{}, errors.New("httpsig: the request is not signed")
	}
	inputs, err := httpsfv.UnmarshalDictionary(inH)
	if err != nil {
		return Verified{}, fmt.Errorf("httpsig: Signature-Input: %w", err)
	}
	sigs, err := httpsfv.UnmarshalDictionary(sigH)
	if err != nil {
		return Verified{}, fmt.Errorf("httpsig: Signature: %w", err)
	}
	labels := inputs.Names()
	if len(labels) != 1 {
		return Verified{}, errors.New("httpsig: want exactly one signature")
	}
	label := labels[0]
	m, _ := inputs.Get(label)
	il, ok := m.(httpsfv.InnerList)
	if !ok {
		return Verified{}, errors.New("httpsig: Signature-Input is not an inner list")
	}
	sm, ok := sigs.Get(label)
	if !ok {
		return Verified{}, fmt.Errorf("httpsig: no Signature for %q", label)
	}
	sit, ok := sm.(httpsfv.Item)
	sig, isBytes := sit.Value.([]byte)
	if !ok || !isBytes || len(sig) != ed25519.SignatureSize {
		return Verified{}, errors.New("httpsig: the signature is not an Ed25519 byte sequence")
	}
	covered := map[string]bool{}
	for _, it := range il.Items {
		if s, ok := it.Value.(string); ok {
			covered[s] = true
		}
	}
	for _, c := range o.Required {
		if !covered[c] {
			return Verified{}, fmt.Errorf("httpsig: %q is not covered by the signature", c)
		}
	}
	kid, _ := il.Params.Get("keyid")
	keyid, ok := kid.(string)
	if !ok || keyid == "" {
		return Verified{}, errors.New("httpsig: keyid missing")
	}
	if alg, ok := il.Params.Get("alg"); ok && alg != "ed25519" {
		return Verified{}, fmt.Errorf("httpsig: alg %v is not accepted", alg)
	}
	cr, _ := il.Params.Get("created")
	created, ok := cr.(int64)
	if !ok {
		return Verified{}, errors.New("httpsig: created missing")
	}
	ct := time.Unix(created, 0)
	if o.MaxSkew > 0 && (ct.Before(o.Now.Add(-o.MaxSkew)) || ct.After(o.Now.Add(o.MaxSkew))) {
		return Verified{}, fmt.Errorf("httpsig: created %s is outside the accepted window", ct.UTC().Format(time.RFC3339))
	}
	if exp, ok := il.Params.Get("expires"); ok {
		if e, ok := exp.(int64); !ok || o.Now.After(time.Unix(e, 0)) {
			return Verified{}, errors.New("httpsig: the signature has expired")
		}
	}
	if covered["content-digest"] {
		// Its form is checked now; what it says, once the body is read.
		if _, err := parseContentDigest(r.Header.Get("Content-Digest")); err != nil {
			return Verified{}, fmt.Errorf("httpsig: %w", err)
		}
	}
	pub, err := o.Key(keyid)
	if err != nil {
		return Verified{}, err
	}
	base, err := signatureBase(r, il, targetURI)
	if err != nil {
		return Verified{}, fmt.Errorf("httpsig: %w", err)
	}
	if !ed25519.Verify(pub, []byte(base), sig) {
		return Verified{}, errors.New("httpsig: the signature does not verify")
	}
	return Verified{KeyID: keyid, Created: ct, Digest: covered["content-digest"]}, nil
}

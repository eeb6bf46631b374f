package ap

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The errors Verify returns, wrapped with detail. ErrNoSignature,
// ErrBadSignature and ErrExpired mean "not authenticated" (answer 401);
// ErrBadDigest means the body is not the one that was signed (answer 400).
var (
	ErrNoSignature  = errors.New("ap: no HTTP signature")
	ErrBadSignature = errors.New("ap: bad HTTP signature")
	ErrBadDigest    = errors.New("ap: body does not match its Digest")
	ErrExpired      = errors.New("ap: HTTP signature outside its time window")
)

// Skew is how far a signature's date may lie from our clock, either way.
const Skew = time.Hour

// maxSignatureHeader bounds the header we parse; real ones are under 1 KiB.
const maxSignatureHeader = 8 << 10

// sigParams are the parameters of a draft-cavage Signature header.
type sigParams struct {
	keyID, algorithm, signature string
	headers                     []string // nil when the parameter is absent
	created                     int64
	expires                     float64
	hasCreated, hasExpires      bool
}

func badSig(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSignature, fmt.Sprintf(format, a...))
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// parseSignature reads `keyId="…",algorithm="…",headers="…",signature="…"`.
// Values are quoted strings (backslash escapes allowed) or bare tokens (the
// draft's own example writes created and expires unquoted). A known
// parameter given twice makes the header void, as the draft requires;
// unknown parameters are ignored.
func parseSignature(h string) (sigParams, error) {
	var p sigParams
	if len(h) > maxSignatureHeader {
		return p, badSig("header longer than %d bytes", maxSignatureHeader)
	}
	seen := map[string]bool{}
	i := 0
	ows := func() {
		for i < len(h) && (h[i] == ' ' || h[i] == '\t') {
			i++
		}
	}
	for {
		ows()
		start := i
		for i < len(h) && isTokenChar(h[i]) {
			i++
		}
		name := h[start:i]
		if name == "" {
			return p, badSig("parameter name expected at byte %d", i)
		}
		ows()
		if i >= len(h) || h[i] != '=' {
			return p, badSig("%q has no value", name)
		}
		i++
		ows()
		var val string
		if i < len(h) && h[i] == '"' {
			var b strings.Builder
			i++
			closed := false
			for i < len(h) {
				c := h[i]
				if c == '\\' && i+1 < len(h) {
					b.WriteByte(h[i+1])
					i += 2
					continue
				}
				i++
				if c == '"' {
					closed = true
					break
				}
				if c < 0x20 && c != '\t' || c == 0x7f {
					return p, badSig("control character in %q", name)
				}
				b.WriteByte(c)
			}
			if !closed {
				return p, badSig("unterminated value of %q", name)
			}
			val = b.String()
		} else {
			start := i
			for i < len(h) && (isTokenChar(h[i]) || h[i] == '/' || h[i] == '=') {
				i++
			}
			val = h[start:i]
		}
		switch name {
		case "keyId", "algorithm", "headers", "signature", "created", "expires":
			if seen[name] {
				return p, badSig("%q given twice", name)
			}
			seen[name] = true
		}
		switch name {
		case "keyId":
			p.keyID = val
		case "algorithm":
			p.algorithm = val
		case "signature":
			p.signature = val
		case "headers":
			p.headers = strings.Fields(strings.ToLower(val))
			if len(p.headers) == 0 {
				return p, badSig("empty headers")
			}
		case "created":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return p, badSig("created is not an integer")
			}
			p.created, p.hasCreated = n, true
		case "expires":
			f, err := strconv.ParseFloat(val, 64)
			if err != nil || f != f {
				return p, badSig("expires is not a number")
			}
			p.expires, p.hasExpires = f, true
		}
		ows()
		if i == len(h) {
			break
		}
		if h[i] != ',' {
			return p, badSig("',' expected at byte %d", i)
		}
		i++
	}
	if p.keyID == "" || p.signature == "" {
		return p, badSig("keyId and signature are required")
	}
	if p.headers == nil {
		// The draft says "(created)", its own Default Test and Mastodon
		// say "date"; (created) is only usable with hs2019.
		p.headers = []string{"date"}
		if p.hasCreated && strings.EqualFold(p.algorithm, "hs2019") {
			p.headers = []string{"(created)"}
		}
	}
	return p, nil
}

// signatureHeader finds the signature: the Signature header, or the
// Authorization header's Signature scheme.
func signatureHeader(r *http.Request) (string, error) {
	if v := r.Header.Values("Signature"); len(v) > 0 {
		if len(v) > 1 {
			return "", badSig("several Signature headers")
		}
		return v[0], nil
	}
	for _, a := range r.Header.Values("Authorization") {
		if scheme, rest, ok := strings.Cut(a, " "); ok && strings.EqualFold(scheme, "Signature") {
			return rest, nil
		}
	}
	return "", ErrNoSignature
}

// requestTarget is the path and query as the client sent them.
func requestTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	if r.RequestURI != "" { // absolute-form
		if u, err := url.Parse(r.RequestURI); err == nil {
			return u.RequestURI()
		}
	}
	return r.URL.RequestURI()
}

func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// signingString builds the draft's signing string over the request as
// received; target is the (request-target) path and query.
func signingString(r *http.Request, p sigParams, target string) (string, error) {
	rsaLike := strings.HasPrefix(strings.ToLower(p.algorithm), "rsa") ||
		strings.HasPrefix(strings.ToLower(p.algorithm), "hmac") || strings.HasPrefix(strings.ToLower(p.algorithm), "ecdsa")
	var b strings.Builder
	for i, h := range p.headers {
		if i > 0 {
			b.WriteByte('\n')
		}
		var v string
		switch h {
		case "(request-target)":
			v = strings.ToLower(r.Method) + " " + target
		case "(created)":
			if rsaLike || !p.hasCreated {
				return "", badSig("(created) needs hs2019 and a created parameter")
			}
			v = strconv.FormatInt(p.created, 10)
		case "(expires)":
			if rsaLike || !p.hasExpires {
				return "", badSig("(expires) needs hs2019 and an expires parameter")
			}
			v = strconv.FormatFloat(p.expires, 'f', -1, 64)
		case "host":
			v = requestHost(r)
			if v == "" {
				return "", badSig("no host")
			}
		default:
			vals := r.Header.Values(h)
			if len(vals) == 0 {
				return "", badSig("signed header %q is absent", h)
			}
			trimmed := make([]string, len(vals)) // Values shares the request's slice
			for j, x := range vals {
				trimmed[j] = strings.Trim(x, " \t")
			}
			v = strings.Join(trimmed, ", ")
		}
		b.WriteString(h)
		b.WriteString(": ")
		b.WriteString(v)
	}
	return b.String(), nil
}

// verifySigned checks the signature over the request against pub, without
// any of Verify's policy (which headers, time window, digest): the draft's
// own test vectors are checked with it.
func verifySigned(r *http.Request, p sigParams, target string, pub *rsa.PublicKey) error {
	s, err := signingString(r, p, target)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(p.signature)
	if err != nil {
		return badSig("signature is not base64")
	}
	if pub == nil || pub.N.BitLen() < minKeyBits || pub.N.BitLen() > maxKeyBits {
		return badSig("unusable key")
	}
	h := sha256.Sum256([]byte(s))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig) != nil {
		return badSig("signature does not verify")
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func hasBody(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// checkPolicy is what Mastodon demands of a signature before it looks at
// the key: an RSA algorithm, a signed date, the target (or, on POST, the
// digest), the host, and on POST the digest.
func checkPolicy(r *http.Request, p sigParams) error {
	switch strings.ToLower(p.algorithm) {
	case "", "rsa-sha256", "hs2019":
	default:
		return badSig("algorithm %q is not accepted", p.algorithm)
	}
	switch {
	case !contains(p.headers, "date") && !contains(p.headers, "(created)"):
		return badSig("neither date nor (created) is signed")
	case !contains(p.headers, "(request-target)") && !contains(p.headers, "digest"):
		return badSig("neither (request-target) nor digest is signed")
	case !contains(p.headers, "host"):
		return badSig("host is not signed")
	case hasBody(r.Method) && !contains(p.headers, "digest"):
		return badSig("digest is not signed")
	}
	return nil
}

func checkTime(r *http.Request, p sigParams, now time.Time) error {
	if contains(p.headers, "date") {
		d, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			return badSig("signed Date is not an HTTP date")
		}
		if d.Sub(now) > Skew || now.Sub(d) > Skew {
			return fmt.Errorf("%w: Date %s", ErrExpired, d.UTC().Format(time.RFC3339))
		}
	}
	if p.hasCreated {
		c := time.Unix(p.created, 0)
		if c.Sub(now) > Skew || now.Sub(c) > Skew {
			return fmt.Errorf("%w: created %d", ErrExpired, p.created)
		}
	}
	if p.hasExpires && float64(now.Unix()) > p.expires {
		return fmt.Errorf("%w: expired at %v", ErrExpired, p.expires)
	}
	return nil
}

// checkDigest compares every SHA-256 and SHA-512 digest in the Digest
// header with the body; at least one must be there.
func checkDigest(r *http.Request, body []byte) error {
	h := strings.Join(r.Header.Values("Digest"), ",")
	if h == "" {
		return fmt.Errorf("%w: no Digest header", ErrBadDigest)
	}
	matched := false
	for _, part := range strings.Split(h, ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		var sum []byte
		switch strings.ToLower(alg) {
		case "sha-256":
			s := sha256.Sum256(body)
			sum = s[:]
		case "sha-512":
			s := sha512.Sum512(body)
			sum = s[:]
		default:
			continue
		}
		got, err := base64.StdEncoding.DecodeString(val)
		if err != nil || !bytes.Equal(got, sum) {
			return fmt.Errorf("%w: %s", ErrBadDigest, alg)
		}
		matched = true
	}
	if !matched {
		return fmt.Errorf("%w: no SHA-256 or SHA-512 digest", ErrBadDigest)
	}
	return nil
}

// Verify checks an inbound request's draft-cavage signature as Mastodon and
// GoToSocial send it and returns the keyId it verified. body is the request
// body as read (the caller bounds it). The signature is refused unless its
// algorithm is rsa-sha256, hs2019 or absent (all verified as RSASSA-PKCS1
// v1.5 with SHA-256); it signs date or (created), host, (request-target) or
// digest, and digest on any method with a body; its date lies within Skew
// of now and its expires (if any) is not past; and, on a method with a
// body, the Digest header matches the body. Only then is the key fetched
// with key(ctx, keyID). A (request-target) signed without the query string
// is accepted too, as GoToSocial accepts it.
//
// On failure the keyId is still returned when the header named one, so
// that a caller whose cached key failed can refetch it (keys rotate) and
// verify again; it is not authenticated then.
func Verify(ctx context.Context, r *http.Request, body []byte, now time.Time, key func(ctx context.Context, keyID string) (*rsa.PublicKey, error)) (string, error) {
	h, err := signatureHeader(r)
	if err != nil {
		return "", err
	}
	p, err := parseSignature(h)
	if err != nil {
		return "", err
	}
	if err := checkPolicy(r, p); err != nil {
		return p.keyID, err
	}
	if err := checkTime(r, p, now); err != nil {
		return p.keyID, err
	}
	if hasBody(r.Method) || contains(p.headers, "digest") {
		if err := checkDigest(r, body); err != nil {
			return p.keyID, err
		}
	}
	target := requestTarget(r)
	if _, err := signingString(r, p, target); err != nil { // before fetching any key
		return p.keyID, err
	}
	pub, err := key(ctx, p.keyID)
	if err != nil {
		return p.keyID, fmt.Errorf("%w: key %q: %w", ErrBadSignature, p.keyID, err)
	}
	if err := verifySigned(r, p, target, pub); err != nil {
		// Servers disagree on whether the query belongs in
		// (request-target); GoToSocial checks both ways, and so do we.
		path, _, hasQuery := strings.Cut(target, "?")
		if !hasQuery || verifySigned(r, p, path, pub) != nil {
			return p.keyID, err
		}
	}
	return p.keyID, nil
}

// Sign signs an outgoing request as Mastodon does: it sets Date (now), Host
// and, on a method with a body, Digest (SHA-256 of body), then a Signature
// with algorithm rsa-sha256 over "(request-target) host date" (GET) or
// "(request-target) host date digest" (POST). Sign again for each attempt:
// the receiver refuses old dates.
func Sign(r *http.Request, body []byte, keyID string, key *rsa.PrivateKey, now time.Time) error {
	headers := []string{"(request-target)", "host", "date"}
	if hasBody(r.Method) {
		headers = append(headers, "digest")
	}
	return sign(r, body, keyID, key, now, r.URL.RequestURI(), "rsa-sha256", headers)
}

func sign(r *http.Request, body []byte, keyID string, key *rsa.PrivateKey, now time.Time, target, algorithm string, headers []string) error {
	if key == nil {
		return errors.New("ap: sign: no key")
	}
	if keyID == "" || strings.ContainsAny(keyID, "\"\\") || strings.ContainsFunc(keyID, func(c rune) bool { return c < 0x20 || c >= 0x7f }) {
		return fmt.Errorf("ap: sign: keyId %q cannot be written in a Signature header", keyID)
	}
	host := requestHost(r)
	if host == "" || strings.ContainsFunc(host, func(c rune) bool { return c <= 0x20 || c >= 0x7f }) {
		// Go would send a non-ASCII host as punycode, and the signature
		// would cover the other spelling.
		return fmt.Errorf("ap: sign: host %q must be ASCII", host)
	}
	r.Host = host
	r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	if hasBody(r.Method) {
		sum := sha256.Sum256(body)
		r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	}
	p := sigParams{algorithm: algorithm, headers: headers}
	s, err := signingString(r, p, target)
	if err != nil {
		return fmt.Errorf("ap: sign: %w", err)
	}
	h := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		return fmt.Errorf("ap: sign: %w", err)
	}
	r.Header.Set("Signature", fmt.Sprintf(`keyId="%s",algorithm="%s",headers="%s",signature="%s"`,
		keyID, algorithm, strings.Join(headers, " "), base64.StdEncoding.EncodeToString(sig)))
	return nil
}

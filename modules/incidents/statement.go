package incidents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// A joint attribution statement goes draft → open (its text frozen, its
// hash what every state signs) → published, or withdrawn by its initiator
// before that. Each invited state is invited → signed or declined, and may
// withdraw its signature (→ withdrawn) until the statement is published.
const (
	StatementDraft     = "draft"
	StatementOpen      = "open"
	StatementPublished = "published"
	StatementWithdrawn = "withdrawn"

	SignerInvited   = "invited"
	SignerSigned    = "signed"
	SignerDeclined  = "declined"
	SignerWithdrawn = "withdrawn"
)

// Publish modes: when the initiator decides, or at a set time (with the
// initiator still able to publish earlier).
const (
	PublishByInitiator = "initiator"
	PublishAt          = "at"
)

// The contexts of the two signed documents: a co-signature over a text's
// hash, and the initiator's publication listing every co-signature. A
// signature made for one is never valid for the other.
const (
	CosignContext  = "attribution-cosign"
	PublishContext = "attribution-publish"
)

// TextFormat names the signed text's format; BundleFormat the published
// bundle's.
const (
	TextFormat   = "entente-attribution-text/1"
	BundleFormat = "entente-attribution-statement/1"
)

// Translation is a statement's text in a second language, signed with it.
type Translation struct {
	Language string `json:"language"`
	Title    string `json:"title"`
	Body     string `json:"body"`
}

// Text is exactly what every state signs. Its canonical bytes are its
// encoding/json marshalling (fields in this order, no indentation); a
// text that does not marshal back to the same bytes is refused, so there
// is one byte string per meaning and the SHA-256 names the text.
type Text struct {
	Format      string       `json:"format"`
	Origin      string       `json:"origin"`    // the statement's id on the initiator's node
	Initiator   string       `json:"initiator"` // the initiating organisation's address
	Country     string       `json:"country"`   // the initiating state
	Language    string       `json:"language"`
	Title       string       `json:"title"`
	Body        string       `json:"body"`
	Actor       string       `json:"actor"` // to whom the statement attributes
	Incident    *core.Ref    `json:"incident,omitempty"`
	Translation *Translation `json:"translation,omitempty"`
}

// Canonical returns the text's bytes as signed.
func (t Text) Canonical() []byte {
	b, _ := json.Marshal(t) // only strings and a struct: cannot fail
	return b
}

// TextHash is the hex SHA-256 of a text's exact bytes.
func TextHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// maxStatementText bounds a statement's text: a page or two, with a translation.
const maxStatementText = 64 << 10

// ParseText reads a text as a peer or a bundle gives it, refusing bytes
// that are not its canonical form (a key twice, another order, spacing,
// another escaping): what is shown is then exactly what was hashed.
func ParseText(b []byte) (Text, error) {
	var t Text
	if len(b) > maxStatementText {
		return t, errors.New("the text is too long")
	}
	if err := core.CheckJSON(b); err != nil {
		return t, errors.New("the text is not clean JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return t, errors.New("the text is not a statement's text")
	}
	if !bytes.Equal(t.Canonical(), b) {
		return t, errors.New("the text is not in its canonical form")
	}
	if t.Format != TextFormat {
		return t, errors.New("the text is of another format")
	}
	if p := t.problems(); len(p) > 0 {
		return t, errors.New("the text's fields are not valid")
	}
	return t, nil
}

// problems checks the text's fields, as a draft's or a peer's.
func (t Text) problems() core.Problems {
	p := core.Problems{}
	line := func(field, v string, max int, required bool) {
		switch {
		case required && strings.TrimSpace(v) == "":
			p[field] = "err.required"
		case utf8.RuneCountInString(v) > max:
			p[field] = "err.too_long"
		case strings.ContainsAny(v, "\r\n"):
			p[field] = "err.stmt_one_line"
		case core.CheckText(v) != "":
			p[field] = core.CheckText(v)
		}
	}
	para := func(field, v string, required bool) {
		switch {
		case required && strings.TrimSpace(v) == "":
			p[field] = "err.required"
		case utf8.RuneCountInString(v) > 20000:
			p[field] = "err.too_long"
		case core.CheckText(v) != "":
			p[field] = core.CheckText(v)
		}
	}
	line("title", t.Title, 200, true)
	para("body", t.Body, true)
	line("actor", t.Actor, 200, true)
	if !validLang(t.Language) {
		p["language"] = "err.stmt_lang"
	}
	if tr := t.Translation; tr != nil {
		if !validLang(tr.Language) || tr.Language == t.Language {
			p["tr_language"] = "err.stmt_lang"
		}
		line("tr_title", tr.Title, 200, true)
		para("tr_body", tr.Body, true)
	}
	if t.Incident != nil {
		if _, err := core.ParseRef(t.Incident.String()); err != nil || t.Incident.Module != "incidents" || t.Incident.Kind != "incident" {
			p["incident"] = "err.stmt_incident"
		}
	}
	if h, host, ok := strings.Cut(t.Initiator, "@"); !ok || h == "" || host == "" || strings.ContainsAny(t.Initiator, " \t\r\n/") {
		p["from"] = "err.stmt_from"
	}
	if !core.ValidID(t.Origin) && t.Origin != "" {
		p["origin"] = "err.invalid"
	}
	return p
}

// validLang accepts a two- or three-letter lower-case language code.
func validLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Cosign is a state's co-signature, made and signed by its own node: the
// text's hash, who signs (an organisation of that node), and when.
type Cosign struct {
	Statement string    `json:"statement"` // TextHash of the text
	Signer    string    `json:"signer"`    // the organisation's address, handle@node
	Name      string    `json:"name"`      // the organisation's name, as its node gives it
	Country   string    `json:"country"`
	Node      string    `json:"node"` // the host of the node that signed
	SignedAt  time.Time `json:"signed_at"`
}

// Publication is the initiator's node's statement that the text was
// published with exactly these co-signatures: removing one from a bundle
// is then seen.
type Publication struct {
	Statement   string    `json:"statement"` // TextHash
	Origin      string    `json:"origin"`
	Initiator   string    `json:"initiator"`
	PublishedAt time.Time `json:"published_at"`
	Signatures  []Listed  `json:"signatures"`
}

// Listed is one co-signature a publication names: by its signer and the
// SHA-256 of the signed document, which is also its ledger entry.
type Listed struct {
	Signer string `json:"signer"`
	Node   string `json:"node"`
	Digest string `json:"digest"`
}

// LedgerProof proves that a signed document is in its node's ledger: the
// node's checkpoint (C2SP signed note) and an inclusion proof against it.
type LedgerProof struct {
	VerifierKey string   `json:"verifier_key"`
	Checkpoint  string   `json:"checkpoint"`
	Index       int64    `json:"index"`
	Size        int64    `json:"size"`
	Hashes      []string `json:"hashes"` // base64, as /ledger/proof/inclusion gives them
}

// Signature is one co-signature in a bundle: the signed document as its
// node made it, and its ledger proof.
type Signature struct {
	Signer    string          `json:"signer"`
	Node      string          `json:"node"`
	Statement json.RawMessage `json:"statement"` // the signed Cosign
	Ledger    *LedgerProof    `json:"ledger,omitempty"`
}

// BundleNode is a node's public key as the publishing node knew it.
type BundleNode struct {
	Host        string `json:"host"`
	Name        string `json:"name,omitempty"`
	SigningKey  []byte `json:"signing_key"` // Ed25519, base64 in JSON
	Fingerprint string `json:"fingerprint"`
}

// StatementBundle is a published statement, whole: what `entente verify` checks
// offline. Text is the exact signed bytes, as a JSON string.
type StatementBundle struct {
	Format      string          `json:"format"`
	Text        string          `json:"text"`
	SHA256      string          `json:"sha256"`
	Publication json.RawMessage `json:"publication"` // the signed Publication
	PubLedger   *LedgerProof    `json:"publication_ledger,omitempty"`
	Signatures  []Signature     `json:"signatures"`
	Nodes       []BundleNode    `json:"nodes"`
}

package publicdiplomacy

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// The node's list of its organisations' accounts, signed with the node's
// key: a citizen (or a journalist, or a platform) who holds the node's key
// — published at /.well-known/entente, its fingerprint read out by the
// operator — can check that an account is really the ministry's, without
// trusting whoever shows the list.

// VerifiedContext is the signing context of the list: a signature over it
// is valid for nothing else.
const VerifiedContext = "publicdiplomacy-accounts"

// VerifiedList is the signed document's body.
type VerifiedList struct {
	Node     string            `json:"node"`
	Signed   time.Time         `json:"signed"`
	Accounts []VerifiedAccount `json:"accounts"`
}

// VerifiedAccount is one account of the list.
type VerifiedAccount struct {
	Handle       string          `json:"handle"` // user@host
	Actor        string          `json:"actor"`  // the ActivityPub id, also the profile page
	Organisation VerifiedOrgName `json:"organisation"`
	Created      time.Time       `json:"created"`
}

// VerifiedOrgName names the organisation an account speaks for.
type VerifiedOrgName struct {
	Name   string `json:"name"`
	Handle string `json:"handle"`
}

// SignedAccounts returns the list of the node's accounts, signed by the
// node (federation's signed statement: {"body": …, "signature": …}).
func (s *Service) SignedAccounts(ctx context.Context) ([]byte, error) {
	if s.opt.Signer == nil {
		return nil, &core.Error{Kind: core.KindUnavailable, Op: "publicdiplomacy: verified list", Message: "err.unavailable"}
	}
	accs, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	doc := VerifiedList{Node: s.Host(), Signed: s.Now().UTC().Truncate(time.Second), Accounts: []VerifiedAccount{}}
	for _, a := range accs {
		doc.Accounts = append(doc.Accounts, VerifiedAccount{Handle: s.Handle(a.Username), Actor: s.ActorURL(a.Username),
			Organisation: VerifiedOrgName{Name: a.OrgName, Handle: a.Org}, Created: a.CreatedAt.UTC()})
	}
	return s.opt.Signer.SignStatement(VerifiedContext, doc)
}

// nodeSelf is the signer when it can say what it signs as — federation's
// service can: its descriptor names the organisation that runs the node,
// and its key has a fingerprint that the operator reads out.
type nodeSelf interface {
	Descriptor() []byte
	Fingerprint() string
}

// NodeRunner is who stands behind the node's signature, for the public
// list of accounts.
type NodeRunner struct {
	Operator    string // the operating organisation's name, "" when the node names none
	Fingerprint string // of the node's signing key, "" without one
}

// Runner says who runs the node, the operator's name in lang (its English
// name when it has none in lang, its handle when the directory does not
// know it).
func (s *Service) Runner(ctx context.Context, lang string) NodeRunner {
	self, ok := s.opt.Signer.(nodeSelf)
	if !ok {
		return NodeRunner{}
	}
	r := NodeRunner{Fingerprint: self.Fingerprint()}
	d, err := federation.OpenDescriptor(self.Descriptor())
	if err != nil || d.Operator == "" {
		return r
	}
	var names struct {
		EN string `db:"name_en"`
		ID string `db:"name_id"`
	}
	r.Operator = d.Operator
	if err := s.db.R().Get(ctx, &names, `SELECT name_en, name_id FROM organisations WHERE handle = ?`, d.Operator); err == nil {
		r.Operator = names.EN
		if lang == "id" && names.ID != "" {
			r.Operator = names.ID
		}
	}
	return r
}

// PublicSiblings are the other languages of a published post's message
// that anyone may read, for its page to link them.
func (s *Service) PublicSiblings(ctx context.Context, p Post) ([]Post, error) {
	var out []Post
	err := s.db.R().Select(ctx, &out, `SELECT `+postCols+postFrom+` WHERE p.group_id = ? AND p.id <> ? AND p.state = 'published' AND p.visibility IN ('public', 'unlisted') ORDER BY p.created_at, p.id`,
		p.GroupID, p.ID)
	return out, err
}

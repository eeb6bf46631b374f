package publicdiplomacy

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// Field is one of a profile's fields, such as the ministry's website. A
// field whose value is an https link is verified when the linked page links
// back to the profile with rel="me", as Mastodon verifies them.
type Field struct {
	Name       string     `json:"name"`
	Value      string     `json:"value"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
}

// Account is one of an organisation's voices on the fediverse.
type Account struct {
	ID               string    `db:"id" json:"id"`
	OrgID            string    `db:"org_id" json:"-"`
	Org              string    `db:"org" json:"org"` // the organisation's handle
	OrgName          string    `db:"org_name" json:"org_name"`
	Username         string    `db:"username" json:"username"`
	DisplayName      string    `db:"display_name" json:"display_name"`
	Summary          string    `db:"summary" json:"summary"`
	Language         string    `db:"language" json:"language"`
	FieldsJSON       string    `db:"fields" json:"-"`
	Fields           []Field   `db:"-" json:"fields"`
	ManuallyApproves bool      `db:"manually_approves" json:"manually_approves"`
	PublicKey        string    `db:"public_key" json:"-"`
	PrivateKey       string    `db:"private_key" json:"-"`
	CreatedAt        time.Time `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time `db:"updated_at" json:"updated_at"`
	Followers        int       `db:"followers" json:"followers"`
}

// Languages a post may be written in: the node's two and the languages of
// the host countries of the demo's embassies. A code outside the list is
// refused rather than guessed.
var Languages = []string{"en", "id", "ms", "th", "vi", "fil", "ja", "ko", "zh", "fr", "es", "ar", "de", "nl", "pt"}

var usernameRE = regexp.MustCompile(`^[a-z0-9_]{1,30}$`)

// reserved are usernames that are also paths under /social.
var reserved = map[string]bool{"inbox": true, "verified": true, "tags": true, "admin": true, "api": true}

// accountCols selects an account with its organisation and follower count.
const accountCols = `a.id, a.org_id, o.handle AS org, o.name_en AS org_name, a.username, a.display_name, a.summary, a.language, a.fields,
	a.manually_approves, a.public_key, a.private_key, a.created_at, a.updated_at,
	(SELECT COUNT(*) FROM pd_followers f WHERE f.account_id = a.id AND f.state = 'accepted') AS followers`

func (a *Account) decode() {
	_ = json.Unmarshal([]byte(a.FieldsJSON), &a.Fields)
}

// ActorURL is the account's ActivityPub id, which is also its public
// profile page.
func (s *Service) ActorURL(username string) string { return s.base() + "/social/" + username }

// Handle is the account's address on the fediverse, user@host.
func (s *Service) Handle(username string) string { return username + "@" + s.Host() }

// AccountInput is what an administrator sets on an account.
type AccountInput struct {
	Org              string // handle of the organisation, on creation
	Username         string
	DisplayName      string
	Summary          string
	Language         string
	Fields           []Field
	ManuallyApproves bool
}

func (in *AccountInput) validate(creating bool) core.Problems {
	p := core.Problems{}
	in.Username = strings.TrimSpace(strings.ToLower(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Summary = strings.TrimSpace(in.Summary)
	if creating {
		switch {
		case in.Username == "":
			p.Add("username", "err.required")
		case !usernameRE.MatchString(in.Username) || reserved[in.Username]:
			p.Add("username", "err.pd_username")
		}
	}
	if in.DisplayName == "" {
		p.Add("display_name", "err.required")
	} else if len([]rune(in.DisplayName)) > 100 {
		p.Add("display_name", "err.too_long")
	}
	if len([]rune(in.Summary)) > 2000 {
		p.Add("summary", "err.too_long")
	}
	if !validLanguage(in.Language) {
		p.Add("language", "err.pd_language")
	}
	var fields []Field
	for _, f := range in.Fields {
		f.Name, f.Value = strings.TrimSpace(f.Name), strings.TrimSpace(f.Value)
		if f.Name == "" && f.Value == "" {
			continue
		}
		if f.Name == "" || f.Value == "" || len(f.Name) > 255 || len(f.Value) > 2048 {
			p.Add("fields", "err.pd_field")
		}
		fields = append(fields, Field{Name: f.Name, Value: f.Value})
	}
	if len(fields) > 4 {
		p.Add("fields", "err.pd_fields_max")
	}
	in.Fields = fields
	for k, v := range map[string]string{"username": in.Username, "display_name": in.DisplayName, "summary": in.Summary} {
		if msg := core.CheckText(v); msg != "" {
			p.Add(k, msg)
		}
	}
	return p
}

func validLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// CreateAccount creates an account for one of the administrator's
// organisations, with its own RSA key.
func (s *Service) CreateAccount(ctx context.Context, in AccountInput) (Account, error) {
	a := core.ActorFrom(ctx)
	p := in.validate(true)
	var org core.OrgRef
	for _, o := range orgsFor(a, access.PDAccounts) {
		if o.Handle == in.Org {
			org = o
		}
	}
	if org.ID == "" {
		if len(orgsFor(a, access.PDAccounts)) == 0 {
			return Account{}, access.Check(a, access.PDAccounts, access.Resource{OrgID: "-"})
		}
		p.Add("org", "err.org_unknown")
	}
	if err := p.Err("publicdiplomacy: account"); err != nil {
		return Account{}, err
	}
	_, priv, pub, err := ap.NewKey()
	if err != nil {
		return Account{}, err
	}
	fields, _ := json.Marshal(in.Fields)
	var id string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		_, err := tx.Exec(ctx, `INSERT INTO pd_accounts (id, org_id, username, display_name, summary, language, fields, manually_approves, private_key, public_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, org.ID, in.Username, in.DisplayName, in.Summary, in.Language, string(fields), in.ManuallyApproves, priv, pub, tx.Now, tx.Now)
		if core.KindOf(err) == core.KindConflict {
			return (core.Problems{"username": "err.pd_username_taken"}).Err("publicdiplomacy: account")
		}
		if err != nil {
			return err
		}
		if err := s.checkLinksLater(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.account_create", "pd_account", id, org.ID, in.Username)
	})
	if err != nil {
		return Account{}, err
	}
	return s.account(ctx, s.db.R(), "a.id = ?", id)
}

// UpdateAccount changes an account's profile and tells its followers.
func (s *Service) UpdateAccount(ctx context.Context, id string, in AccountInput) (Account, error) {
	acc, err := s.account(ctx, s.db.R(), "a.id = ?", id)
	if err != nil {
		return Account{}, err
	}
	if err := may(ctx, access.PDAccounts, acc.OrgID); err != nil {
		return Account{}, err
	}
	if err := in.validate(false).Err("publicdiplomacy: account"); err != nil {
		return acc, err
	}
	fields, _ := json.Marshal(in.Fields)
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE pd_accounts SET display_name = ?, summary = ?, language = ?, fields = ?, manually_approves = ?, updated_at = ? WHERE id = ?`,
			in.DisplayName, in.Summary, in.Language, string(fields), in.ManuallyApproves, tx.Now, id); err != nil {
			return err
		}
		acc.DisplayName, acc.Summary, acc.Language, acc.Fields, acc.ManuallyApproves, acc.UpdatedAt = in.DisplayName, in.Summary, in.Language, in.Fields, in.ManuallyApproves, tx.Now
		act := ap.Activity{ID: s.ActorURL(acc.Username) + "#updates/" + core.NewID(tx.Now), Type: "Update", Actor: s.ActorURL(acc.Username),
			Object: s.actorDoc(acc), To: []string{ap.Public}, Cc: []string{s.ActorURL(acc.Username) + "/followers"}, Published: tx.Now}
		if err := s.sendToFollowers(ctx, tx, acc, act, nil); err != nil {
			return err
		}
		if err := s.checkLinksLater(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.account_update", "pd_account", id, acc.OrgID, acc.Username)
	})
	return acc, err
}

// account loads one account by a condition on a.
func (s *Service) account(ctx context.Context, c store.Conn, where string, args ...any) (Account, error) {
	var a Account
	err := c.Get(ctx, &a, `SELECT `+accountCols+` FROM pd_accounts a JOIN organisations o ON o.id = a.org_id WHERE `+where, args...)
	if err != nil {
		return a, err
	}
	a.decode()
	return a, nil
}

// AccountByUsername returns an account, for anyone: an account is public.
func (s *Service) AccountByUsername(ctx context.Context, username string) (Account, error) {
	return s.account(ctx, s.db.R(), "a.username = ?", username)
}

// Account returns an account by id.
func (s *Service) Account(ctx context.Context, id string) (Account, error) {
	return s.account(ctx, s.db.R(), "a.id = ?", id)
}

// Accounts lists every account on the node, by organisation: the public
// list of verified accounts.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := s.db.R().Select(ctx, &out, `SELECT `+accountCols+` FROM pd_accounts a JOIN organisations o ON o.id = a.org_id ORDER BY o.handle, a.username`)
	for i := range out {
		out[i].decode()
	}
	return out, err
}

// MyAccounts lists the accounts of the organisations for which the actor
// may perform act (the newsroom's choice of voice).
func (s *Service) MyAccounts(ctx context.Context, act access.Action) ([]Account, error) {
	all, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	a := core.ActorFrom(ctx)
	var out []Account
	for _, acc := range all {
		if access.Check(a, act, access.Resource{OrgID: acc.OrgID}) == nil {
			out = append(out, acc)
		}
	}
	return out, nil
}

// actorDoc is the account as ActivityPub shows it.
func (s *Service) actorDoc(acc Account) *ap.Actor {
	u := s.ActorURL(acc.Username)
	doc := &ap.Actor{ID: u, Type: "Person", PreferredUsername: acc.Username, Name: acc.DisplayName, Summary: textHTML(acc.Summary), URL: u,
		Inbox: u + "/inbox", Outbox: u + "/outbox", Followers: u + "/followers", Following: u + "/following", SharedInbox: s.base() + "/social/inbox",
		ManuallyApprovesFollowers: acc.ManuallyApproves, Discoverable: true, Indexable: true, Published: acc.CreatedAt.UTC(),
		PublicKey: ap.Key{ID: u + "#main-key", Owner: u, PublicKeyPEM: acc.PublicKey}}
	for _, f := range acc.Fields {
		doc.Attachment = append(doc.Attachment, ap.PropertyValue{Name: f.Name, Value: fieldHTML(f.Value)})
	}
	return doc
}

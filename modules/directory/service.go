package directory

import (
	"cmp"
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Translator turns a message key into text in a language; the web catalogue
// implements it. Invitation e-mails go out in the invitee's language.
type Translator interface {
	T(lang, key string, args ...any) string
}

// Service is the directory's use cases. Every method takes the actor from ctx
// and asks internal/access before it reads or writes.
type Service struct {
	db      *store.DB
	auth    *auth.Service
	jobs    *jobs.Queue
	tr      Translator
	baseURL func() string
}

// NewService returns the directory service. baseURL gives the node's public URL
// for links in e-mails (it may only be known once the listener is up).
func NewService(db *store.DB, a *auth.Service, q *jobs.Queue, tr Translator, baseURL func() string) *Service {
	return &Service{db: db, auth: a, jobs: q, tr: tr, baseURL: baseURL}
}

// EmailJob is the job kind that sends e-mail; main registers its handler.
const EmailJob = "notify.email"

// Memberships implements auth.RoleLoader.
func (s *Service) Memberships(ctx context.Context, userID string) ([]core.Membership, error) {
	var rows []struct {
		OrgID  string       `db:"org_id"`
		Handle string       `db:"handle"`
		Kind   core.OrgKind `db:"kind"`
		Role   core.Role    `db:"role"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT m.org_id, o.handle, o.kind, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.handle`, userID); err != nil {
		return nil, core.Wrap("directory: memberships", err)
	}
	out := make([]core.Membership, len(rows))
	for i, r := range rows {
		out[i] = core.Membership{Org: core.OrgRef{ID: r.OrgID, Handle: r.Handle}, Kind: r.Kind, Role: r.Role}
	}
	return out, nil
}

var _ auth.RoleLoader = (*Service)(nil)

// CreateOrg adds an organisation.
func (s *Service) CreateOrg(ctx context.Context, in OrgInput) (Organisation, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.OrgCreate, access.Resource{}); err != nil {
		return Organisation{}, err
	}
	in.Normalize()
	if err := in.Validate().Err("directory: create organisation"); err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM organisations WHERE handle = ?`, in.Handle); err != nil {
			return core.Wrap("directory: create organisation", err)
		}
		if n > 0 {
			return &core.Error{Kind: core.KindConflict, Op: "directory: create organisation", Message: "err.form", Fields: core.Problems{"handle": "err.handle_taken"}}
		}
		o = Organisation{ID: core.NewID(tx.Now), Handle: in.Handle, Kind: in.Kind, Country: in.Country, NameEN: in.NameEN, NameID: in.NameID,
			Acronym: in.Acronym, Website: in.Website, Description: in.Description, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if _, err := tx.Exec(ctx, `INSERT INTO organisations (`+orgColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.Handle, string(o.Kind), o.Country, o.NameEN, o.NameID, o.Acronym, o.Website, o.Description, o.CreatedAt, o.UpdatedAt); err != nil {
			return core.Wrap("directory: create organisation", err)
		}
		return audit.Record(ctx, tx, "directory.org.create", "organisation", o.ID, o.ID, o.Handle)
	})
	return o, err
}

// UpdateOrg changes an organisation. The handle cannot change: other nodes and
// the ledger refer to it.
func (s *Service) UpdateOrg(ctx context.Context, handle string, in OrgInput) (Organisation, error) {
	o, err := s.Org(ctx, handle)
	if err != nil {
		return Organisation{}, err
	}
	if err := access.Check(core.ActorFrom(ctx), access.OrgManage, access.Resource{OrgID: o.ID}); err != nil {
		return Organisation{}, err
	}
	in.Handle = o.Handle
	in.Normalize()
	if err := in.Validate().Err("directory: update organisation"); err != nil {
		return Organisation{}, err
	}
	// What kind of body an organisation is, and whose, decides who may enter
	// state-only spaces: its own admins cannot change it.
	if (in.Kind != o.Kind || in.Country != o.Country) && !core.ActorFrom(ctx).NodeAdmin {
		return Organisation{}, &core.Error{Kind: core.KindForbidden, Op: "directory: update organisation", Message: "err.form", Fields: core.Problems{"kind": "err.kind_node_admin"}}
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE organisations SET kind = ?, country = ?, name_en = ?, name_id = ?, acronym = ?, website = ?, description = ?, updated_at = ? WHERE id = ?`,
			string(in.Kind), in.Country, in.NameEN, in.NameID, in.Acronym, in.Website, in.Description, tx.Now, o.ID); err != nil {
			return core.Wrap("directory: update organisation", err)
		}
		o.Kind, o.Country, o.NameEN, o.NameID, o.Acronym, o.Website, o.Description, o.UpdatedAt =
			in.Kind, in.Country, in.NameEN, in.NameID, in.Acronym, in.Website, in.Description, tx.Now
		return audit.Record(ctx, tx, "directory.org.update", "organisation", o.ID, o.ID, o.Handle)
	})
	return o, err
}

// Org returns one organisation by handle.
func (s *Service) Org(ctx context.Context, handle string) (Organisation, error) {
	if err := access.Check(core.ActorFrom(ctx), access.DirectoryRead, access.Resource{}); err != nil {
		return Organisation{}, err
	}
	return orgByHandle(ctx, s.db.R(), strings.ToLower(handle))
}

// Orgs lists organisations.
func (s *Service) Orgs(ctx context.Context, f OrgFilter, page core.Page) ([]Organisation, string, error) {
	if err := access.Check(core.ActorFrom(ctx), access.DirectoryRead, access.Resource{}); err != nil {
		return nil, "", err
	}
	p := core.Problems{}
	if f.Kind != "" && !f.Kind.Valid() {
		p.Add("kind", "err.choice")
	}
	f.Country = strings.ToUpper(f.Country)
	if f.Country != "" && !ValidCountry(f.Country) {
		p.Add("country", "err.country")
	}
	if err := p.Err("directory: list organisations"); err != nil {
		return nil, "", err
	}
	return listOrgs(ctx, s.db.R(), f, page.Normalize(50, 200))
}

// Members lists an organisation's people.
func (s *Service) Members(ctx context.Context, orgID string) ([]Member, error) {
	if err := access.Check(core.ActorFrom(ctx), access.DirectoryRead, access.Resource{}); err != nil {
		return nil, err
	}
	return membersOf(ctx, s.db.R(), orgID)
}

// CreatedPerson is a new person and the link that lets them set a password.
type CreatedPerson struct {
	Person     Person `json:"person"`
	InviteLink string `json:"invite_link"`
}

// CreatePerson creates an account with a role in an organisation, and sends
// the person an invitation e-mail (through the job queue: the e-mail goes out
// after the commit, and is retried if the mail server is down). The link is
// also returned so the administrator can pass it on another way.
func (s *Service) CreatePerson(ctx context.Context, in PersonInput) (CreatedPerson, error) {
	a := core.ActorFrom(ctx)
	p := in.Validate()
	nu := auth.NewUser{Email: in.Email, Name: in.Name, Title: in.Title, Lang: in.Lang}
	for k, v := range nu.Validate() {
		p.Add(k, v)
	}
	var o Organisation
	if in.OrgHandle != "" {
		var err error
		o, err = orgByHandle(ctx, s.db.R(), in.OrgHandle)
		if core.KindOf(err) == core.KindNotFound {
			p.Add("org_handle", "err.org_unknown")
		} else if err != nil {
			return CreatedPerson{}, err
		}
	}
	if err := s.checkStaff(ctx, s.db.R(), access.PersonCreate, o.ID); err != nil {
		return CreatedPerson{}, err
	}
	if err := p.Err("directory: create person"); err != nil {
		return CreatedPerson{}, err
	}
	var out CreatedPerson
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Again in the transaction: the organisation may have got its first
		// admin since.
		if err := s.checkStaff(ctx, tx.Conn, access.PersonCreate, o.ID); err != nil {
			return err
		}
		u, tok, err := s.auth.CreateUser(ctx, tx, nu)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`, u.ID, o.ID, string(in.Role), tx.Now); err != nil {
			return core.Wrap("directory: create person", err)
		}
		if err := audit.Record(ctx, tx, "directory.member.add", "user", u.ID, o.ID, string(in.Role)); err != nil {
			return err
		}
		link := s.baseURL() + "/invite?token=" + tok
		lang := u.Lang
		if lang == "" {
			lang = "en"
		}
		subject, body, err := notify.Render(s.tr, lang, notify.Invite, link, notify.Args{"name": u.Name, "inviter": cmp.Or(a.Name, a.Email), "org": o.Name(lang)})
		if err != nil {
			return err
		}
		msg := notify.Message{To: u.Email, Subject: subject, Body: body}
		if err := s.jobs.Enqueue(ctx, tx, EmailJob, msg, jobs.Options{}); err != nil {
			return err
		}
		out = CreatedPerson{
			Person:     Person{ID: u.ID, Name: u.Name, Email: u.Email, Title: u.Title, Roles: []PersonRole{{UserID: u.ID, OrgID: o.ID, Handle: o.Handle, NameEN: o.NameEN, NameID: o.NameID, Kind: o.Kind, Role: in.Role}}},
			InviteLink: link,
		}
		return nil
	})
	return out, err
}

// AddMember gives an existing person (by e-mail) a role in an organisation, or
// changes the role they have. Once the organisation has an admin, only its
// admins may: a node administrator cannot add themselves (internal/access).
func (s *Service) AddMember(ctx context.Context, handle, email string, role core.Role) error {
	o, err := s.Org(ctx, handle)
	if err != nil {
		return err
	}
	if err := s.checkStaff(ctx, s.db.R(), access.OrgStaff, o.ID); err != nil {
		return err
	}
	p := core.Problems{}
	if !role.Valid() {
		p.Add("role", "err.choice")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	var userID string
	if email == "" {
		p.Add("email", "err.required")
	} else if err := s.db.R().Get(ctx, &userID, `SELECT id FROM users WHERE email = ?`, email); err != nil {
		if core.KindOf(err) != core.KindNotFound {
			return core.Wrap("directory: add member", err)
		}
		p.Add("email", "err.person_unknown")
	}
	if err := p.Err("directory: add member"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := s.checkStaff(ctx, tx.Conn, access.OrgStaff, o.ID); err != nil {
			return err
		}
		if role != core.RoleAdmin {
			if err := keepAnAdmin(ctx, tx, o.ID, userID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`, userID, o.ID, string(role), tx.Now); err != nil {
			return core.Wrap("directory: add member", err)
		}
		return audit.Record(ctx, tx, "directory.member.set", "user", userID, o.ID, string(role))
	})
}

// RemoveMember takes a person out of an organisation. The last admin of an
// organisation cannot be removed, or nobody could nominate for it.
func (s *Service) RemoveMember(ctx context.Context, handle, userID string) error {
	o, err := s.Org(ctx, handle)
	if err != nil {
		return err
	}
	if err := s.checkStaff(ctx, s.db.R(), access.OrgStaff, o.ID); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := s.checkStaff(ctx, tx.Conn, access.OrgStaff, o.ID); err != nil {
			return err
		}
		var role core.Role
		if err := tx.Get(ctx, &role, `SELECT role FROM memberships WHERE org_id = ? AND user_id = ?`, o.ID, userID); err != nil {
			return core.Wrap("directory: remove member", err)
		}
		if err := keepAnAdmin(ctx, tx, o.ID, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, o.ID, userID); err != nil {
			return core.Wrap("directory: remove member", err)
		}
		return audit.Record(ctx, tx, "directory.member.remove", "user", userID, o.ID, "")
	})
}

// People lists people.
func (s *Service) People(ctx context.Context, f PersonFilter, page core.Page) ([]Person, string, error) {
	if err := access.Check(core.ActorFrom(ctx), access.DirectoryRead, access.Resource{}); err != nil {
		return nil, "", err
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, "", core.Problems{"role": "err.choice"}.Err("directory: list people")
	}
	return listPeople(ctx, s.db.R(), f, page.Normalize(50, 200))
}

// Person returns one person with their roles.
func (s *Service) Person(ctx context.Context, id string) (Person, error) {
	if err := access.Check(core.ActorFrom(ctx), access.DirectoryRead, access.Resource{}); err != nil {
		return Person{}, err
	}
	var p Person
	if err := s.db.R().Get(ctx, &p, `SELECT `+personColumns+` FROM users u WHERE u.id = ?`, id); err != nil {
		return Person{}, core.Wrap("directory: person", err)
	}
	ps := []Person{p}
	if err := attachRoles(ctx, s.db.R(), ps); err != nil {
		return Person{}, err
	}
	return ps[0], nil
}

// PendingInvites counts people in the actor's organisations (all of them, for
// node administrators) who have not set a password yet.
func (s *Service) PendingInvites(ctx context.Context) (int, error) {
	a := core.ActorFrom(ctx)
	var n int
	if a.NodeAdmin {
		err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM users WHERE activated_at IS NULL AND disabled = FALSE`)
		return n, core.Wrap("directory: pending invites", err)
	}
	var orgs []any
	var marks []string
	for _, m := range a.Memberships {
		if m.Role == core.RoleAdmin {
			orgs, marks = append(orgs, m.Org.ID), append(marks, "?")
		}
	}
	if len(orgs) == 0 {
		return 0, nil
	}
	err := s.db.R().Get(ctx, &n, `SELECT COUNT(DISTINCT u.id) FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE u.activated_at IS NULL AND u.disabled = FALSE AND m.org_id IN (`+strings.Join(marks, ",")+`)`, orgs...)
	return n, core.Wrap("directory: pending invites", err)
}

// PublicOrgs implements federation.Directory: what peers learn about this
// node's organisations (names, kinds, countries; never people).
func (s *Service) PublicOrgs(ctx context.Context) ([]federation.OrgInfo, error) {
	var out []federation.OrgInfo
	err := s.db.R().Select(ctx, &out, `SELECT handle, kind, country, name_en, name_id FROM organisations ORDER BY handle`)
	return out, core.Wrap("directory: public organisations", err)
}

var _ federation.Directory = (*Service)(nil)

// checkStaff asks internal/access whether the actor may change who is in the
// organisation orgID, telling it whether the organisation has an active admin:
// node administrators may staff only one that has none. An empty orgID (the
// organisation is not known yet) is the route-level question.
func (s *Service) checkStaff(ctx context.Context, q store.Conn, act access.Action, orgID string) error {
	r := access.Resource{OrgID: orgID}
	a := core.ActorFrom(ctx)
	if orgID != "" && a.NodeAdmin {
		var admins int
		if err := q.Get(ctx, &admins, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.org_id = ? AND m.role = 'admin' AND u.disabled = FALSE`, orgID); err != nil {
			return core.Wrap("directory: staffing", err)
		}
		r.Unstaffed = admins == 0
		if r.Unstaffed {
			// An admin disabled lately keeps the organisation closed to the
			// node administrator for a while: disable, join and re-enable
			// would otherwise be a way in that nobody notices, where a
			// focal point locked out for a week is noticed.
			var recent int
			if err := q.Get(ctx, &recent, `SELECT COUNT(*) FROM audit_events e JOIN memberships m ON m.user_id = e.target_id
				WHERE m.org_id = ? AND m.role = 'admin' AND e.action = 'auth.user.disable' AND e.at > ?`, orgID, s.db.Clock().Now().UTC().Add(-StaffCoolingOff)); err != nil {
				return core.Wrap("directory: staffing", err)
			}
			r.Unstaffed = recent == 0
		}
	}
	return access.Check(a, act, r)
}

// StaffCoolingOff is how long after an organisation's last active admin was
// disabled a node administrator must wait before staffing it.
const StaffCoolingOff = 7 * 24 * time.Hour

// CanStaff reports whether the actor may change who is in the organisation,
// for pages deciding whether to show the forms.
func (s *Service) CanStaff(ctx context.Context, orgID string) bool {
	return s.checkStaff(ctx, s.db.R(), access.OrgStaff, orgID) == nil
}

// keepAnAdmin refuses a change that would leave an organisation without an
// admin: userID is about to stop being one. On PostgreSQL the admins' rows are
// locked so two such changes cannot both pass.
func keepAnAdmin(ctx context.Context, tx *store.Tx, orgID, userID string) error {
	lock := ""
	if tx.Engine() == store.Postgres {
		lock = " FOR UPDATE"
	}
	var admins []string
	if err := tx.Select(ctx, &admins, `SELECT user_id FROM memberships WHERE org_id = ? AND role = 'admin'`+lock, orgID); err != nil {
		return core.Wrap("directory: admins", err)
	}
	if len(admins) == 1 && admins[0] == userID {
		return &core.Error{Kind: core.KindConflict, Op: "directory: membership", Message: "err.last_admin"}
	}
	return nil
}

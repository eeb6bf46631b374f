package publicdiplomacy

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Saved answers: the replies a press office gives again and again ("the
// consular section's hours are…", "visa questions go to…"), kept per
// organisation and language so that whoever answers the public starts from
// the agreed words rather than from nothing. They are only words to start
// from: the answer itself is written, and sent, on the item.

// SavedAnswer is one of an organisation's saved answers.
type SavedAnswer struct {
	ID        string    `db:"id" json:"id"`
	OrgID     string    `db:"org_id" json:"-"`
	Org       string    `db:"org" json:"org"` // the organisation's handle
	Language  string    `db:"language" json:"language"`
	Title     string    `db:"title" json:"title"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// SavedAnswerInput is a saved answer as a form gives it.
type SavedAnswerInput struct {
	Org      string // the organisation's handle
	Language string
	Title    string
	Body     string
}

// Limits of a saved answer: a title fits a line of the picker, and the body
// must fit a post once the handle of whom it answers is put before it.
const (
	maxAnswerTitle = 100
	maxAnswerBody  = MaxPost - 100
)

func (in *SavedAnswerInput) validate() core.Problems {
	p := core.Problems{}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	if !validLanguage(in.Language) {
		p.Add("language", "err.pd_language")
	}
	switch {
	case in.Title == "":
		p.Add("title", "err.required")
	case len([]rune(in.Title)) > maxAnswerTitle:
		p.Add("title", "err.too_long")
	}
	switch {
	case in.Body == "":
		p.Add("body", "err.required")
	case len([]rune(in.Body)) > maxAnswerBody:
		p.Add("body", "err.pd_answer_too_long")
	}
	for k, v := range map[string]string{"title": in.Title, "body": in.Body} {
		if msg := core.CheckText(v); msg != "" {
			p[k] = msg
		}
	}
	return p
}

const savedAnswerCols = `s.id, s.org_id, o.handle AS org, s.language, s.title, s.body, s.created_at`

const savedAnswerFrom = ` FROM pd_answers s JOIN organisations o ON o.id = s.org_id `

// SavedAnswers lists the saved answers of the actor's organisations, or of
// one of them (orgID) in one language (language), by title. A list is at
// most a few hundred: they are chosen from by people.
func (s *Service) SavedAnswers(ctx context.Context, orgID, language string) ([]SavedAnswer, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.PDRead)
	if orgID != "" {
		if may(ctx, access.PDRead, orgID) != nil {
			return nil, nil
		}
		orgs = []string{orgID}
	}
	if len(orgs) == 0 {
		return nil, nil
	}
	q := `SELECT ` + savedAnswerCols + savedAnswerFrom + ` WHERE s.org_id IN (` + marks(len(orgs)) + `)`
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	if language != "" {
		q += ` AND s.language = ?`
		args = append(args, language)
	}
	var out []SavedAnswer
	err := s.db.R().Select(ctx, &out, q+` ORDER BY o.handle, s.language, s.title, s.id LIMIT 500`, args...)
	return out, err
}

// SavedAnswer returns one saved answer, for its organisation's people.
func (s *Service) SavedAnswer(ctx context.Context, id string) (SavedAnswer, error) {
	var a SavedAnswer
	if err := s.db.R().Get(ctx, &a, `SELECT `+savedAnswerCols+savedAnswerFrom+` WHERE s.id = ?`, id); err != nil {
		return a, err
	}
	if may(ctx, access.PDRead, a.OrgID) != nil {
		return SavedAnswer{}, errNotFound
	}
	return a, nil
}

// CreateSavedAnswer saves an answer for one of the actor's organisations.
func (s *Service) CreateSavedAnswer(ctx context.Context, in SavedAnswerInput) (SavedAnswer, error) {
	a := core.ActorFrom(ctx)
	mine := orgsFor(a, access.PDWrite)
	if len(mine) == 0 {
		return SavedAnswer{}, access.Check(a, access.PDWrite, access.Resource{OrgID: "-"})
	}
	p := in.validate()
	var org core.OrgRef
	for _, o := range mine {
		if o.Handle == in.Org || in.Org == "" && len(mine) == 1 {
			org = o
		}
	}
	if org.ID == "" {
		p.Add("org", "err.org_unknown")
	}
	if err := p.Err("publicdiplomacy: saved answer"); err != nil {
		return SavedAnswer{}, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO pd_answers (id, org_id, language, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, org.ID, in.Language, in.Title, in.Body, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.answer_save", "pd_answer", id, org.ID, in.Title)
	})
	if err != nil {
		return SavedAnswer{}, err
	}
	return s.SavedAnswer(ctx, id)
}

// UpdateSavedAnswer changes a saved answer's language, title and words; it
// stays with its organisation.
func (s *Service) UpdateSavedAnswer(ctx context.Context, id string, in SavedAnswerInput) (SavedAnswer, error) {
	cur, err := s.SavedAnswer(ctx, id)
	if err != nil {
		return cur, err
	}
	if err := may(ctx, access.PDWrite, cur.OrgID); err != nil {
		return cur, err
	}
	if err := in.validate().Err("publicdiplomacy: saved answer"); err != nil {
		return cur, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE pd_answers SET language = ?, title = ?, body = ? WHERE id = ?`, in.Language, in.Title, in.Body, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return errNotFound
		}
		return audit.Record(ctx, tx, "publicdiplomacy.answer_edit", "pd_answer", id, cur.OrgID, in.Title)
	})
	if err != nil {
		return cur, err
	}
	return s.SavedAnswer(ctx, id)
}

// DeleteSavedAnswer deletes a saved answer. Answers already sent with its
// words are posts of their own and stay.
func (s *Service) DeleteSavedAnswer(ctx context.Context, id string) error {
	cur, err := s.SavedAnswer(ctx, id)
	if err != nil {
		return err
	}
	if err := may(ctx, access.PDWrite, cur.OrgID); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM pd_answers WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.answer_delete", "pd_answer", id, cur.OrgID, cur.Title)
	})
}

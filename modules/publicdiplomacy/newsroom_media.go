package publicdiplomacy

import (
	"context"
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Images of a message. An image goes with every translation of the
// message, described in each one's language: the alt text is what a
// blind reader hears, so it is required and written, not guessed. The
// type is read from the bytes, never from the name or the browser's
// word, and only the four kinds every fediverse server shows are taken.

// MaxImage is the largest image a post takes (Mastodon's limit for
// images is about 16 MB, GoToSocial's default 8 MB: the smaller holds).
const MaxImage = 8 << 20

// MaxImages is how many images a post carries, as Mastodon allows.
const MaxImages = 4

// MaxAlt is the length of an alt text, as Mastodon counts it.
const MaxAlt = 1500

var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true, "image/gif": true}

// Image is an image for a message, with its alt text per language.
type Image struct {
	Data []byte
	Alt  map[string]string // language → alt text
}

// sniffImage returns the image's media type read from its bytes, or "".
func sniffImage(b []byte) string {
	t := http.DetectContentType(b)
	if imageTypes[t] {
		return t
	}
	return ""
}

// validate checks the image for the given languages: field "image" for
// the file, "alt_<lang>" for each description.
func (img *Image) validate(langs []string, p core.Problems) {
	switch {
	case len(img.Data) == 0:
		p.Add("image", "err.required")
	case len(img.Data) > MaxImage:
		p.Add("image", "err.pd_image_size")
	case sniffImage(img.Data) == "":
		p.Add("image", "err.pd_image_type")
	}
	for _, l := range langs {
		alt := strings.TrimSpace(img.Alt[l])
		img.Alt[l] = alt
		field := "alt_" + l
		switch {
		case alt == "":
			p.Add(field, "err.pd_alt_required")
		case len([]rune(alt)) > MaxAlt:
			p.Add(field, "err.too_long")
		}
		if msg := core.CheckText(alt); msg != "" {
			p.Add(field, msg)
		}
	}
}

// problemsWith is the draft's problems (and its image's) added to those
// already found, as one error: a form refused for its shape still says
// all that is wrong with it.
func (d Draft) problemsWith(p core.Problems, img *Image) error {
	for k, v := range d.validate() {
		p.Add(k, v)
	}
	if img != nil {
		var langs []string
		for _, t := range d.Translations {
			langs = append(langs, t.Language)
		}
		img.validate(langs, p)
	}
	return p.Err("publicdiplomacy: draft")
}

// CreateDraftWith records a draft message with an image, in one
// transaction: the draft is not kept without its image, nor the image
// without its draft. Without an image it is CreateDraft.
func (s *Service) CreateDraftWith(ctx context.Context, d Draft, img *Image) ([]Post, error) {
	if img == nil {
		return s.CreateDraft(ctx, d)
	}
	p := d.validate()
	var langs []string
	for _, t := range d.Translations {
		langs = append(langs, t.Language)
	}
	img.validate(langs, p)
	acc, err := s.Account(ctx, d.AccountID)
	if err != nil {
		p.Add("account", "err.pd_account_unknown")
	} else if err := may(ctx, access.PDWrite, acc.OrgID); err != nil {
		return nil, err
	} else {
		s.checkCase(ctx, d, acc, p)
	}
	if err := p.Err("publicdiplomacy: draft"); err != nil {
		return nil, err
	}
	a := core.ActorFrom(ctx)
	mt := sniffImage(img.Data)
	var group string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		group = core.NewID(tx.Now)
		for _, t := range d.Translations {
			id := core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO pd_posts (id, account_id, group_id, language, content, warning, visibility, in_reply_to, reply_item, case_id, state, scheduled_at, time_zone, created_by, created_by_name, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)`, id, acc.ID, group, t.Language, t.Content, t.Warning, d.Visibility, d.InReplyTo, d.ReplyItem, d.CaseID,
				d.ScheduledAt, d.TimeZone, a.UserID, a.Name, tx.Now, tx.Now); err != nil {
				return err
			}
			if err := insertMedia(ctx, tx, id, mt, img.Alt[t.Language], img.Data); err != nil {
				return err
			}
		}
		if err := wrote(ctx, tx, group); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.draft", "pd_post", group, acc.OrgID, firstLine(d.Translations[0].Content))
	})
	if err != nil {
		return nil, err
	}
	return s.Group(ctx, group)
}

func insertMedia(ctx context.Context, tx *store.Tx, postID, mediaType, alt string, data []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO pd_media (id, post_id, media_type, alt, data, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		core.NewID(tx.Now), postID, mediaType, alt, data, tx.Now)
	return err
}

// AddImage adds an image to every translation of a draft message (or one
// under review, which goes back to draft: what was reviewed changed).
func (s *Service) AddImage(ctx context.Context, group string, img Image) ([]Post, error) {
	cur, err := s.Group(ctx, group)
	if err != nil {
		return nil, err
	}
	if err := may(ctx, access.PDWrite, cur[0].OrgID); err != nil {
		return nil, err
	}
	if st := cur[0].State; st != PostDraft && st != PostReview {
		return cur, conflict("err.pd_not_draft")
	}
	p := core.Problems{}
	var langs []string
	for _, c := range cur {
		langs = append(langs, c.Language)
	}
	if img.Alt == nil {
		img.Alt = map[string]string{}
	}
	img.validate(langs, p)
	if len(cur[0].Media) >= MaxImages {
		p.Add("image", "err.pd_images_max")
	}
	if err := p.Err("publicdiplomacy: image"); err != nil {
		return cur, err
	}
	mt := sniffImage(img.Data)
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE pd_posts SET state = 'draft', version = version + 1, updated_at = ? WHERE group_id = ? AND version = ? AND state IN ('draft', 'review')`,
			tx.Now, group, cur[0].Version)
		if err != nil {
			return err
		}
		if int(n) != len(cur) {
			return conflict("err.pd_changed")
		}
		for _, c := range cur {
			if err := insertMedia(ctx, tx, c.ID, mt, img.Alt[c.Language], img.Data); err != nil {
				return err
			}
		}
		if err := wrote(ctx, tx, group); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.image_add", "pd_post", group, cur[0].OrgID, firstLine(cur[0].Content))
	})
	if err != nil {
		return cur, err
	}
	return s.Group(ctx, group)
}

// RemoveImage removes an image (by its position among a translation's
// images, the same in every translation) from a draft message.
func (s *Service) RemoveImage(ctx context.Context, group string, index int) ([]Post, error) {
	cur, err := s.Group(ctx, group)
	if err != nil {
		return nil, err
	}
	if err := may(ctx, access.PDWrite, cur[0].OrgID); err != nil {
		return nil, err
	}
	if st := cur[0].State; st != PostDraft && st != PostReview {
		return cur, conflict("err.pd_not_draft")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE pd_posts SET state = 'draft', version = version + 1, updated_at = ? WHERE group_id = ? AND version = ? AND state IN ('draft', 'review')`,
			tx.Now, group, cur[0].Version)
		if err != nil {
			return err
		}
		if int(n) != len(cur) {
			return conflict("err.pd_changed")
		}
		for _, c := range cur {
			if index < 0 || index >= len(c.Media) {
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM pd_media WHERE id = ? AND post_id = ?`, c.Media[index].ID, c.ID); err != nil {
				return err
			}
		}
		if err := wrote(ctx, tx, group); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.image_remove", "pd_post", group, cur[0].OrgID, firstLine(cur[0].Content))
	})
	if err != nil {
		return cur, err
	}
	return s.Group(ctx, group)
}

// MediaFile is an image's bytes with its type.
type MediaFile struct {
	MediaType string `db:"media_type"`
	Data      []byte `db:"data"`
	OrgID     string `db:"org_id"`
}

// PublicMedia returns an image of a published public or unlisted post,
// for anyone (the fediverse fetches it from here).
func (s *Service) PublicMedia(ctx context.Context, id string) (MediaFile, error) {
	var f MediaFile
	err := s.db.R().Get(ctx, &f, `SELECT m.media_type, m.data, a.org_id FROM pd_media m JOIN pd_posts p ON p.id = m.post_id JOIN pd_accounts a ON a.id = p.account_id
		WHERE m.id = ? AND p.state = 'published' AND p.visibility IN ('public', 'unlisted')`, id)
	if core.KindOf(err) == core.KindNotFound {
		return f, errNotFound
	}
	return f, err
}

// DraftMedia returns an image of any post, for the people of its
// organisation (the newsroom shows a draft's images).
func (s *Service) DraftMedia(ctx context.Context, id string) (MediaFile, error) {
	var f MediaFile
	err := s.db.R().Get(ctx, &f, `SELECT m.media_type, m.data, a.org_id FROM pd_media m JOIN pd_posts p ON p.id = m.post_id JOIN pd_accounts a ON a.id = p.account_id
		WHERE m.id = ?`, id)
	if core.KindOf(err) == core.KindNotFound {
		return f, errNotFound
	}
	if err != nil {
		return f, err
	}
	if err := may(ctx, access.PDRead, f.OrgID); err != nil {
		return MediaFile{}, errNotFound
	}
	return f, nil
}

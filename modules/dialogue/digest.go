package dialogue

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// DigestEvery is how often participants are e-mailed what is new.
const DigestEvery = time.Hour

// Schedule runs the digest periodically.
func (s *Service) Schedule(q *jobs.Queue) { q.Every(jobDigest, DigestEvery) }

// digestItems is how many contributions a digest quotes.
const digestItems = 10

// digestJob e-mails the people of this node's participating organisations
// what was contributed since the last digest, on every node from its own
// copy: quoted without names under the Chatham House Rule, by name on the
// record, and not at all off the record (only how many).
func (s *Service) digestJob(ctx context.Context, _ []byte) error {
	var ids []string
	if err := s.db.R().Select(ctx, &ids, `SELECT d.id FROM dlg_dialogues d WHERE d.next_seq > d.digest_rev OR EXISTS (SELECT 1 FROM dlg_contributions c WHERE c.dialogue_id = d.id AND c.seq > d.digest_rev)`); err != nil {
		return core.Wrap("dialogue: digest", err)
	}
	for _, id := range ids {
		if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.digest(ctx, tx, id) }); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) digest(ctx context.Context, tx *store.Tx, id string) error {
	d, err := s.load(ctx, tx.Conn, id)
	if err != nil {
		return err
	}
	var last int64
	if err := tx.Get(ctx, &last, `SELECT digest_rev FROM dlg_dialogues WHERE id = ?`, id); err != nil {
		return core.Wrap("dialogue: digest", err)
	}
	// The mark moves to the last contribution there is; what everyone
	// may read since the last mark is the news (a held contribution is
	// passed over: a digest that waited for it would wait as long as a
	// moderator holds it). The digest quotes the first few and counts all.
	var top int64
	if err := tx.Get(ctx, &top, `SELECT COALESCE(MAX(seq), 0) FROM dlg_contributions WHERE dialogue_id = ?`, id); err != nil {
		return core.Wrap("dialogue: digest", err)
	}
	if top <= last {
		return nil
	}
	var count int
	if err := tx.Get(ctx, &count, `SELECT COUNT(*) FROM dlg_contributions WHERE dialogue_id = ? AND seq > ? AND seq <= ? AND state = 'visible'`, id, last, top); err != nil {
		return core.Wrap("dialogue: digest", err)
	}
	var shown []row
	if err := tx.Select(ctx, &shown, `SELECT `+contributionColumns+` FROM dlg_contributions WHERE dialogue_id = ? AND seq > ? AND seq <= ? AND state = 'visible' ORDER BY seq LIMIT `+itoa(digestItems), id, last, top); err != nil {
		return core.Wrap("dialogue: digest", err)
	}
	// Only the run that moves the mark sends: two runs at once on
	// PostgreSQL would otherwise both e-mail the same digest.
	if n, err := tx.Exec(ctx, `UPDATE dlg_dialogues SET digest_rev = ? WHERE id = ? AND digest_rev = ?`, top, id, last); err != nil || n == 0 {
		return core.Wrap("dialogue: digest", err)
	}
	if len(shown) == 0 || s.notify == nil {
		return nil
	}
	args := notify.Args{"dialogue": d.Title, "count": strconv.Itoa(count)}
	for _, lang := range []string{"en", "id"} {
		args["items@"+lang] = s.digestText(d, shown, count, lang)
	}
	args["items"] = args["items@en"]
	var seen []string
	for _, p := range d.Parties {
		if slices.Contains(seen, p.Addr) {
			continue
		}
		seen = append(seen, p.Addr)
		if org := s.orgID(ctx, tx.Conn, p.Addr); org != "" {
			if err := s.notify.NotifyOrg(ctx, tx, org, readRoles, notify.DialogueDigest, "/dialogue/"+d.ID, args); err != nil {
				return err
			}
		}
	}
	return nil
}

// digestText quotes the first contributions as the rule allows.
func (s *Service) digestText(d *Dialogue, rows []row, count int, lang string) string {
	if !d.Rule.Exportable() {
		return s.tr.T(lang, "dlg.digest_off_record")
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("— ")
		if !d.Rule.Anonymous() && r.AuthorName != "" {
			b.WriteString(r.AuthorName + " (" + d.Name(r.AuthorOrg) + "): ")
		}
		b.WriteString(excerpt(r.Body, 280))
		b.WriteString("\n")
	}
	if more := count - len(rows); more > 0 {
		b.WriteString(s.tr.T(lang, "dlg.digest_more", more))
	}
	return strings.TrimRight(b.String(), "\n")
}

// excerpt shortens s to n characters on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

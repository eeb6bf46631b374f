package publicdiplomacy

import (
	"context"
	"net/url"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// SampleItem is an item of a sample feed.
type SampleItem struct {
	GUID      string // "" for the link
	Title     string
	Link      string
	Summary   string // plain text or HTML, as a feed would carry it
	Published time.Time
}

// AddSampleFeed subscribes as AddFeed does, then stores items as if the
// feed had brought them, flagged by the organisation's keywords, and
// pauses the feed so that the node never asks its address: a demonstration
// that works offline. The caller names it as sample data.
func (s *Service) AddSampleFeed(ctx context.Context, in FeedInput, format string, items []SampleItem) (Feed, error) {
	f, err := s.AddFeed(ctx, in)
	if err != nil {
		return f, err
	}
	base, _ := url.Parse(f.URL)
	var parsed []parsedItem
	for _, it := range items {
		p := parsedItem{GUID: cleanLine(it.GUID, maxGUID), Link: cleanLink(it.Link, base), Title: cleanLine(it.Title, maxItemTitle), Published: it.Published.UTC()}
		p.Summary = cleanLine(ap.PlainText(it.Summary), maxItemSummary)
		if p.GUID == "" {
			p.GUID = p.Link
		}
		parsed = append(parsed, p)
	}
	ks, err := orgKeywords(ctx, s.db.R(), f.OrgID)
	if err != nil {
		return f, err
	}
	df := dueFeed{ID: f.ID, OrgID: f.OrgID, URL: f.URL, Title: f.Title, Language: f.Language, Interval: f.IntervalMinutes}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := s.insertItems(ctx, tx, df, in.Language, parsed, newMatcher(ks)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE pd_feeds SET status = 'ok', format = ?, paused = TRUE, last_fetch_at = ?, last_success_at = ? WHERE id = ?`, format, tx.Now, tx.Now, f.ID)
		return err
	})
	if err != nil {
		return f, core.Wrap("publicdiplomacy: sample feed", err)
	}
	return s.Feed(ctx, f.ID)
}

package dialogue_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// BenchmarkEventFeed10k writes an organisation's public feed of 10,000
// events (three zones, one event in ten cancelled, agendas and
// descriptions of a realistic length): the query, the VTIMEZONEs and the
// iCalendar text, as GET /event-feeds/orgs/{handle}/calendar.ics does.
// It reports the feed's size, plain and gzipped, with the time.
//
//	go test ./modules/dialogue/ -run '^$' -bench BenchmarkEventFeed10k -benchtime 20x
func BenchmarkEventFeed10k(b *testing.B) {
	const total = 10_000
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			n := newEventNode(b, e)
			orgID := n.Org(b, "kbri", core.OrgStateMinistry, "ID", "KBRI Canberra")
			zones := []string{"Australia/Sydney", "Asia/Jakarta", "Asia/Singapore"}
			start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			var rows [][]any
			for i := range total {
				at := start.Add(time.Duration(i) * 7 * time.Hour)
				status, reason := "scheduled", ""
				if i%10 == 0 {
					status, reason = "cancelled", "Postponed."
				}
				rows = append(rows, []any{core.NewID(at) + fmt.Sprintf("%05d", i), orgID, "forum", fmt.Sprintf("ASEAN–Australia Digital Trade Forum no. %d: e-commerce and investment", i),
					"Cross-border e-commerce, payments and data flows; investment in Indonesia's digital economy. Perdagangan elektronik lintas batas.",
					`["en","id"]`, "", "KBRI Canberra", "8 Darwin Avenue, Yarralumla ACT 2600", zones[i%3], at, at.Add(3 * time.Hour),
					`[{"time":"09:00","title":"Opening","speaker":"Ambassador"}]`, `[]`, 100, true, "public", status, reason, at, at})
			}
			err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
				return storetest.Insert(context.Background(), tx, "ev_events", "id, org_id, kind, title, description, languages, online_url, venue_name, venue_address, zone, start_at, end_at, agenda, speakers, capacity, registration_open, audience, status, cancel_reason, created_at, updated_at", rows)
			})
			if err != nil {
				b.Fatal(err)
			}
			anyone := context.Background()
			var size, zipped int
			storetest.Percentiles(b, func() error {
				c, err := n.ev.OrgFeed(anyone, "kbri")
				if err != nil {
					return err
				}
				if len(c.Events) != total {
					return fmt.Errorf("%d events in the feed", len(c.Events))
				}
				var buf bytes.Buffer
				if _, err := c.WriteTo(&buf); err != nil {
					return err
				}
				size = buf.Len()
				return nil
			})
			c, _ := n.ev.OrgFeed(anyone, "kbri")
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			c.WriteTo(zw)
			zw.Close()
			zipped = z.Len()
			b.ReportMetric(float64(size)/1e6, "MB")
			b.ReportMetric(float64(zipped)/1e6, "MB-gzip")
		})
	}
}

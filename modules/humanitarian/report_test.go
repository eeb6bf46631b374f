package humanitarian

import (
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/notify/notifytest"
	"entente.example/entente/internal/store/storetest"
)

// TestNothingUnverifiedIsPublic follows a report through the workflow:
// new, it is the coordinators' alone; verified, anyone reads it, but never
// who sent it; rejected or taken back, it is gone from public view again.
func TestNothingUnverifiedIsPublic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		em := mustEmergency(t, w)
		r, err := w.svc.Submit(anonymous("203.0.113.7"), ReportInput{EmergencyID: em.ID, Channel: ChannelWeb, Text: "Rumah roboh, dua orang terjebak",
			Category: "trapped", Place: "Palu", Name: "Siti", Contact: "+62 812 3456 7890"})
		if err != nil {
			t.Fatalf("submit: %v %v", err, fields(err))
		}
		if r.Status != ReportNew || r.PCode != "ID7271" || !r.Located() {
			t.Fatalf("submitted %+v, want new, placed in Kota Palu", r)
		}
		coord, public, pmi := as("bnpb", core.RoleAnalyst), anonymous("198.51.100.1"), as("pmi", core.RoleOfficer)
		for name, ctx := range map[string]any{"anonymous": public, "another organisation": pmi} {
			_ = ctx
			c := public
			if name != "anonymous" {
				c = pmi
			}
			if _, err := w.svc.Report(c, r.ID); core.KindOf(err) != core.KindNotFound {
				t.Errorf("%s reads a new report: %v", name, err)
			}
			list, _ := w.svc.Reports(c, em, ReportFilter{Status: ReportNew})
			pts, _ := w.svc.MapPoints(c, em, ReportFilter{})
			if len(list) != 0 || len(pts) != 0 {
				t.Errorf("%s lists %d new reports and maps %d", name, len(list), len(pts))
			}
		}
		got, err := w.svc.Report(coord, r.ID)
		if err != nil || got.Reporter == nil || got.Reporter.Contact != "+62 812 3456 7890" {
			t.Fatalf("coordinator reads %+v, %v; want the reporter's contact", got, err)
		}
		if _, err := w.svc.Decide(pmi, r.ID, ReportVerified, ""); core.KindOf(err) != core.KindNotFound {
			t.Errorf("another organisation verifies: %v", err)
		}
		if _, err := w.svc.Decide(coord, r.ID, ReportRejected, ""); fields(err)["reason"] != "err.required" {
			t.Errorf("rejecting without a reason: %v %v", err, fields(err))
		}
		v, err := w.svc.Decide(coord, r.ID, ReportVerified, "")
		if err != nil || v.Status != ReportVerified || v.Decision == nil || v.Decision.By != "bnpb analyst" {
			t.Fatalf("verify: %+v %v", v, err)
		}
		pub, err := w.svc.Report(public, r.ID)
		if err != nil || pub.Reporter != nil {
			t.Fatalf("the public reads %+v, %v; want the report without its reporter", pub, err)
		}
		list, _ := w.svc.Reports(public, em, ReportFilter{Status: ReportNew}) // a status the public cannot ask for
		if len(list) != 1 || list[0].Reporter != nil {
			t.Fatalf("the public lists %+v", list)
		}
		if pts, _ := w.svc.MapPoints(public, em, ReportFilter{}); len(pts) != 1 {
			t.Fatalf("the public map has %d points, want 1", len(pts))
		}
		if _, err := w.svc.Decide(coord, r.ID, ReportNew, ""); fields(err)["reason"] != "err.required" {
			t.Errorf("taking a verification back without a reason: %v", err)
		}
		if _, err := w.svc.Decide(coord, r.ID, ReportRejected, "Duplicate of an earlier report"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Report(public, r.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("the public reads a rejected report: %v", err)
		}
	})
}

// TestReportPlaces checks what the form refuses and what SMS keeps: a web
// report must be placed inside the emergency; an SMS is never refused for
// its place.
func TestReportPlaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		em := mustEmergency(t, w)
		ctx := anonymous("203.0.113.8")
		cases := []struct {
			name  string
			in    ReportInput
			field string
		}{
			{"unknown place on the web", ReportInput{Channel: ChannelWeb, Text: "x", Category: "water", Place: "Atlantis"}, "place"},
			{"outside the area", ReportInput{Channel: ChannelWeb, Text: "x", Category: "water", Lat: ptr(1.29), Lon: ptr(103.85)}, "lat"},
			{"half a position", ReportInput{Channel: ChannelWeb, Text: "x", Category: "water", Lat: ptr(-0.9)}, "lat"},
			{"no category on the web", ReportInput{Channel: ChannelWeb, Text: "x"}, "category"},
			{"empty text", ReportInput{Channel: ChannelSMS, Text: "  "}, "text"},
			{"NUL in text", ReportInput{Channel: ChannelWeb, Text: "a\x00b", Category: "food"}, "text"},
			{"invalid UTF-8", ReportInput{Channel: ChannelWeb, Text: "a\xffb", Category: "food"}, "text"},
			{"too long", ReportInput{Channel: ChannelWeb, Text: strings.Repeat("a", 2001), Category: "food"}, "text"},
		}
		for _, c := range cases {
			c.in.EmergencyID = em.ID
			_, err := w.svc.Submit(ctx, c.in)
			if _, ok := fields(err)[c.field]; !ok {
				t.Errorf("%s: %v %v, want a problem with %s", c.name, err, fields(err), c.field)
			}
		}
		sms, err := w.svc.Submit(ctx, ReportInput{EmergencyID: em.ID, Channel: ChannelSMS, MsgID: "m-1", Text: "air bersih habis di Atlantis", Place: "Atlantis"})
		if err != nil || sms.Category != "other" || sms.Located() || sms.Place != "Atlantis" {
			t.Fatalf("sms: %+v %v; want kept as written, unplaced", sms, err)
		}
		again, err := w.svc.Submit(ctx, ReportInput{EmergencyID: em.ID, Channel: ChannelSMS, MsgID: "m-1", Text: "air bersih habis di Atlantis"})
		if err != nil || again.ID != sms.ID {
			t.Fatalf("a message delivered twice made %q then %q (%v)", sms.ID, again.ID, err)
		}
		counts, _ := w.svc.ReportCounts(as("bnpb", core.RoleAdmin), em)
		if counts[ReportNew] != 1 {
			t.Fatalf("counts %v, want one new report", counts)
		}
	})
}

// TestThrottle limits arrivals per key within the hour, and lets them in
// again once the hour has passed.
func TestThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ctx := anonymous("203.0.113.9")
		for i := range 3 {
			if err := w.svc.Throttle(ctx, "ip:203.0.113.9", 3); err != nil {
				t.Fatalf("arrival %d: %v", i+1, err)
			}
		}
		wantKind(t, "fourth arrival", w.svc.Throttle(ctx, "ip:203.0.113.9", 3), core.KindRateLimited)
		if err := w.svc.Throttle(ctx, "ip:203.0.113.10", 3); err != nil {
			t.Fatalf("another address: %v", err)
		}
		w.clock.Advance(61 * 60 * 1e9)
		if err := w.svc.Throttle(ctx, "ip:203.0.113.9", 3); err != nil {
			t.Fatalf("after the hour: %v", err)
		}
	})
}

// tr names a key by itself, with the language.
type tr struct{}

func (tr) T(lang, key string, _ ...any) string { return lang + ":" + key }

// TestUrgentReportsAreMailed tells the coordinators at once of people
// trapped, naming what and where in each language and never who sent it;
// other reports wait under "Needs your attention".
func TestUrgentReportsAreMailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		var got notifytest.Recorder
		w.svc.UseNotifier(&got, tr{})
		em := mustEmergency(t, w)
		if _, err := w.svc.Submit(anonymous("203.0.113.5"), ReportInput{EmergencyID: em.ID, Channel: ChannelWeb, Text: "Air habis", Category: "water", Place: "Palu"}); err != nil {
			t.Fatal(err)
		}
		r, err := w.svc.Submit(anonymous("203.0.113.5"), ReportInput{EmergencyID: em.ID, Channel: ChannelWeb, Text: "Dua orang terjebak", Category: "trapped",
			Place: "Palu", Name: "Siti", Contact: "+6281234567890"})
		if err != nil {
			t.Fatal(err)
		}
		calls := got.Calls()
		if len(calls) != 1 {
			t.Fatalf("%d e-mails, want 1 (the trapped report only): %v", len(calls), calls)
		}
		c := calls[0].Args
		c["org"], c["kind"], c["path"] = calls[0].OrgID, calls[0].Kind, calls[0].Path
		if c["org"] != "org-bnpb" || c["kind"] != "hum_urgent_report" || c["path"] != "/humanitarian/reports/"+r.ID ||
			c["category@id"] != "id:hum.cat.trapped" || c["place@en"] != "Kota Palu, Sulawesi Tengah" {
			t.Fatalf("e-mail %v", c)
		}
		for k, v := range c {
			if strings.Contains(v, "Siti") || strings.Contains(v, "6281234567890") {
				t.Errorf("the e-mail carries the reporter in %s: %q", k, v)
			}
		}
	})
}

// TestClientKeyCountsAnIPv6ClientByItsPrefix: the addresses of one /64 are
// one client; IPv4 and mapped IPv4 are the same client.
func TestClientKeyCountsAnIPv6ClientByItsPrefix(t *testing.T) {
	if clientKey("2001:db8:1:2::10") != clientKey("2001:db8:1:2:ffff::1") {
		t.Error("two addresses of one /64 are two clients")
	}
	if clientKey("2001:db8:1:2::10") == clientKey("2001:db8:1:3::10") {
		t.Error("two /64s are one client")
	}
	if clientKey("::ffff:203.0.113.9") != clientKey("203.0.113.9") || clientKey("203.0.113.9") == clientKey("203.0.113.10") {
		t.Error("IPv4 keys")
	}
}

// TestUrgentMailIsLimited: a flood of urgent reports sends the
// coordinators urgentPerHour e-mails, not one per report; the reports are
// all kept.
func TestUrgentMailIsLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		var got notifytest.Recorder
		w.svc.UseNotifier(&got, tr{})
		em := mustEmergency(t, w)
		for i := range urgentPerHour + 5 {
			if _, err := w.svc.Submit(anonymous("203.0.113.5"), ReportInput{EmergencyID: em.ID, Channel: ChannelSMS, Text: "terjebak " + strings.Repeat("!", i), Category: "trapped"}); err != nil {
				t.Fatal(err)
			}
		}
		counts, _ := w.svc.ReportCounts(as("bnpb", core.RoleAdmin), em)
		if len(got.Calls()) != urgentPerHour || counts[ReportNew] != urgentPerHour+5 {
			t.Fatalf("%d e-mails for %d reports", len(got.Calls()), counts[ReportNew])
		}
	})
}

// TestCoordinatorsEditWhatIsPublished: a coordinator takes a phone number
// out of a report's text; the public reads the edited text, never the
// original nor who verified it; the coordinators keep both.
func TestCoordinatorsEditWhatIsPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		em := mustEmergency(t, w)
		coord := as("bnpb", core.RoleAnalyst)
		r, err := w.svc.Submit(anonymous("203.0.113.6"), ReportInput{EmergencyID: em.ID, Channel: ChannelEmail, Text: "Air habis di Tatanga. Hubungi saya 0812 9999 1234"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.EditText(as("pmi", core.RoleAdmin), r.ID, "x"); core.KindOf(err) != core.KindNotFound {
			t.Errorf("another organisation edits: %v", err)
		}
		if _, err := w.svc.EditText(coord, r.ID, " "); fields(err)["text"] != "err.required" {
			t.Errorf("an empty text: %v", err)
		}
		for _, text := range []string{"Air habis di Tatanga.", "Air bersih habis di Tatanga."} {
			if _, err := w.svc.EditText(coord, r.ID, text); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.svc.Decide(coord, r.ID, ReportVerified, ""); err != nil {
			t.Fatal(err)
		}
		pub, err := w.svc.Report(anonymous("198.51.100.4"), r.ID)
		if err != nil || pub.Text != "Air bersih habis di Tatanga." || pub.Original != "" || pub.Decision == nil || pub.Decision.By != "" {
			t.Fatalf("the public reads %+v %+v, %v", pub, pub.Decision, err)
		}
		got, _ := w.svc.Report(coord, r.ID)
		if got.Original != "Air habis di Tatanga. Hubungi saya 0812 9999 1234" || got.Decision.By == "" {
			t.Fatalf("the coordinator reads original %q, decided by %q", got.Original, got.Decision.By)
		}
	})
}

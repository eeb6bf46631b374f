package humanitarian

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/humanitarian/inbound"
	webfiles "entente.example/entente/web"
)

// chSite is the module mounted on the real web server (middleware, access
// checks, templates, catalogues), with the demo's emergency, three
// gateways, shelters, hotlines and advice.
type chSite struct {
	*world
	m                 *Module
	srv               *web.Server
	e                 Emergency
	sync, front, mail Gateway
	coord             context.Context
	syncKey, frontKey string
	mailKey           string
}

func newChannelSite(t testing.TB, eng storetest.Engine) *chSite {
	t.Helper()
	w := newWorld(t, eng)
	srv, err := web.New(web.Deps{DB: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(),
		BaseURL: "https://node.test"}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	m := NewModule(w.svc, srv)
	if err := srv.Mount([]web.Module{m}); err != nil {
		t.Fatal(err)
	}
	s := &chSite{world: w, m: m, srv: srv, e: mustEmergency(t, w), coord: web.WithLang(as("bnpb", core.RoleOfficer), "en")}
	mk := func(kind, addr string) Gateway {
		g, err := w.svc.CreateGateway(s.coord, s.e, Gateway{Kind: kind, Address: addr})
		if err != nil {
			t.Fatalf("gateway %s: %v %v", kind, err, fields(err))
		}
		return g
	}
	s.sync, s.front, s.mail = mk(GatewaySMSSync, "+62 811 4500 112"), mk(GatewayFrontlineSMS, "+62 811 4500 113"), mk(GatewayMail, "lapor@bnpb.example")
	s.syncKey, s.frontKey, s.mailKey = s.sync.Secret, s.front.Secret, s.mail.Secret
	for _, sh := range []Shelter{
		{Name: "Posko Lapangan Vatulemo", PCode: "ID7271030", Capacity: 800, Facilities: "Air bersih, dapur umum, MCK"},
		{Name: "Masjid Agung Palu Barat", PCode: "ID7271010", Capacity: 300},
		{Name: "Stadion Gawalise", PCode: "ID7271040", Status: ShelterFull, Capacity: 1500},
		{Name: "Posko Donggala Kota", PCode: "ID7205", Capacity: 400},
	} {
		if _, err := w.svc.SaveShelter(s.coord, s.e, sh); err != nil {
			t.Fatalf("shelter: %v %v", err, fields(err))
		}
	}
	for i, h := range []Hotline{{Name: "BNPB", Number: "117", Hours: "24 jam"}, {Name: "PMI Palu", Number: "+62 451 421 000"}} {
		h.Position = i
		if _, err := w.svc.SaveHotline(s.coord, s.e, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.svc.SaveAdvice(s.coord, s.e, map[string]string{
		"id": "Jauhi bangunan retak. Waspada gempa susulan.\nJangan kembali ke pantai: ancaman tsunami.\nMinum air yang dimasak.",
		"en": "Keep away from cracked buildings. Expect aftershocks.\nDo not go back to the shore: tsunami risk.\nDrink boiled water only.",
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// do sends a request through the server as someone without an account.
func (s *chSite) do(method, target, ct, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr = "192.0.2.7:4000"
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, r)
	return rec
}

const formCT = "application/x-www-form-urlencoded"

// smssync posts an SMS as SMSSync does.
func (s *chSite) smssync(gw, secret, from, text, id string) *httptest.ResponseRecorder {
	v := url.Values{"secret": {secret}, "from": {from}, "message": {text}, "message_id": {id}, "sent_to": {"+628114500112"},
		"sent_timestamp": {"1764579600000"}, "device_id": {"1"}}
	return s.do("POST", "/hooks/humanitarian/sms/"+gw, formCT, v.Encode())
}

// frontline posts an SMS as a FrontlineSMS webhook (JSON) does.
func (s *chSite) frontline(secret, from, text string) *httptest.ResponseRecorder {
	b, _ := json.Marshal(map[string]string{"secret": secret, "from": from, "message": text})
	return s.do("POST", "/hooks/humanitarian/sms/"+s.front.ID, "application/json", string(b))
}

func (s *chSite) reports(t testing.TB) []Report {
	t.Helper()
	list, err := s.svc.Reports(s.coord, s.e, ReportFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

type payload struct {
	Payload struct {
		Success  bool    `json:"success"`
		Error    *string `json:"error"`
		Task     string  `json:"task"`
		Secret   string  `json:"secret"`
		Messages []struct {
			To, Message, UUID string
		} `json:"messages"`
	} `json:"payload"`
}

func decodePayload(t testing.TB, rec *httptest.ResponseRecorder) payload {
	t.Helper()
	var p payload
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("answer %d %q: %v", rec.Code, rec.Body.String(), err)
	}
	return p
}

func TestSMSWebhookSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		if rec := s.smssync(s.sync.ID, s.syncKey, "081234567890", "LAPOR air bersih habis di Palu Timur", "m1"); rec.Code != 200 || !decodePayload(t, rec).Payload.Success {
			t.Fatalf("good secret: %d %s", rec.Code, rec.Body)
		}
		bad := s.smssync(s.sync.ID, "guess", "081234567890", "LAPOR x", "m2")
		unknown := s.smssync("no-such-gateway", s.syncKey, "081234567890", "LAPOR x", "m3")
		other := s.smssync(s.sync.ID, s.frontKey, "081234567890", "LAPOR x", "m4") // another gateway's secret
		mailDoor := s.smssync(s.mail.ID, s.mailKey, "081234567890", "LAPOR x", "m5")
		if bad.Code != 403 || bad.Body.String() != `{"payload":{"success":false,"error":"sms.bad_secret"}}` {
			t.Fatalf("bad secret: %d %s", bad.Code, bad.Body)
		}
		for name, rec := range map[string]*httptest.ResponseRecorder{"unknown gateway": unknown, "other gateway's secret": other, "mail gateway": mailDoor} {
			if rec.Code != bad.Code || rec.Body.String() != bad.Body.String() || rec.Header().Get("Content-Type") != bad.Header().Get("Content-Type") {
				t.Errorf("%s answers %d %s, unlike a bad secret", name, rec.Code, rec.Body)
			}
		}
		// A disabled gateway is shut like an unknown one.
		off := s.sync
		off.Enabled = false
		if _, err := s.svc.UpdateGateway(s.coord, s.e, off.ID, off); err != nil {
			t.Fatal(err)
		}
		if rec := s.smssync(s.sync.ID, s.syncKey, "081234567890", "LAPOR x", "m6"); rec.Body.String() != bad.Body.String() {
			t.Errorf("disabled gateway: %d %s", rec.Code, rec.Body)
		}
		if n := len(s.reports(t)); n != 1 {
			t.Fatalf("%d reports, want the one with the good secret", n)
		}
		// Polling is shut without the secret too: the replies carry numbers.
		if rec := s.do("GET", "/hooks/humanitarian/sms/"+s.sync.ID+"?task=send", "", ""); rec.Code != 403 {
			t.Errorf("poll without secret: %d", rec.Code)
		}
	})
}

func TestSMSWebhookMalformed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		gw := "/hooks/humanitarian/sms/" + s.front.ID
		cases := []struct {
			name, ct, body string
			status         int
			code           string
		}{
			{"missing from", formCT, url.Values{"secret": {s.frontKey}, "message": {"LAPOR x"}}.Encode(), 400, "sms.missing_field"},
			{"blank message", formCT, url.Values{"secret": {s.frontKey}, "from": {"0812"}, "message": {"  "}}.Encode(), 400, "sms.missing_field"},
			{"broken form", formCT, "secret=%zz&from=1", 400, "sms.malformed_body"},
			{"broken JSON", "application/json", `{"secret":`, 400, "sms.malformed_body"},
			{"JSON list", "application/json", `{"secret":["` + s.frontKey + `"]}`, 400, "sms.malformed_body"},
			{"too large", formCT, "message=" + strings.Repeat("a", inbound.DefaultSMSMaxBytes+10), 413, "sms.too_large"},
		}
		for _, c := range cases {
			rec := s.do("POST", gw, c.ct, c.body)
			p := decodePayload(t, rec)
			if rec.Code != c.status || p.Payload.Error == nil || *p.Payload.Error != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, rec.Code, rec.Body, c.status, c.code)
			}
		}
		if n := len(s.reports(t)); n != 0 {
			t.Fatalf("%d reports from malformed bodies", n)
		}
	})
}

func TestSMSGatewaysFormats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		// FrontlineSMS: the reply is in the answer.
		rec := s.frontline(s.frontKey, "0812 1111 2222", "LAPOR jembatan putus di Palu Barat")
		p := decodePayload(t, rec)
		if rec.Code != 200 || !p.Payload.Success || len(p.Payload.Messages) != 1 || p.Payload.Messages[0].To != "+6281211112222" ||
			!strings.HasPrefix(p.Payload.Messages[0].Message, "Laporan diterima, nomor ") {
			t.Fatalf("FrontlineSMS: %d %s", rec.Code, rec.Body)
		}
		// FrontlineSMS as a form, in English.
		rec = s.do("POST", "/hooks/humanitarian/sms/"+s.front.ID, formCT, url.Values{"secret": {s.frontKey}, "from": {"+6281233334444"}, "message": {"REPORT bridge down in Palu Utara"}}.Encode())
		if p := decodePayload(t, rec); len(p.Payload.Messages) != 1 || !strings.HasPrefix(p.Payload.Messages[0].Message, "Report received, number ") {
			t.Fatalf("FrontlineSMS form: %d %s", rec.Code, rec.Body)
		}
		// SMSSync: the reply waits for the poll, which gets it until SMSSync
		// says it was sent.
		rec = s.smssync(s.sync.ID, s.syncKey, "081255556666", "LAPOR rumah roboh di Palu Timur", "sync-1")
		if p := decodePayload(t, rec); rec.Code != 200 || !p.Payload.Success || len(p.Payload.Messages) != 0 {
			t.Fatalf("SMSSync: %d %s", rec.Code, rec.Body)
		}
		poll := func() payload {
			return decodePayload(t, s.do("GET", "/hooks/humanitarian/sms/"+s.sync.ID+"?task=send&secret="+url.QueryEscape(s.syncKey), "", ""))
		}
		got := poll()
		if got.Payload.Task != "send" || got.Payload.Secret != s.syncKey || len(got.Payload.Messages) != 1 || got.Payload.Messages[0].To != "+6281255556666" || len(got.Payload.Messages[0].UUID) != 36 {
			t.Fatalf("poll: %+v", got)
		}
		if again := poll(); len(again.Payload.Messages) != 0 {
			t.Fatalf("handed out twice within the retry time: %+v", again)
		}
		uuid := got.Payload.Messages[0].UUID
		body, _ := json.Marshal(map[string]any{"secret": s.syncKey, "queued_messages": []string{uuid, "not-ours"}})
		rec = s.do("POST", "/hooks/humanitarian/sms/"+s.sync.ID+"?task=sent", "application/json", string(body))
		if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"message_uuids":["`+uuid+`"]}` {
			t.Fatalf("task=sent: %d %s", rec.Code, rec.Body)
		}
		s.clock.Advance(retryAfter + 1)
		if again := poll(); len(again.Payload.Messages) != 0 {
			t.Fatalf("sent reply handed out again: %+v", again)
		}
		// An unconfirmed reply is handed out again later, a few times at most.
		s.smssync(s.sync.ID, s.syncKey, "081255556666", "LAPOR listrik padam di Palu Barat", "sync-2")
		tries := 0
		for range 6 {
			tries += len(poll().Payload.Messages)
			s.clock.Advance(retryAfter + 1)
		}
		if tries != maxTries {
			t.Fatalf("unconfirmed reply handed out %d times, want %d", tries, maxTries)
		}
		if n := len(s.reports(t)); n != 4 {
			t.Fatalf("%d reports, want 4", n)
		}
	})
}

func TestSMSDuplicateDeliveryAndThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		for range 3 {
			if rec := s.smssync(s.sync.ID, s.syncKey, "081277778888", "LAPOR banjir di Palu Selatan", "dup-1"); rec.Code != 200 {
				t.Fatalf("delivery: %d %s", rec.Code, rec.Body)
			}
		}
		if n := len(s.reports(t)); n != 1 {
			t.Fatalf("a message delivered three times made %d reports", n)
		}
		// One sender is throttled; the count includes the three deliveries.
		for i := range senderPerHour + 5 {
			s.smssync(s.sync.ID, s.syncKey, "081299990000", "LAPOR pesan "+string(rune('a'+i)), "flood-"+string(rune('a'+i)))
		}
		if n := len(s.reports(t)); n != 1+senderPerHour {
			t.Fatalf("%d reports after a flood, want %d", n, 1+senderPerHour)
		}
		if rec := s.smssync(s.sync.ID, s.syncKey, "081211110000", "LAPOR pohon tumbang di Palu Barat", "other-1"); rec.Code != 200 || len(s.reports(t)) != 2+senderPerHour {
			t.Fatalf("another sender was throttled too: %d %s", rec.Code, rec.Body)
		}
		s.clock.Advance(throttleWindow + 1)
		s.smssync(s.sync.ID, s.syncKey, "081299990000", "LAPOR lagi", "flood-next")
		if n := len(s.reports(t)); n != 3+senderPerHour {
			t.Fatalf("the sender is still throttled after the window: %d reports", n)
		}
	})
}

func TestSMSReportIsPlacedAndContactNeverPublic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		s.smssync(s.sync.ID, s.syncKey, "0812-4321-9876", "LAPOR: 3 orang terjebak di reruntuhan hotel, Palu Barat", "p-1")
		list := s.reports(t)
		if len(list) != 1 {
			t.Fatalf("%d reports", len(list))
		}
		r := list[0]
		if r.Channel != ChannelSMS || r.PCode != "ID7271010" || !r.Located() || r.Lang != "id" || r.Reporter == nil || r.Reporter.Contact != "+6281243219876" {
			t.Fatalf("report: %+v reporter %+v", r, r.Reporter)
		}
		if _, err := s.svc.Decide(s.coord, r.ID, ReportVerified, ""); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/v1/humanitarian/reports/" + r.ID, "/humanitarian/reports/" + r.ID, "/api/v1/humanitarian/emergencies/" + s.e.ID + "/reports",
			"/humanitarian/emergencies/" + s.e.ID + "/reports", "/humanitarian/emergencies/" + s.e.ID + "/reports.geojson", "/humanitarian/emergencies/" + s.e.ID + "/info"} {
			rec := s.do("GET", path, "", "")
			if rec.Code != 200 {
				t.Errorf("%s: %d", path, rec.Code)
			}
			if b := rec.Body.String(); strings.Contains(b, "4321") || strings.Contains(b, "9876") {
				t.Errorf("%s shows the reporter's number", path)
			}
		}
		if !strings.Contains(s.do("GET", "/api/v1/humanitarian/reports/"+r.ID, "", "").Body.String(), "terjebak") {
			t.Error("the verified report is not public")
		}
	})
}

func TestSMSInfoShelter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		reply := func(text string) string {
			t.Helper()
			p := decodePayload(t, s.frontline(s.frontKey, "081200001111", text))
			if len(p.Payload.Messages) != 1 {
				t.Fatalf("%q: no reply", text)
			}
			m := p.Payload.Messages[0].Message
			if n := inbound.SplitSMS(m).Count(); n > 3 {
				t.Errorf("%q: reply of %d SMS", text, n)
			}
			return m
		}
		id := reply("INFO POSKO Palu Barat")
		if !strings.HasPrefix(id, "Posko buka dekat Palu Barat: 1. Masjid Agung Palu Barat") || !strings.Contains(id, "Telepon: BNPB 117") || strings.Contains(id, "Gawalise") {
			t.Errorf("INFO POSKO: %q", id)
		}
		en := reply("info shelter palu utara")
		if !strings.HasPrefix(en, "Open shelters near Palu Utara: 1. ") || !strings.Contains(en, "Call: BNPB 117 (24 jam)") || strings.Contains(en, "Gawalise") {
			t.Errorf("INFO SHELTER: %q", en)
		}
		// No place named: nearest to the emergency's centre.
		if any := reply("INFO POSKO"); !strings.HasPrefix(any, "Posko buka: 1. ") {
			t.Errorf("INFO POSKO alone: %q", any)
		}
		info := reply("INFO")
		if !strings.HasPrefix(info, s.e.Title+". Posko: ") || !strings.Contains(info, "LAPOR") {
			t.Errorf("INFO: %q", info)
		}
		if n := len(s.reports(t)); n != 0 {
			t.Fatalf("questions made %d reports", n)
		}
		// A report without words is answered with how to report.
		if r := reply("LAPOR"); !strings.HasPrefix(r, "Kirim LAPOR lalu apa yang terjadi") {
			t.Errorf("LAPOR alone: %q", r)
		}
		// Replies are cut to three SMS however many shelters there are.
		for i := range 30 {
			if _, err := s.svc.SaveShelter(s.coord, s.e, Shelter{Name: "Posko tambahan dengan nama yang sangat panjang nomor " + string(rune('A'+i)), PCode: "ID7271010"}); err != nil {
				t.Fatal(err)
			}
		}
		reply("INFO POSKO Palu Barat")
		reply("INFO")
		// Once the emergency is closed, reports are refused and people told.
		closed := s.e
		closed.Status, closed.EndedOn = StatusClosed, "2026-12-01"
		if _, err := s.svc.UpdateEmergency(s.coord, s.e.ID, closed); err != nil {
			t.Fatal(err)
		}
		if r := reply("REPORT roof fell in Palu Barat"); !strings.HasPrefix(r, "This emergency is closed") {
			t.Errorf("report to a closed emergency: %q", r)
		}
		if n := len(s.reports(t)); n != 0 {
			t.Fatalf("%d reports", n)
		}
	})
}

package humanitarian

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/humanitarian/inbound"
)

func readEML(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("inbound", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMailHook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		raw := readEML(t, "multipart_photo.eml")
		hook := "/hooks/humanitarian/mail/" + s.mail.ID + "?secret="
		if rec := s.do("POST", hook+s.mailKey, "message/rfc822", raw); rec.Code != 200 || !decodePayload(t, rec).Payload.Success {
			t.Fatalf("mail hook: %d %s", rec.Code, rec.Body)
		}
		bad := s.do("POST", hook+"guess", "message/rfc822", raw)
		unknown := s.do("POST", "/hooks/humanitarian/mail/nope?secret="+s.mailKey, "message/rfc822", raw)
		smsDoor := s.do("POST", "/hooks/humanitarian/mail/"+s.sync.ID+"?secret="+s.syncKey, "message/rfc822", raw)
		if bad.Code != 403 || !strings.Contains(bad.Body.String(), "email.bad_secret") {
			t.Fatalf("bad secret: %d %s", bad.Code, bad.Body)
		}
		for name, rec := range map[string]*httptest.ResponseRecorder{"unknown": unknown, "an SMS gateway": smsDoor} {
			if rec.Code != bad.Code || rec.Body.String() != bad.Body.String() {
				t.Errorf("%s: %d %s, unlike a bad secret", name, rec.Code, rec.Body)
			}
		}
		// Delivered again: still one report.
		s.do("POST", hook+s.mailKey, "message/rfc822", raw)
		list := s.reports(t)
		if len(list) != 1 {
			t.Fatalf("%d reports", len(list))
		}
		r := list[0]
		if r.Channel != ChannelEmail || r.Photos != 1 /* the PNG: the PDF named .jpg and the WebP that is not one are left out */ || !strings.Contains(r.Text, "Damage at Talise beach") || r.Reporter.Contact != "team@ngo.example" || r.Reporter.Name != "Field Team" {
			t.Fatalf("report: %+v %+v", r, r.Reporter)
		}
	})
}

// upload posts an .eml file to the coordinators' form as ctx.
func (s *chSite) upload(t testing.TB, ctx context.Context, name, data string) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("eml", name)
	io.WriteString(fw, data)
	mw.Close()
	r := httptest.NewRequest("POST", "/humanitarian/emergencies/"+s.e.ID+"/reports/eml", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.SetPathValue("id", s.e.ID)
	rec := httptest.NewRecorder()
	s.m.uploadEML(rec, r.WithContext(ctx))
	return rec
}

func TestEMLUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		// Four photos: three are kept, the fourth is told.
		png := "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
		var b strings.Builder
		b.WriteString("From: Warga <warga@example.org>\r\nSubject: Banjir di Palu Selatan\r\nMessage-ID: <four@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
		b.WriteString("--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAir setinggi lutut di pasar.\r\n")
		for i := 1; i <= 4; i++ {
			fmt.Fprintf(&b, "--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"foto%d.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n", i, png)
		}
		b.WriteString("--b--\r\n")
		rec := s.upload(t, s.coord, "banjir.eml", b.String())
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), "foto4.png: more than 3 photos") || !strings.Contains(rec.Body.String(), "/humanitarian/reports/") {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		list := s.reports(t)
		if len(list) != 1 || list[0].Photos != 3 || list[0].PCode != "ID7271020" || list[0].Channel != ChannelEmail {
			t.Fatalf("reports: %+v", list)
		}
		if !strings.Contains(rec.Body.String(), "Reference "+list[0].Ref()+" ") {
			t.Errorf("the upload does not give the report's reference %s", list[0].Ref())
		}
		// Not an e-mail: the form says so, next to the field.
		rec = s.upload(t, s.coord, "x.eml", "\x00\x01 not a mail")
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "not an e-mail message") {
			t.Fatalf("bad file: %d %s", rec.Code, rec.Body)
		}
		// Only the emergency's coordinators upload.
		rec = s.upload(t, web.WithLang(as("pmi", core.RoleOfficer), "en"), "banjir.eml", readEML(t, "plain.eml"))
		if rec.Code != http.StatusForbidden || len(s.reports(t)) != 1 {
			t.Fatalf("another organisation uploads: %d", rec.Code)
		}
	})
}

func gz(b []byte) int {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Len()
}

// The page for the people affected must load over a slow, costly
// connection: at most 14 KB compressed (the first round trip of TCP) and
// ideally 8 KB as it is.
func TestInfoPageBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		for _, lang := range []string{"id", "en"} {
			r := httptest.NewRequest("GET", "/humanitarian/emergencies/"+s.e.ID+"/info", nil)
			r.Header.Set("Accept-Encoding", "gzip")
			r.Header.Set("Accept-Language", lang)
			rec := httptest.NewRecorder()
			s.srv.ServeHTTP(rec, r)
			if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: %d %v", lang, rec.Code, rec.Header())
			}
			zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(zr)
			body := string(page)
			for _, want := range []string{"Masjid Agung Palu Barat", "Stadion Gawalise", "tel:117", "Jauhi bangunan retak", "Keep away from cracked buildings", "LAPOR", "811 4500 112", "lapor@bnpb.example"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the page lacks %q", lang, want)
				}
			}
			// The reader's language first.
			first, second := "Jauhi bangunan", "Keep away"
			if lang == "en" {
				first, second = second, first
			}
			if strings.Index(body, first) > strings.Index(body, second) {
				t.Errorf("%s: the reader's advice is not first", lang)
			}
			t.Logf("info page (%s, %s): %d bytes, %d gzipped as served, %d gzipped at best", lang, eng.Name, len(page), rec.Body.Len(), gz(page))
			if rec.Body.Len() > 14*1024 {
				t.Errorf("%s: %d bytes compressed, over 14 KB", lang, rec.Body.Len())
			}
			if len(page) > 8*1024 {
				t.Errorf("%s: %d bytes, over 8 KB", lang, len(page))
			}
		}
		// The text version fits three SMS; the full one has everything.
		for _, lang := range []string{"id", "en"} {
			r := httptest.NewRequest("GET", "/humanitarian/emergencies/"+s.e.ID+"/info.txt", nil)
			r.Header.Set("Accept-Language", lang)
			rec := httptest.NewRecorder()
			s.srv.ServeHTTP(rec, r)
			text := strings.TrimSuffix(rec.Body.String(), "\n")
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") || inbound.SplitSMS(text).Count() > 3 || !strings.Contains(text, "117") {
				t.Errorf("info.txt (%s): %d %q", lang, rec.Code, text)
			}
			t.Logf("info.txt (%s): %d SMS: %s", lang, inbound.SplitSMS(text).Count(), text)
		}
		// The demo's emergency, with more shelters and hotlines.
		demo := quake()
		demo.Title = "Gempa Sulawesi Tengah (demo)"
		demo.Summary = strings.Repeat("A magnitude 7.4 earthquake struck near Donggala. ", 4)
		de, err := s.svc.CreateEmergency(as("bnpb", core.RoleOfficer), "bnpb", demo)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.svc.DemoInfo(s.coord, de); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"id", "en"} {
			r := httptest.NewRequest("GET", "/humanitarian/emergencies/"+de.ID+"/info", nil)
			r.Header.Set("Accept-Encoding", "gzip")
			r.Header.Set("Accept-Language", lang)
			rec := httptest.NewRecorder()
			s.srv.ServeHTTP(rec, r)
			zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(zr)
			t.Logf("demo info page (%s, %s): %d bytes, %d gzipped", lang, eng.Name, len(page), rec.Body.Len())
			if rec.Code != 200 || rec.Body.Len() > 14*1024 || len(page) > 8*1024 || !strings.Contains(string(page), "Posko Sigi Biromaru") {
				t.Errorf("demo info page (%s): %d, %d bytes, %d compressed", lang, rec.Code, len(page), rec.Body.Len())
			}
		}
		if txt := s.do("GET", "/humanitarian/emergencies/"+de.ID+"/info.txt", "", "").Body.String(); inbound.SplitSMS(strings.TrimSpace(txt)).Count() > 3 {
			t.Errorf("demo info.txt: %q", txt)
		}
		full := s.do("GET", "/humanitarian/emergencies/"+s.e.ID+"/info.txt?full=1", "", "").Body.String()
		for _, want := range []string{"Stadion Gawalise", "Air bersih, dapur umum", "Jauhi bangunan retak", "Keep away", "lapor@bnpb.example"} {
			if !strings.Contains(full, want) {
				t.Errorf("full text lacks %q", want)
			}
		}
	})
}

// call runs a handler as ctx with a JSON body and path values.
func call(h http.HandlerFunc, ctx context.Context, method, body string, path ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/api/v1/x", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(path); i += 2 {
		r.SetPathValue(path[i], path[i+1])
	}
	rec := httptest.NewRecorder()
	h(rec, r.WithContext(ctx))
	return rec
}

func TestSheltersAndHotlinesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		id := s.e.ID
		rec := call(s.m.apiSaveShelter, s.coord, "POST", `{"name":"Posko Talise","pcode":"ID7271030","capacity":120}`, "id", id)
		var sh Shelter
		if err := json.Unmarshal(rec.Body.Bytes(), &sh); rec.Code != 201 || err != nil || sh.Status != ShelterOpen || sh.Lat == nil {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		rec = call(s.m.apiSaveShelter, s.coord, "PUT", `{"name":"Posko Talise","pcode":"ID7271030","capacity":120,"status":"closed"}`, "id", id, "sid", sh.ID)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"closed"`) {
			t.Fatalf("close: %d %s", rec.Code, rec.Body)
		}
		rec = call(s.m.apiSaveShelter, s.coord, "POST", `{"name":"","pcode":"XX99","capacity":-1,"status":"maybe"}`, "id", id)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"capacity":`) || !strings.Contains(rec.Body.String(), `"pcode":`) || !strings.Contains(rec.Body.String(), `"status":`) {
			t.Fatalf("invalid: %d %s", rec.Code, rec.Body)
		}
		other := as("pmi", core.RoleAdmin)
		if rec = call(s.m.apiSaveShelter, other, "POST", `{"name":"Posko PMI"}`, "id", id); rec.Code != 403 {
			t.Fatalf("another organisation writes: %d", rec.Code)
		}
		if rec = call(s.m.apiDeleteShelter, other, "DELETE", "", "id", id, "sid", sh.ID); rec.Code != 403 {
			t.Fatalf("another organisation deletes: %d", rec.Code)
		}
		if rec = call(s.m.apiDeleteShelter, s.coord, "DELETE", "", "id", id, "sid", sh.ID); rec.Code != 204 {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
		if rec = call(s.m.apiShelter, context.Background(), "GET", "", "id", id, "sid", sh.ID); rec.Code != 404 {
			t.Fatalf("deleted shelter: %d", rec.Code)
		}
		rec = call(s.m.apiSaveHotline, s.coord, "POST", `{"name":"Basarnas","number":"115","hours":"24 jam","position":5}`, "id", id)
		var h Hotline
		if err := json.Unmarshal(rec.Body.Bytes(), &h); rec.Code != 201 || err != nil {
			t.Fatalf("hotline: %d %s", rec.Code, rec.Body)
		}
		if rec = call(s.m.apiSaveHotline, s.coord, "POST", `{"name":"x","number":"call me"}`, "id", id); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"number":`) {
			t.Fatalf("bad number: %d %s", rec.Code, rec.Body)
		}
		// Anyone reads, through the server.
		rec = s.do("GET", "/api/v1/humanitarian/emergencies/"+id+"/info", "", "")
		var in Info
		if err := json.Unmarshal(rec.Body.Bytes(), &in); err != nil || len(in.Shelters) != 4 || len(in.Hotlines) != 3 || in.Advice["en"] == "" ||
			len(in.Report.SMS) != 2 || in.Report.Keyword != "LAPOR" || len(in.Report.Email) != 1 {
			t.Fatalf("info: %d %s", rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "secret") {
			t.Fatal("the info shows a gateway secret")
		}
		for _, p := range []string{"/shelters", "/hotlines"} {
			if rec := s.do("GET", "/api/v1/humanitarian/emergencies/"+id+p, "", ""); rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "[{") {
				t.Errorf("%s: %d %s", p, rec.Code, rec.Body)
			}
		}
	})
}

func TestInfoAndGatewayPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		s := newChannelSite(t, eng)
		page := func(h http.HandlerFunc, ctx context.Context, method, target, form string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(method, target, strings.NewReader(form))
			r.Header.Set("Content-Type", formCT)
			r.SetPathValue("id", s.e.ID)
			rec := httptest.NewRecorder()
			h(rec, r.WithContext(ctx))
			return rec
		}
		if rec := page(s.m.infoEdit, s.coord, "GET", "/x", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Posko Lapangan Vatulemo") {
			t.Fatalf("edit page: %d", rec.Code)
		}
		if rec := page(s.m.infoEdit, web.WithLang(as("pmi", core.RoleOfficer), "en"), "GET", "/x", ""); rec.Code != 403 {
			t.Fatalf("edit page for another organisation: %d", rec.Code)
		}
		// A refused shelter comes back with the input kept and the problem
		// next to its field.
		rec := page(s.m.saveShelter, s.coord, "POST", "/x", "name=Posko+Baru&capacity=lots&status=open")
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `value="Posko Baru"`) || !strings.Contains(rec.Body.String(), `id="capacity-err">`) {
			t.Fatalf("refused shelter: %d", rec.Code)
		}
		if rec := page(s.m.saveAdvice, s.coord, "POST", "/x", "advice_id=Tetap+tenang&advice_en="); rec.Code != 303 {
			t.Fatalf("advice: %d %s", rec.Code, rec.Body)
		}
		if adv, _ := s.svc.Advice(s.coord, s.e); adv["id"] != "Tetap tenang" || adv["en"] != "" {
			t.Fatalf("advice: %v", adv)
		}
		// A gateway's secret is shown once, on the page that creates it.
		rec = page(s.m.createGateway, s.coord, "POST", "/x", "kind=smssync&address=%2B62+811+999&country_code=62")
		if rec.Code != 201 || !strings.Contains(rec.Body.String(), "shown only this once") {
			t.Fatalf("create gateway: %d", rec.Code)
		}
		gws, _ := s.svc.Gateways(s.coord, s.e)
		secret := gws[len(gws)-1].Secret
		if secret != "" || strings.Contains(page(s.m.gatewaysPage, s.coord, "GET", "/x", "").Body.String(), s.syncKey) {
			t.Fatal("a secret is shown again")
		}
		if rec := page(s.m.createGateway, s.coord, "POST", "/x", "kind=pager&address=&country_code=0x"); rec.Code != 422 ||
			!strings.Contains(rec.Body.String(), "Choose SMSSync") || !strings.Contains(rec.Body.String(), "1 to 3 digits") {
			t.Fatalf("refused gateway: %d", rec.Code)
		}
		if _, err := s.svc.Gateways(as("pmi", core.RoleAdmin), s.e); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("another organisation lists gateways: %v", err)
		}
	})
}

// BenchmarkSMSWebhook is reports accepted per second through the SMS
// webhook (the real server, SQLite), each from another sender.
func BenchmarkSMSWebhook(b *testing.B) {
	s := newChannelSite(b, storetest.Engines(b)[0])
	b.ResetTimer()
	for i := range b.N {
		rec := s.smssync(s.sync.ID, s.syncKey, fmt.Sprintf("0812%08d", i), "LAPOR rumah roboh di Palu Barat, 2 orang luka", fmt.Sprintf("bench-%d", i))
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

package publicdiplomacy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// TestNewsroomFormNamesFieldsAndKeepsInput sends the newsroom's form with
// what a hurried officer gets wrong — no English text, a time already
// past, an image without its description, a file that is no image, a
// text too long — and finds each named by its field, what was typed kept,
// and nothing drafted. Then the form right, with an image described in
// both languages, drafts one message of two posts, each with the image.
func TestNewsroomFormNamesFieldsAndKeepsInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu")
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleOfficer)

		form := url.Values{"account": {acc.ID}, "visibility": {"public"}, "scheduled_at": {w.clock.Now().Add(-2 * time.Hour).UTC().Format(scheduleLayout)},
			"content_id": {"Indonesia dan Australia menandatangani nota kesepahaman #siber"}, "warning_id": {"Politik"}, "alt_en": {""}}
		r := bima.multipart(t, "/newsroom", form, nrPNG)
		nrWant(t, "a form with problems", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the form again", r.Body,
			`href="#scheduled_at">Publish at: This time has passed`,
			`href="#alt_id">Alt text in Bahasa Indonesia: Describe the image`,
			`Indonesia dan Australia menandatangani nota kesepahaman #siber</textarea>`, `value="Politik"`,
			"The image was not kept: choose it again.")
		// A message in Bahasa Indonesia alone is a message: English is not
		// asked for, nor its alt text.
		if strings.Contains(r.Body, `href="#alt_en"`) || strings.Contains(r.Body, `href="#content_en"`) {
			t.Errorf("English is asked for in a message without it")
		}

		form.Set("scheduled_at", "31/01/2030 14:00")
		form.Set("content_en", strings.Repeat("Cyber norms. ", 40))
		r = bima.multipart(t, "/newsroom", form, []byte("#!/bin/sh\necho not an image\n"))
		nrWant(t, "a form with a script for an image", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the form again", r.Body, `href="#image">Image: Use a PNG, JPEG, WebP or GIF image.`, `href="#scheduled_at">Publish at: Use a date and time`,
			`href="#content_en">Text in English: A post has at most 500 characters`)

		third := url.Values{"account": {acc.ID}, "content_en": {"Hello"}, "content_3": {"Selamat pagi"}}
		r = bima.multipart(t, "/newsroom", third, nil)
		nrWant(t, "a third text without its language", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the form again", r.Body, `href="#lang_3">Third language: This is required.`, `Selamat pagi</textarea>`)

		if msgs, err := w.svc.Messages(bima.ctx, PostDraft); err != nil || len(msgs) != 0 {
			t.Fatalf("refused forms drafted %d messages (%v)", len(msgs), err)
		}

		// The case it answers is one of the organisation's own.
		if err := w.fed.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO pd_cases (id, org_id, title, state, created_by, created_at, updated_at) VALUES ('01CASE', ?, 'A case', 'published', 'u', ?, ?)`,
				w.orgs["kemlu"].ID, tx.Now, tx.Now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		foreign := url.Values{"account": {acc.ID}, "content_en": {"Hello"}, "case": {"01OTHER"}}
		nrWant(t, "a case that is not the organisation's", bima.multipart(t, "/newsroom", foreign, nil), http.StatusUnprocessableEntity)
		at := w.clock.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
		good := url.Values{"account": {acc.ID}, "visibility": {"unlisted"}, "scheduled_at": {at.Format(scheduleLayout)}, "case": {"01CASE"},
			"content_en": {"Indonesia and Australia sign a memorandum on cyber cooperation. #cyber"}, "alt_en": {"Two ministers shake hands."},
			"content_id": {"Indonesia dan Australia menandatangani nota kesepahaman kerja sama siber. #siber"}, "alt_id": {"Dua menteri berjabat tangan."},
			"lang_3": {"ms"}, "content_3": {""}}
		r = bima.multipart(t, "/newsroom", good, nrPNG)
		nrWant(t, "a good form", r, http.StatusSeeOther)
		group := strings.TrimPrefix(r.Header.Get("Location"), "/newsroom/")
		msg, err := w.svc.Group(bima.ctx, group)
		if err != nil || len(msg) != 2 {
			t.Fatalf("drafted: %d posts (%v)", len(msg), err)
		}
		for i, want := range []struct{ lang, alt string }{{"en", "Two ministers shake hands."}, {"id", "Dua menteri berjabat tangan."}} {
			p := msg[i]
			if p.Language != want.lang || p.Visibility != VisUnlisted || p.ScheduledAt == nil || !p.ScheduledAt.Equal(at) || p.CaseID != "01CASE" || p.CreatedByName != "Bima" {
				t.Errorf("post %d: %+v", i, p)
			}
			if len(p.Media) != 1 || p.Media[0].Alt != want.alt || p.Media[0].MediaType != "image/png" {
				t.Errorf("post %d media: %+v", i, p.Media)
			}
		}
		page := bima.get(t, r.Header.Get("Location"), "")
		nrWant(t, "the message", page, http.StatusOK)
		nrWantIn(t, "the message", page.Body, "Indonesia dan Australia menandatangani", `alt="Two ministers shake hands."`, "Submit for review", "/disinfo/01CASE")
		img := bima.get(t, "/newsroom/"+group+"/image?m="+msg[0].Media[0].ID, "image/*")
		nrWant(t, "the draft's image", img, http.StatusOK)
		if img.Header.Get("Content-Type") != "image/png" || img.Header.Get("X-Content-Type-Options") != "nosniff" || img.Body != string(nrPNG) {
			t.Errorf("image served as %q, nosniff %q, %d bytes", img.Header.Get("Content-Type"), img.Header.Get("X-Content-Type-Options"), len(img.Body))
		}
		if r := w.anonymous().get(t, "/social/media/"+msg[0].Media[0].ID, "image/*"); r.Status != http.StatusNotFound {
			t.Errorf("a draft's image is public: %d", r.Status)
		}

		// The edit form keeps the third language's problems on its fields.
		edit := bima.get(t, "/newsroom/"+group+"/edit", "")
		nrWant(t, "the edit form", edit, http.StatusOK)
		nrWantIn(t, "the edit form", edit.Body, `name="version" value="1"`, "Indonesia and Australia sign a memorandum", at.Format(scheduleLayout))
		r = bima.post(t, "/newsroom/"+group+"/edit", url.Values{"version": {"1"}, "content_en": {"Revised."}, "lang_3": {"id"}, "content_3": {"Lagi."}, "content_id": {"Direvisi."}})
		nrWant(t, "an edit with a language twice", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the edit form again", r.Body, `href="#lang_3">Third language: Each language may appear only once.`, "Revised.</textarea>")
		r = bima.post(t, "/newsroom/"+group+"/edit", url.Values{"version": {"1"}, "visibility": {"public"}, "content_en": {"Revised."}, "content_id": {"Direvisi."}})
		nrWant(t, "an edit", r, http.StatusSeeOther)
		msg, _ = w.svc.Group(bima.ctx, group)
		if len(msg) != 2 || msg[0].Content != "Revised." || msg[1].Content != "Direvisi." || msg[0].ScheduledAt != nil || len(msg[0].Media) != 1 || len(msg[1].Media) != 1 {
			t.Fatalf("edited: %+v", msg)
		}

		// A second image, described in the message's languages; then the
		// first removed.
		r = bima.multipart(t, "/newsroom/"+group+"/images", url.Values{"alt_en": {"A harbour."}}, nrPNG)
		nrWant(t, "an image without its Indonesian description", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the message again", r.Body, `href="#alt_id">Alt text in Bahasa Indonesia: Describe the image`, "A harbour.</textarea>")
		nrWant(t, "an image", bima.multipart(t, "/newsroom/"+group+"/images", url.Values{"alt_en": {"A harbour."}, "alt_id": {"Sebuah pelabuhan."}}, nrPNG), http.StatusSeeOther)
		nrWant(t, "removing the first image", bima.post(t, "/newsroom/"+group+"/unimage", url.Values{"n": {"0"}}), http.StatusSeeOther)
		msg, _ = w.svc.Group(bima.ctx, group)
		if len(msg[0].Media) != 1 || msg[0].Media[0].Alt != "A harbour." || msg[1].Media[0].Alt != "Sebuah pelabuhan." {
			t.Errorf("images: %+v / %+v", msg[0].Media, msg[1].Media)
		}
		nrWant(t, "deleting the draft", bima.post(t, "/newsroom/"+group+"/delete", nil), http.StatusSeeOther)
		if _, err := w.svc.Group(bima.ctx, group); core.KindOf(err) != core.KindNotFound {
			t.Errorf("deleted draft: %v", err)
		}
	})
}

// TestNewsroomFourEyes walks a message through its steps as its writer and
// a second officer: the writer is not offered approval and is refused it
// (with the reason on the page), the second officer approves, and once
// published the message shows its delivery — the instance that refused it
// named with its error — and its reach.
func TestNewsroomFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu")
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleOfficer)
		sari := w.person(t, "sari@kemlu.example", "Sari", "kemlu", core.RoleAdmin)
		yusuf := w.person(t, "yusuf@kemlu.example", "Yusuf", "kemlu", core.RoleMember)

		// A follower whose server refuses everything.
		down := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			http.Error(rw, "maintenance", http.StatusServiceUnavailable)
		}))
		t.Cleanup(down.Close)
		nrFollower(t, w, acc, down.URL+"/users/ana", down.URL+"/inbox")

		r := bima.multipart(t, "/newsroom", url.Values{"account": {acc.ID}, "content_en": {"Statement on the ASEAN cyber norms. #ASEAN"}, "content_id": {"Pernyataan tentang norma siber ASEAN. #ASEAN"}}, nil)
		nrWant(t, "drafting", r, http.StatusSeeOther)
		path := r.Header.Get("Location")
		group := strings.TrimPrefix(path, "/newsroom/")
		nrWant(t, "a member submits", yusuf.post(t, path+"/submit", nil), http.StatusForbidden)
		nrWant(t, "submitting", bima.post(t, path+"/submit", nil), http.StatusSeeOther)

		page := bima.get(t, path, "")
		nrWantIn(t, "the writer's page", page.Body, "You wrote this message: someone else approves it.")
		if strings.Contains(page.Body, `action="`+path+`/approve"`) {
			t.Errorf("the writer is offered approval")
		}
		r = bima.post(t, path+"/approve", nil)
		nrWant(t, "the writer approves", r, http.StatusForbidden)
		nrWantIn(t, "the refusal", r.Body, "A post is approved by a second person: you wrote this one.")
		if msg, _ := w.svc.Group(bima.ctx, group); msg[0].State != PostReview {
			t.Fatalf("state after the writer's approval: %s", msg[0].State)
		}

		page = sari.get(t, path, "")
		nrWantIn(t, "the approver's page", page.Body, `action="`+path+`/approve"`, "It goes out as soon as you approve it.", "Return to the writer")
		nrWant(t, "the second person approves", sari.post(t, path+"/approve", nil), http.StatusSeeOther)
		if n, err := w.svc.PublishDue(context.Background()); err != nil || n != 2 {
			t.Fatalf("published %d (%v)", n, err)
		}
		if err := w.svc.DeliverNow(context.Background()); err != nil {
			t.Fatal(err)
		}
		page = sari.get(t, path, "")
		nrWant(t, "the published message", page, http.StatusOK)
		host := strings.TrimPrefix(down.URL, "http://")
		nrWantIn(t, "the published message", page.Body, "Published", "Delivered: 0 · Waiting: 1 · Failed: 0", host, "503", "Boosts: 0 · Likes: 0 · Replies: 0",
			w.url+"/social/kemlu/", "Correct the published text", "If the correction concerns the message&#39;s other languages, correct them too:")
		if strings.Contains(yusuf.get(t, path, "").Body, "Correct the published text") {
			t.Errorf("a member is offered to correct a published text")
		}

		// A correction of the English text, by an approver.
		msg, _ := w.svc.Group(sari.ctx, group)
		r = sari.post(t, path+"/correct", url.Values{"post": {msg[0].ID}, "version": {strconv.Itoa(msg[0].Version)}, "content": {""}})
		nrWant(t, "an empty correction", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the correction again", r.Body, `href="#content">Text: This is required.`)
		nrWant(t, "a correction", sari.post(t, path+"/correct", url.Values{"post": {msg[0].ID}, "version": {strconv.Itoa(msg[0].Version)}, "content": {"Statement on the ASEAN cyber norms, corrected."}}), http.StatusSeeOther)
		// It waits for a second person: the text is unchanged until Bima
		// approves it, and Sari, who proposed it, may not.
		page = sari.get(t, path, "")
		nrWantIn(t, "the correction waiting", page.Body, "A correction by Sari", "you proposed this one", "Statement on the ASEAN cyber norms, corrected.")
		if p, _ := w.svc.Post(sari.ctx, msg[0].ID); p.Content == "Statement on the ASEAN cyber norms, corrected." || p.EditedAt != nil {
			t.Errorf("corrected before its approval: %+v", p)
		}
		cur, _ := w.svc.Post(sari.ctx, msg[0].ID)
		nrWant(t, "the correction's author approves it", sari.post(t, path+"/correction/approve", url.Values{"post": {cur.ID}, "version": {strconv.Itoa(cur.Version)}}), http.StatusForbidden)
		nrWant(t, "a second person approves the correction", bima.post(t, path+"/correction/approve", url.Values{"post": {cur.ID}, "version": {strconv.Itoa(cur.Version)}}), http.StatusSeeOther)
		if p, _ := w.svc.Post(sari.ctx, msg[0].ID); p.Content != "Statement on the ASEAN cyber norms, corrected." || p.EditedAt == nil {
			t.Errorf("corrected: %+v", p)
		}

		// The newsroom lists it, and its calendar shows it today.
		list := bima.get(t, "/newsroom", "")
		nrWant(t, "the newsroom", list, http.StatusOK)
		nrWantIn(t, "the newsroom", list.Body, "Published lately", `href="`+path+`"`, "This week", "Each message is shown in the time zone it was planned in")
		month := bima.get(t, "/newsroom/calendar?month="+w.clock.Now().UTC().Format("2006-01"), "")
		nrWant(t, "the month", month, http.StatusOK)
		day := regexp.MustCompile(`<td class="[^"]*today[^"]*"[^>]*>[\s\S]*?</td>`).FindString(month.Body)
		if !strings.Contains(day, path) {
			t.Errorf("today's cell lacks the message: %q", day)
		}
	})
}

// nrFollower makes a remote actor follow an account.
func nrFollower(t testing.TB, w *nrWorld, acc Account, actor, inbox string) {
	t.Helper()
	u, _ := url.Parse(actor)
	err := w.svc.db.WithTx(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO pd_actors (uri, host, username, inbox, fetched_at) VALUES (?, ?, ?, ?, ?)`, actor, u.Host, "ana", inbox, tx.Now); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO pd_followers (account_id, actor, host, follow_id, state, created_at) VALUES (?, ?, ?, ?, 'accepted', ?)`,
			acc.ID, actor, u.Host, actor+"#follow", tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

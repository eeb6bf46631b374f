package publicdiplomacy

import (
	"net/url"
	"testing"
	"time"
)

// FuzzNewsroomForm feeds the newsroom's form parser whatever a browser
// (or anyone) may post: it never panics, every problem it or the service
// finds is named by a field the form has, so the summary links somewhere,
// and a time is kept only when it is one.
func FuzzNewsroomForm(f *testing.F) {
	for _, seed := range []string{
		"account=a&content_en=Hello+%23cyber&content_id=Halo",
		"content_3=Selamat&lang_3=ms&warning_3=x",
		"lang_3=id&content_3=dua&content_id=satu",
		"scheduled_at=2030-01-31T14%3A00&content_en=x",
		"scheduled_at=2030-01-31T14%3A00%3A05&content_en=x",
		"scheduled_at=31%2F01%2F2030&content_en=x",
		"content_en=%00&warning_en=%ff",
		"visibility=direct&content_en=@ana@social.example",
		"lang_3=xx&content_3=y",
	} {
		f.Add(seed)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	fields := map[string]bool{"account": true, "visibility": true, "scheduled_at": true, "case": true, "lang_3": true, "image": true}
	for _, p := range []string{"content", "warning", "alt"} {
		for _, s := range []string{"_en", "_id", "_3"} {
			fields[p+s] = true
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		d, p := parseDraft(v, now)
		if d.ScheduledAt != nil && p["scheduled_at"] == "" && d.ScheduledAt.Before(now.Add(-time.Minute)) {
			t.Fatalf("a past time kept without a problem: %v", d.ScheduledAt)
		}
		for k, msg := range d.validate() {
			p.Add(k, msg)
		}
		img := &Image{Data: []byte(body), Alt: map[string]string{}}
		img.validate([]string{"en", "id"}, p)
		for k := range onForm(p, v) {
			if !fields[k] && v[k] == nil {
				t.Fatalf("problem on %q, a field the form does not have (%s)", k, body)
			}
		}
	})
}

package publicdiplomacy

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// The newsroom's form: one account, a visibility and a time, then one text
// per language — English, Bahasa Indonesia and a third chosen by the
// writer (the host country's) — each with its content warning, and an
// image described in each language. The third language's fields are
// named _3 whatever the language, so that the form stays the same when
// the choice changes; the service's problems, named by language, are
// moved onto them.

// scheduleLayout is what an <input type="datetime-local"> sends: a time
// without a zone, read in the zone chosen beside it (time_zone).
const scheduleLayout = "2006-01-02T15:04"

// fixedLangs are the languages the form always offers, in their order.
var fixedLangs = []string{"en", "id"}

// ThirdLanguages are the languages offered for the third text.
func ThirdLanguages() []string {
	var out []string
	for _, l := range Languages {
		if !slices.Contains(fixedLangs, l) {
			out = append(out, l)
		}
	}
	return out
}

// formLangs are the languages of the form's texts: the fixed ones and the
// third if chosen.
func formLangs(v url.Values) []string {
	langs := slices.Clone(fixedLangs)
	if l := v.Get("lang_3"); l != "" {
		langs = append(langs, l)
	}
	return langs
}

// fieldOf is the form field that holds a language's text (or warning,
// or alt text): suffix _en, _id, or _3 for the third language.
func fieldOf(prefix, lang string, v url.Values) string {
	if slices.Contains(fixedLangs, lang) {
		return prefix + "_" + lang
	}
	if lang == v.Get("lang_3") {
		return prefix + "_3"
	}
	return prefix + "_" + lang
}

// parseDraft reads a draft from the form. Problems of the form's own
// shape (a time that is not one, or past; text the store would refuse)
// come back by field; the rest is the service's to judge.
func parseDraft(v url.Values, now time.Time) (Draft, core.Problems) {
	p := core.Problems{}
	for k, vs := range v {
		for _, x := range vs {
			if msg := core.CheckText(x); msg != "" {
				p.Add(k, msg)
			}
		}
	}
	d := Draft{AccountID: v.Get("account"), Visibility: v.Get("visibility"), CaseID: strings.TrimSpace(v.Get("case")), TimeZone: v.Get("time_zone")}
	if d.TimeZone != "" && !ValidTimeZone(d.TimeZone) {
		p.Add("time_zone", "err.pd_time_zone")
	}
	d.ScheduledAt = parseScheduleIn(v.Get("scheduled_at"), d.TimeZone, now, "scheduled_at", p)
	third := v.Get("lang_3")
	if third == "" && strings.TrimSpace(v.Get("content_3")+v.Get("warning_3")) != "" {
		p.Add("lang_3", "err.required")
	}
	for i, l := range formLangs(v) {
		suffix := "_" + l
		if i >= len(fixedLangs) {
			suffix = "_3"
		}
		t := Translation{Language: l, Content: v.Get("content" + suffix), Warning: v.Get("warning" + suffix)}
		if strings.TrimSpace(t.Content+t.Warning) == "" {
			continue
		}
		d.Translations = append(d.Translations, t)
	}
	// Nothing written: the first language is the one said to be missing.
	if len(d.Translations) == 0 {
		d.Translations = []Translation{{Language: fixedLangs[0]}}
	}
	return d, p
}

// parseScheduleLoc reads a time from the form in loc; empty is none. A
// time already past is refused: a post cannot go out before it is
// written.
func parseScheduleLoc(s string, loc *time.Location, now time.Time, field string, p core.Problems) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	t, err := time.ParseInLocation(scheduleLayout, s, loc)
	if err != nil {
		// Some browsers send seconds.
		t, err = time.ParseInLocation(scheduleLayout+":05", s, loc)
	}
	if err != nil {
		p.Add(field, "err.pd_datetime")
		return nil
	}
	if t.Before(now.Add(-time.Minute)) {
		p.Add(field, "err.pd_schedule_past")
	}
	return &t
}

// draftValues writes a message into the form's values, for its edit form.
func draftValues(msg Message) url.Values {
	v := url.Values{}
	lead := msg.Lead()
	v.Set("account", lead.AccountID)
	v.Set("visibility", lead.Visibility)
	v.Set("case", lead.CaseID)
	v.Set("version", strconv.Itoa(lead.Version))
	v.Set("time_zone", lead.TimeZone)
	if lead.TimeZone == "" {
		v.Set("time_zone", "UTC")
	}
	if lead.ScheduledAt != nil {
		v.Set("scheduled_at", lead.ScheduledAt.In(zoneLoc(lead.TimeZone)).Format(scheduleLayout))
	}
	for _, p := range msg.Posts {
		if !slices.Contains(fixedLangs, p.Language) && v.Get("lang_3") == "" {
			v.Set("lang_3", p.Language)
		}
	}
	for _, p := range msg.Posts {
		v.Set(fieldOf("content", p.Language, v), p.Content)
		v.Set(fieldOf("warning", p.Language, v), p.Warning)
	}
	return v
}

// onForm moves the service's problems, named by language, onto the
// form's fields.
func onForm(p core.Problems, v url.Values) core.Problems {
	out := core.Problems{}
	third := v.Get("lang_3")
	for k, msg := range p {
		switch {
		case k == "language":
			k = "lang_3"
		case third != "" && (k == "content_"+third || k == "warning_"+third || k == "alt_"+third):
			k = k[:strings.LastIndexByte(k, '_')] + "_3"
		}
		out.Add(k, msg)
	}
	return out
}

// readImage reads the image and its alt texts from a multipart form; nil
// when the form carries no file. It reads one byte more than allowed, so
// that the service can say the image is too large.
func readImage(r *http.Request) (*Image, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, nil
	}
	if err := r.ParseMultipartForm(2 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &core.Error{Kind: core.KindTooLarge, Message: "err.too_large", Err: err}
		}
		return nil, &core.Error{Kind: core.KindInvalid, Message: "err.form_body", Err: err}
	}
	fhs := r.MultipartForm.File["image"]
	if len(fhs) == 0 || (fhs[0].Size == 0 && fhs[0].Filename == "") {
		return nil, nil
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImage+1))
	if err != nil {
		return nil, err
	}
	img := &Image{Data: data, Alt: map[string]string{}}
	for i, l := range formLangs(r.PostForm) {
		if i < len(fixedLangs) {
			img.Alt[l] = r.PostForm.Get("alt_" + l)
		} else if _, dup := img.Alt[l]; !dup {
			img.Alt[l] = r.PostForm.Get("alt_3")
		}
	}
	return img, nil
}

// draftFormView is the newsroom's form, new or edit.
type draftFormView struct {
	web.Page
	Form     web.Form
	Edit     *Message
	Accounts []Account
	// ImageLost says that the form came back after a file was chosen:
	// browsers never keep a file input, so it must be chosen again.
	ImageLost bool
	Third     []string
	Host      string
	Zones     []ZoneChoice
	Case      *answeredCase // the case the message answers, if any
}

// LangName names a language in the page's language.
func (v draftFormView) LangName(code string) string { return langName(code, v.Lang) }

// Field is the form field of a language's text: content_en, alt_3…
func (v draftFormView) Field(prefix, lang string) string { return fieldOf(prefix, lang, v.Form.Values) }

// Count is a text's length as the fediverse counts it, and the limit.
func (v draftFormView) Count(lang string) int {
	return len([]rune(v.Form.Get(v.Field("content", lang)))) + len([]rune(v.Form.Get(v.Field("warning", lang))))
}

// Max is the length a post may have.
func (v draftFormView) Max() int { return MaxPost }

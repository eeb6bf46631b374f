package main

import (
	"net/url"
	"strings"
	"testing"
)

// TestCybercrimeInstrumentDates: the instruments' pages give their days
// as days in the reader's language — in force since, signed, bound, a
// reservation's span, the day in a refusal's reason — and the day asked
// about stays ISO in its date input.
func TestCybercrimeInstrumentDates(t *testing.T) {
	w := newCybWorld(t, "")
	ask := "/cybercrime/instruments?" + url.Values{"from": {"PH"}, "to": {"JP"}, "kind": {"preservation"}, "on": {"2018-06-15"}}.Encode()
	for _, c := range []struct {
		lang string
		list []string
		one  []string
	}{
		{"en", []string{"since 1 July 2004", "is bound by the Budapest Convention on Cybercrime only from 1 July 2018"},
			[]string{"since 1 July 2004", "<td>1 July 2004</td>", "since 1 December 2013 · until 5 July 2019"}},
		{"id", []string{"sejak 1 Juli 2004", "sejak 1 Juli 2018"},
			[]string{"sejak 1 Juli 2004", "<td>1 Juli 2004</td>", "sejak 1 Desember 2013 · sampai 5 Juli 2019"}},
	} {
		wantStatus(t, w.inv.post("/lang", url.Values{"lang": {c.lang}, "next": {"/"}}), 303)
		r := w.inv.get(ask)
		wantStatus(t, r, 200)
		wantContains(t, r, append(c.list, `type="date" name="on" value="2018-06-15"`)...)
		one := w.inv.get("/cybercrime/instruments/budapest")
		wantStatus(t, one, 200)
		wantContains(t, one, c.one...)
		for _, iso := range []string{"2004-07-01<", "2018-07-01<", " 2004-07-01", " 2018-07-01", " 2013-12-01"} {
			if strings.Contains(r.Body, iso) || strings.Contains(one.Body, iso) {
				t.Errorf("%s: an ISO day %q on the instruments' pages", c.lang, iso)
			}
		}
	}
}

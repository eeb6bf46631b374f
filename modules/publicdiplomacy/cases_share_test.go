package publicdiplomacy_test

import (
	"strings"
	"testing"

	"entente.example/entente/internal/store/storetest"
)

// TestFactcheckSharingPreview gives a published case's page the head a
// messenger draws its preview from: the verdict and what the case found as
// the description, in the case's language, and its canonical address.
func TestFactcheckSharingPreview(t *testing.T) {
	w := newCaseWorld(t, storetest.Engines(t)[0])
	c := w.published(t, w.vaccineCase())
	res, body := get(t, w.URL+"/factchecks/"+c.ID)
	head, _, _ := strings.Cut(string(body), "</head>")
	u := w.URL + "/factchecks/" + c.ID
	for _, want := range []string{
		`<meta name="description" content="False: Posts claimed that vaccine doses donated to Indonesia contain microchips that let a foreign government track the people who receive them.">`,
		`<link rel="canonical" href="` + u + `">`,
		`<meta property="og:type" content="article">`,
		`<meta property="og:title" content="Vaccines sent to Indonesia carry tracking chips">`,
		`<meta property="og:url" content="` + u + `">`,
		`<meta property="og:locale" content="en_US">`,
		`<script type="application/ld+json">`,
	} {
		if !strings.Contains(head, want) {
			t.Errorf("the case's head (%d) lacks %s\n%s", res.StatusCode, want, head)
		}
	}
	if strings.Contains(head, "application/activity+json") || strings.Contains(head, "og:image") {
		t.Errorf("the case's head links what it has not:\n%s", head)
	}
}

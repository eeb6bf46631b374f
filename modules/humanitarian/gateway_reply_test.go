package humanitarian

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/humanitarian/inbound"
)

// TestSMSRepliesFitGSM7WithHotlines runs the demo's information (PMI's
// hours written "07.00–22.00", an en dash) through the SMSSync hook: every
// reply travels as GSM-7 in at most three SMS and gives a hotline number;
// a receipt quotes the report's short reference; a message delivered
// twice is answered once.
func TestSMSRepliesFitGSM7WithHotlines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w, m := newSite(t, eng)
		e := mustEmergency(t, w)
		coord := web.WithLang(as("bnpb", core.RoleOfficer), "en")
		if err := w.svc.DemoInfo(coord, e); err != nil {
			t.Fatal(err)
		}
		// The emergency's number written as people write it: offered once.
		g, err := w.svc.CreateGateway(coord, e, Gateway{Kind: GatewaySMSSync, Address: "0811-4500-112"})
		if err != nil {
			t.Fatal(err)
		}
		if in, err := w.svc.Info(coord, e); err != nil || len(in.Report.SMS) != 1 {
			t.Fatalf("SMS numbers offered: %v %v", in.Report.SMS, err)
		}
		send := func(text, id string) {
			t.Helper()
			v := url.Values{"secret": {g.Secret}, "from": {"081277778888"}, "message": {text}, "message_id": {id}, "sent_timestamp": {"1764579600000"}}
			r := httptest.NewRequest("POST", "/x", strings.NewReader(v.Encode()))
			r.Header.Set("Content-Type", formCT)
			if rec := serve(t, m.smsHook, anonymous("192.0.2.7"), r, "gw", g.ID); rec.Code != 200 {
				t.Fatalf("%q: %d %s", text, rec.Code, rec.Body)
			}
		}
		taken := func() []OutSMS {
			t.Helper()
			list, err := w.svc.TakeSMS(coord, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		for _, q := range []string{"INFO POSKO Palu", "INFO", "INFO SHELTER Sigi"} {
			send(q, "q-"+q)
			list := taken()
			if len(list) != 1 {
				t.Fatalf("%q: %d replies", q, len(list))
			}
			reply := list[0].Message
			seg := inbound.SplitSMS(reply)
			if seg.Encoding != inbound.EncodingGSM7 || seg.Count() > smsReplyParts || !strings.Contains(reply, "117") {
				t.Errorf("%q: %s, %d SMS, no hotline? %q", q, seg.Encoding, seg.Count(), reply)
			}
		}
		send("LAPOR jembatan putus di Palu Barat", "r-1")
		send("LAPOR jembatan putus di Palu Barat", "r-1")
		list := taken()
		if len(list) != 1 {
			t.Fatalf("a message delivered twice queued %d replies", len(list))
		}
		reps, err := w.svc.Reports(coord, e, ReportFilter{Limit: 10})
		if err != nil || len(reps) != 1 {
			t.Fatalf("reports: %d %v", len(reps), err)
		}
		ref := reps[0].Ref()
		if len(ref) != refLen || ref != strings.ToUpper(reps[0].ID[len(reps[0].ID)-refLen:]) {
			t.Fatalf("reference %q of %s", ref, reps[0].ID)
		}
		if msg := list[0].Message; !strings.Contains(msg, " "+ref+".") || strings.Contains(msg, reps[0].ID) {
			t.Errorf("receipt: %q", msg)
		}
		// The text version is the SMS one.
		rec := serve(t, m.infoText, anonymous("192.0.2.8"), httptest.NewRequest("GET", "/x", nil), "id", e.ID)
		if txt := strings.TrimSpace(rec.Body.String()); !inbound.IsGSM7(txt) || inbound.SplitSMS(txt).Count() > smsReplyParts || !strings.Contains(txt, "117") {
			t.Errorf("info.txt: %q", txt)
		}
		// The gateways page gives the hooks' full URLs even when the node's
		// address is not configured.
		page := serve(t, m.gatewaysPage, coord, httptest.NewRequest("GET", "http://palu.node.test/x", nil), "id", e.ID).Body.String()
		if !strings.Contains(page, "http://palu.node.test/hooks/humanitarian/sms/"+g.ID) {
			t.Errorf("gateways page lacks the hook's URL")
		}
	})
}

// TestFitReplyKeepsHotlines checks the cut: the shelters give way, the
// phone numbers stay.
func TestFitReplyKeepsHotlines(t *testing.T) {
	head := "Posko buka: " + strings.Repeat("Posko dengan nama yang sangat panjang sekali; ", 20)
	keep := "Telepon: BNPB 117 (24 jam); PMI Kota Palu +62 451 421 000 (07.00–22.00 WITA)."
	got := fitReply(head, keep)
	if !strings.HasPrefix(got, "Posko buka: Posko") || !strings.HasSuffix(got, "... Telepon: BNPB 117 (24 jam); PMI Kota Palu +62 451 421 000 (07.00-22.00 WITA).") {
		t.Errorf("cut: %q", got)
	}
	if seg := inbound.SplitSMS(got); seg.Encoding != inbound.EncodingGSM7 || seg.Count() != smsReplyParts {
		t.Errorf("%s in %d SMS", seg.Encoding, seg.Count())
	}
	if got := fitReply("Short.", keep); got != "Short. Telepon: BNPB 117 (24 jam); PMI Kota Palu +62 451 421 000 (07.00-22.00 WITA)." {
		t.Errorf("no cut: %q", got)
	}
	if got := fitReply("", strings.Repeat("Telepon 117; ", 60)); inbound.SplitSMS(got).Count() > smsReplyParts || !strings.HasPrefix(got, "Telepon 117") {
		t.Errorf("keep alone too long: %q", got)
	}
}

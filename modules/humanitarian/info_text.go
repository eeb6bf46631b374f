package humanitarian

import (
	"strconv"
	"strings"

	"entente.example/entente/modules/humanitarian/inbound"
)

// translate translates a message key into one language.
type translate func(key string, args ...any) string

// shelterLine is a shelter in a few words: its name, where and its state.
func shelterLine(sh Shelter, g *Gazetteer, t translate) string {
	var b strings.Builder
	b.WriteString(sh.Name)
	where := sh.Place
	if p, ok := g.Get(sh.PCode); ok {
		where = strings.TrimSpace(strings.TrimPrefix(where+", "+p.Name, ", "))
	}
	if where != "" {
		b.WriteString(" (" + where + ")")
	}
	if sh.Status != ShelterOpen {
		b.WriteString(" " + t("hum.info.status."+sh.Status))
	}
	return b.String()
}

func hotlineLine(h Hotline) string {
	s := h.Name + " " + h.Number
	if h.Hours != "" {
		s += " (" + h.Hours + ")"
	}
	return s
}

// SMSInfo is the emergency's information as one short text in a language:
// open shelters, then the hotlines and how to report, which are never cut
// away however many shelters there are, all fitted to three SMS.
func SMSInfo(in Info, g *Gazetteer, t translate) string {
	head := []string{in.Emergency.Title + "."}
	var open []string
	for _, sh := range in.Shelters {
		if sh.Status == ShelterOpen && len(open) < 3 {
			open = append(open, shelterLine(sh, g, t))
		}
	}
	if len(open) > 0 {
		head = append(head, t("hum.info.sms_shelters", strings.Join(open, "; ")))
	}
	var keep []string
	if hl := smsHotlines(in.Hotlines, t); hl != "" {
		keep = append(keep, hl)
	}
	if len(in.Report.SMS) > 0 {
		keep = append(keep, t("hum.info.sms_report", in.Report.SMS[0]))
	}
	return fitReply(strings.Join(head, " "), strings.Join(keep, " "))
}

// smsHotlines is the hotlines in one sentence, "" when there are none.
func smsHotlines(list []Hotline, t translate) string {
	var lines []string
	for _, h := range list {
		lines = append(lines, hotlineLine(h))
	}
	if len(lines) == 0 {
		return ""
	}
	return t("hum.info.sms_hotlines", strings.Join(lines, "; "))
}

// fitReply is the text an SMS reply sends: head then keep, in GSM-7 where
// typography alone kept it out (an en dash in a hotline's hours would make
// the reply UCS-2, with 67 characters a part instead of 153), and cut to
// smsReplyParts. The cut takes words off the end of head, so what keep
// says (the phone numbers first) reaches the person; only when keep alone
// is too long is it cut, from its end.
func fitReply(head, keep string) string {
	head, keep = inbound.ToGSM7(strings.TrimSpace(head)), inbound.ToGSM7(strings.TrimSpace(keep))
	join := func(h string) string { return strings.TrimSpace(h + " " + keep) }
	if full := join(head); inbound.SplitSMS(full).Count() <= smsReplyParts {
		return full
	}
	if keep == "" {
		text, _ := inbound.FitSMS(head, smsReplyParts)
		return text
	}
	if inbound.SplitSMS(keep).Count() > smsReplyParts {
		text, _ := inbound.FitSMS(keep, smsReplyParts)
		return text
	}
	// The most words of head that leave room for keep.
	words := strings.Fields(head)
	cut := func(n int) string { return join(strings.Join(words[:n], " ") + "...") }
	lo, hi := 0, len(words) // cut(lo) fits or lo is 0; cut(hi) does not
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if inbound.SplitSMS(cut(mid)).Count() <= smsReplyParts {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return keep
	}
	return cut(lo)
}

// SMSReply is the answer to a person's SMS in their language, fitted to
// three SMS; "" when nothing should be sent. A receipt names the report by
// its short reference, which a person can read out on the phone.
func SMSReply(o SMSOutcome, g *Gazetteer, t translate) string {
	switch {
	case o.Throttled:
		return ""
	case o.Report != nil:
		return fitReply(t("hum.gw.reply_report", o.Report.Ref()), "")
	case o.Closed:
		return fitReply(t("hum.gw.reply_closed"), "")
	case o.Invalid:
		return fitReply(t("hum.gw.reply_invalid"), "")
	case o.Command.Kind == inbound.CommandInfoShelter:
		var lines []string
		for i, sh := range o.Shelters {
			lines = append(lines, strconv.Itoa(i+1)+". "+shelterLine(sh.Shelter, g, t)+" "+strconv.FormatFloat(sh.Km, 'f', 1, 64)+" km")
		}
		var text string
		switch {
		case len(lines) == 0:
			text = t("hum.gw.reply_no_shelter")
		case o.Near != "":
			text = t("hum.gw.reply_shelters_near", o.Near) + " " + strings.Join(lines, " ") + "."
		default:
			text = t("hum.gw.reply_shelters") + " " + strings.Join(lines, " ") + "."
		}
		return fitReply(text, smsHotlines(o.Info.Hotlines, t))
	default:
		return SMSInfo(o.Info, g, t)
	}
}

// PlainInfo is the emergency's information as plain text for printing or
// a slow connection: everything, in one language, with the advice in each
// of the emergency's languages (langs, named by w).
func PlainInfo(in Info, g *Gazetteer, langs []string, w Words, t translate) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(in.Emergency.Title)
	line(strings.Repeat("=", len([]rune(in.Emergency.Title))))
	line("")
	line(t("hum.info.shelters"))
	if len(in.Shelters) == 0 {
		line("  " + t("hum.info.no_shelters"))
	}
	for _, sh := range in.Shelters {
		s := "- " + shelterLine(sh, g, t)
		if sh.Status == ShelterOpen {
			s += " " + t("hum.info.status.open")
		}
		if sh.Capacity > 0 {
			s += ", " + t("hum.info.capacity_n", sh.Capacity)
		}
		line(s)
		if sh.Facilities != "" {
			line("  " + sh.Facilities)
		}
	}
	line("")
	line(t("hum.info.hotlines"))
	for _, h := range in.Hotlines {
		line("- " + hotlineLine(h))
	}
	for _, l := range langs {
		if a := in.Advice[l]; a != "" {
			line("")
			line(t("hum.info.advice") + " (" + w.Languages([]string{l}) + ")")
			line(a)
		}
	}
	line("")
	line(t("hum.info.how_to_report"))
	line("- " + t("hum.info.report_web", in.Report.Form))
	for _, n := range in.Report.SMS {
		line("- " + t("hum.info.sms_report", n))
	}
	for _, a := range in.Report.Email {
		line("- " + t("hum.info.report_email", a))
	}
	return b.String()
}

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
// open shelters, hotlines and how to report, cut to fit three SMS.
func SMSInfo(in Info, g *Gazetteer, t translate) string {
	var parts []string
	parts = append(parts, in.Emergency.Title+".")
	var open []string
	for _, sh := range in.Shelters {
		if sh.Status == ShelterOpen && len(open) < 3 {
			open = append(open, shelterLine(sh, g, t))
		}
	}
	if len(open) > 0 {
		parts = append(parts, t("hum.info.sms_shelters", strings.Join(open, "; ")))
	}
	var lines []string
	for _, h := range in.Hotlines {
		lines = append(lines, hotlineLine(h))
	}
	if len(lines) > 0 {
		parts = append(parts, t("hum.info.sms_hotlines", strings.Join(lines, "; ")))
	}
	if len(in.Report.SMS) > 0 {
		parts = append(parts, t("hum.info.sms_report", in.Report.SMS[0]))
	}
	text, _ := inbound.FitSMS(strings.Join(parts, " "), smsReplyParts)
	return text
}

// SMSReply is the answer to a person's SMS in their language, cut to fit
// three SMS; "" when nothing should be sent.
func SMSReply(o SMSOutcome, g *Gazetteer, t translate) string {
	var text string
	switch {
	case o.Throttled:
		return ""
	case o.Report != nil:
		text = t("hum.gw.reply_report", o.Report.ID)
	case o.Closed:
		text = t("hum.gw.reply_closed")
	case o.Invalid:
		text = t("hum.gw.reply_invalid")
	case o.Command.Kind == inbound.CommandInfoShelter:
		var lines []string
		for i, sh := range o.Shelters {
			lines = append(lines, strconv.Itoa(i+1)+". "+shelterLine(sh.Shelter, g, t)+" "+strconv.FormatFloat(sh.Km, 'f', 1, 64)+" km")
		}
		switch {
		case len(lines) == 0:
			text = t("hum.gw.reply_no_shelter")
		case o.Near != "":
			text = t("hum.gw.reply_shelters_near", o.Near) + " " + strings.Join(lines, " ")
		default:
			text = t("hum.gw.reply_shelters") + " " + strings.Join(lines, " ")
		}
		var hl []string
		for _, h := range o.Info.Hotlines {
			hl = append(hl, hotlineLine(h))
		}
		if len(hl) > 0 {
			text += " " + t("hum.info.sms_hotlines", strings.Join(hl, "; "))
		}
	default:
		return SMSInfo(o.Info, g, t)
	}
	text, _ = inbound.FitSMS(text, smsReplyParts)
	return text
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

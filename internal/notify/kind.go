package notify

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Kind is one kind of notification e-mail, declared once: its name gives the
// message keys mail.<Name>.subject and mail.<Name>.body, and Params are the
// named placeholders ({title}, {deadline}…) its messages may use, besides
// {link}, which every body carries. Subject and body take their values by
// name, so a translation may use any of them, in any order, or leave one out
// of the subject; what it may not do is ask for a value nobody passes.
type Kind struct {
	Name   string
	Params []string
	// Lines are the parameters whose line breaks the body keeps (a list
	// of quotes); each line is still one line, and a subject may not use
	// them.
	Lines []string
}

// SubjectKey is the message key of the kind's subject.
func (k Kind) SubjectKey() string { return "mail." + k.Name + ".subject" }

// BodyKey is the message key of the kind's body.
func (k Kind) BodyKey() string { return "mail." + k.Name + ".body" }

// Args are the values of a notification's parameters, by name. A value
// that has a form in each language (a network's name) may also be given as
// name@lang, such as "network@id"; the recipient's language picks it, and
// the plain name is the fallback.
type Args map[string]string

// The kinds of notification e-mail. Every one is listed in Kinds, which the
// start-up check and the rendering test walk.
var (
	// Correspondence.
	MessageArrived     = Kind{Name: "arrived", Params: []string{"from", "subject"}}
	MessageUndelivered = Kind{Name: "undelivered", Params: []string{"to", "subject"}}
	AckOverdueOut      = Kind{Name: "overdue_out", Params: []string{"to", "subject"}}
	AckOverdueIn       = Kind{Name: "overdue_in", Params: []string{"from", "subject"}}
	// Directory: accounts, networks, communication checks and requests.
	Invite         = Kind{Name: "invite", Params: []string{"name", "inviter", "org"}}
	Nomination     = Kind{Name: "nomination", Params: []string{"network", "member"}}
	Ping           = Kind{Name: "ping", Params: []string{"network", "deadline"}}
	PingRemind     = Kind{Name: "ping_remind", Params: []string{"name", "network", "deadline"}}
	RequestArrived = Kind{Name: "request", Params: []string{"from", "subject"}}
	RequestUpdate  = Kind{Name: "request_update", Params: []string{"subject", "by"}}
	RequestDue     = Kind{Name: "request_due", Params: []string{"subject", "deadline"}}
	RequestOverdue = Kind{Name: "request_overdue", Params: []string{"subject"}}
	// Norms.
	ReportReview = Kind{Name: "report_review", Params: []string{"title", "by"}}
	// Negotiation.
	Amendment     = Kind{Name: "amendment", Params: []string{"process", "text", "by"}}
	Objection     = Kind{Name: "objection", Params: []string{"process", "text", "by", "reason"}}
	SilenceOpen   = Kind{Name: "silence", Params: []string{"process", "text", "deadline"}}
	SilenceEnding = Kind{Name: "silence_ending", Params: []string{"process", "text", "deadline"}}
	// Cybercrime cooperation. E-mails name the kind of request and the
	// other side, never its content: the facts of an investigation stay
	// on the node.
	CybApproval      = Kind{Name: "cyb_approval", Params: []string{"kind", "by"}}
	CybArrived       = Kind{Name: "cyb_arrived", Params: []string{"kind", "from"}}
	CybUpdate        = Kind{Name: "cyb_update", Params: []string{"kind", "by", "state"}}
	CybOverdue       = Kind{Name: "cyb_overdue", Params: []string{"kind", "other", "deadline"}}
	CybPreservation  = Kind{Name: "cyb_preservation_ending", Params: []string{"kind", "other", "deadline"}}
	CybPreservedOver = Kind{Name: "cyb_preservation_over", Params: []string{"kind", "other"}}
	// Joint attribution statements: an invitation to co-sign, and an
	// invited state's answer (signed, declined, withdrawn).
	StatementInvited  = Kind{Name: "stmt_invited", Params: []string{"from", "title"}}
	StatementAnswered = Kind{Name: "stmt_answered", Params: []string{"by", "title"}}
	// Incidents: a peer's incident shared with the reader's organisation,
	// by its name and label when the label allows e-mail, or only that
	// one arrived (TLP:RED, TLP:AMBER+STRICT).
	IncidentShared      = Kind{Name: "inc_shared", Params: []string{"from", "name", "tlp"}}
	IncidentSharedQuiet = Kind{Name: "inc_shared_quiet"}
	// Public diplomacy: a direct message to one of the organisation's
	// fediverse accounts (someone wrote and waits); a post waiting for a
	// second person's approval.
	PDDirect = Kind{Name: "pd_direct", Params: []string{"account", "from", "text"}}
	PDReview = Kind{Name: "pd_review", Params: []string{"account", "by", "text"}}
	// A disinformation case waiting for a second person to publish it.
	PDCaseReview = Kind{Name: "pd_case_review", Params: []string{"title", "by"}}
	// Media monitoring's daily digest: how many monitored items matched
	// the organisation's keywords since the last one, which keywords, and
	// the first titles.
	PDFeedDigest = Kind{Name: "pd_feed_digest", Params: []string{"org", "count", "keywords", "titles"}}
	// Events: an invitation (with the calendar file), a change of time,
	// place or status, a cancellation, a registration's confirmation, a
	// place on the waiting list, a place given from it, and the reminder
	// a day before. {when} is the start in the event's own zone.
	EventInvited    = Kind{Name: "ev_invite", Params: []string{"org", "title", "when"}}
	EventUpdated    = Kind{Name: "ev_update", Params: []string{"title", "when"}}
	EventCancelled  = Kind{Name: "ev_cancel", Params: []string{"title", "reason"}}
	EventRegistered = Kind{Name: "ev_registered", Params: []string{"title", "when"}}
	EventWaitlisted = Kind{Name: "ev_waitlisted", Params: []string{"title", "position"}}
	EventPromoted   = Kind{Name: "ev_promoted", Params: []string{"title", "when"}}
	EventReminder   = Kind{Name: "ev_reminder", Params: []string{"title", "when", "place"}}
	// Expert dialogues: an organisation invited; a contribution held for
	// the moderators; the rapporteur's summary published; a digest of new
	// contributions, which never names who wrote them under the Chatham
	// House Rule and carries no text off the record.
	DialogueInvite  = Kind{Name: "dlg_invite", Params: []string{"dialogue"}}
	DialogueHeld    = Kind{Name: "dlg_held", Params: []string{"dialogue"}}
	DialogueSummary = Kind{Name: "dlg_summary", Params: []string{"dialogue"}}
	DialogueDigest  = Kind{Name: "dlg_digest", Params: []string{"dialogue", "count", "items"}, Lines: []string{"items"}}
	// Capacity building's Clearing House: an offer proposed for a state's
	// need (to the state), and the state's answer (to the donor).
	CapacityProposal = Kind{Name: "cap_proposal", Params: []string{"need", "offer", "from"}}
	CapacityAccepted = Kind{Name: "cap_accepted", Params: []string{"need", "offer"}}
	CapacityDeclined = Kind{Name: "cap_declined", Params: []string{"need", "offer"}}
	// Humanitarian coordination: a report of people trapped, injured or
	// missing arrived for an emergency (to its coordinators, at once).
	HumUrgentReport = Kind{Name: "hum_urgent_report", Params: []string{"emergency", "category", "place"}}
	// Humanitarian funding: a donor reported a contribution (to the
	// recipient, to confirm), and the recipient confirmed other figures
	// than the donor's (to the donor).
	HumFlowReported = Kind{Name: "hum_flow_reported", Params: []string{"donor", "amount", "status", "emergency"}}
	HumFlowDiffers  = Kind{Name: "hum_flow_differs", Params: []string{"recipient", "reported", "received"}}
)

// Kinds lists every kind of notification e-mail.
var Kinds = []Kind{
	MessageArrived, MessageUndelivered, AckOverdueOut, AckOverdueIn,
	Invite, Nomination, Ping, PingRemind, RequestArrived, RequestUpdate, RequestDue, RequestOverdue,
	ReportReview,
	Amendment, Objection, SilenceOpen, SilenceEnding,
	CybApproval, CybArrived, CybUpdate, CybOverdue, CybPreservation, CybPreservedOver,
	StatementInvited, StatementAnswered,
	IncidentShared, IncidentSharedQuiet,
	PDDirect, PDReview, PDCaseReview, PDFeedDigest,
	EventInvited, EventUpdated, EventCancelled, EventRegistered, EventWaitlisted, EventPromoted, EventReminder,
	DialogueInvite, DialogueHeld, DialogueSummary, DialogueDigest,
	CapacityProposal, CapacityAccepted, CapacityDeclined,
	HumUrgentReport, HumFlowReported, HumFlowDiffers,
}

// DeadlineFormat is how a deadline reads in an e-mail: unambiguous in every
// language, and in UTC because the reader may be anywhere.
const DeadlineFormat = "2006-01-02 15:04 UTC"

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// Blank is shown for a parameter whose value is empty, rather than a gap
// in a sentence.
const Blank = "—"

// Render fills a kind's subject and body in lang. It refuses arguments that
// are not exactly the kind's parameters and a link that is not absolute, so
// a mistake fails the caller (and its test) instead of reaching someone's
// inbox garbled. An empty value is a fact about the data, not a mistake: the
// e-mail still goes, with Blank in its place.
func Render(tr Translator, lang string, k Kind, link string, args Args) (subject, body string, err error) {
	for _, p := range k.Params {
		if _, ok := args[p]; !ok {
			return "", "", fmt.Errorf("notify: %s: no value for {%s}", k.Name, p)
		}
	}
	for name := range args {
		if base, _, _ := strings.Cut(name, "@"); !slices.Contains(k.Params, base) {
			return "", "", fmt.Errorf("notify: %s: unknown parameter %q", k.Name, name)
		}
	}
	if u, perr := url.Parse(link); perr != nil || !u.IsAbs() || u.Host == "" {
		return "", "", fmt.Errorf("notify: %s: link %q is not absolute", k.Name, link)
	}
	vals := map[string]string{"link": link}
	for _, name := range k.Params {
		v := args[name+"@"+lang]
		if strings.TrimSpace(v) == "" {
			v = args[name]
		}
		// A subject is one line whatever a person typed into a title.
		if slices.Contains(k.Lines, name) {
			var lines []string
			for _, l := range strings.Split(v, "\n") {
				if l = strings.Join(strings.Fields(l), " "); l != "" {
					lines = append(lines, l)
				}
			}
			v = strings.Join(lines, "\n")
		} else {
			v = strings.Join(strings.Fields(v), " ")
		}
		if vals[name] = v; vals[name] == "" {
			vals[name] = Blank
		}
	}
	fill := func(key string) string {
		// One pass: a value that itself looks like {x} is left as written.
		return placeholder.ReplaceAllStringFunc(tr.T(lang, key), func(m string) string {
			return vals[m[1:len(m)-1]]
		})
	}
	return fill(k.SubjectKey()), fill(k.BodyKey()), nil
}

// Check verifies the messages of kinds (normally Kinds) in every language of
// langs: both keys exist,
// they use only the kind's parameters (and {link}), together they use all of
// them, the body carries the link, and nothing else looks like a
// placeholder, such as a leftover %s. The node refuses to start otherwise.
func Check(tr Translator, langs []string, kinds []Kind) error {
	var errs []error
	for _, k := range kinds {
		for _, lang := range langs {
			if err := checkKind(tr, lang, k); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", lang, err))
			}
		}
	}
	return errors.Join(errs...)
}

func checkKind(tr Translator, lang string, k Kind) error {
	var problems []string
	used := map[string]bool{}
	for _, key := range []string{k.SubjectKey(), k.BodyKey()} {
		text := tr.T(lang, key)
		if text == key || strings.TrimSpace(text) == "" {
			problems = append(problems, key+" is missing")
			continue
		}
		for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
			name := m[1]
			if name != "link" && !slices.Contains(k.Params, name) {
				problems = append(problems, fmt.Sprintf("%s uses {%s}, which is not a parameter of %s", key, name, k.Name))
			}
			used[name] = true
			if name == "link" && key == k.SubjectKey() {
				problems = append(problems, key+" carries the link, which belongs in the body")
			}
		}
		rest := placeholder.ReplaceAllString(text, "")
		if strings.ContainsAny(rest, "{}") || strings.Contains(rest, "%") {
			problems = append(problems, fmt.Sprintf("%s has text that looks like a placeholder: %q", key, text))
		}
	}
	if !used["link"] {
		problems = append(problems, k.BodyKey()+" does not carry {link}")
	}
	var unused []string
	for _, p := range k.Params {
		if !used[p] {
			unused = append(unused, "{"+p+"}")
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		problems = append(problems, fmt.Sprintf("mail.%s.* never use %s", k.Name, strings.Join(unused, ", ")))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

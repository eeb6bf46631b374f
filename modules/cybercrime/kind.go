package cybercrime

import "time"

// Kind is what a request asks for. The same kind exists under several
// instruments (an expedited preservation is Budapest art. 29 and UN
// Convention art. 42); the instrument decides the article, whether the kind
// is allowed at all, and which reservations narrow it.
type Kind string

// The request kinds.
const (
	KindPreservation        Kind = "preservation"         // expedited preservation of stored data
	KindTrafficDisclosure   Kind = "traffic_disclosure"   // expedited disclosure of preserved traffic data
	KindStoredData          Kind = "stored_data"          // mutual assistance to access stored data
	KindSpontaneous         Kind = "spontaneous"          // spontaneous information
	KindEmergencyDisclosure Kind = "emergency_disclosure" // emergency disclosure through the 24/7 network
	KindEmergencyMLA        Kind = "emergency_mla"        // emergency mutual assistance
	KindRegistrant          Kind = "registrant"           // domain registration information, to a registrar
	KindSubscriber          Kind = "subscriber"           // subscriber information, to a service provider
)

// Kinds lists every kind in display order.
var Kinds = []Kind{
	KindPreservation, KindTrafficDisclosure, KindStoredData, KindSpontaneous,
	KindEmergencyDisclosure, KindEmergencyMLA, KindRegistrant, KindSubscriber,
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// ToProvider reports whether a request of this kind goes to a company (a
// registrar or a service provider) rather than to another state's
// authority.
func (k Kind) ToProvider() bool { return k == KindRegistrant || k == KindSubscriber }

// Reaches reports whether a request of this kind may go to an organisation
// of the kind given: the provider kinds only to a company; an emergency
// disclosure to a state's 24/7 point of contact (CETS 224 art. 9) or, where
// a bilateral agreement allows it (such as the Australia–United States
// agreement under the CLOUD Act), to the provider itself; the rest only to
// a state's authority. Whether the instrument allows it is the legal
// basis's question.
func (k Kind) Reaches(company bool) bool {
	switch {
	case k.ToProvider():
		return company
	case k == KindEmergencyDisclosure:
		return true
	}
	return !company
}

// Field is one field of a request form. Name is the key in the request's
// fields and in the message catalogue (cyb.field.NAME, cyb.field.NAME.help).
type Field struct {
	Name      string
	Required  bool
	Multiline bool
}

// Spec is what a kind requires: the fields its article asks for and its
// clock.
type Spec struct {
	Kind   Kind
	Fields []Field
	// Respond is how long the requested side has to acknowledge: hours for
	// the urgent kinds, days for the formal ones.
	Respond time.Duration
	// Execute is how long the requested side has to execute once it has
	// acknowledged; zero when the kind has no such window.
	Execute time.Duration
	// Keep is how long preserved data must be kept at least (Budapest art.
	// 29(7): sixty days); zero for kinds that preserve nothing.
	Keep time.Duration
	// Grounds are the refusal grounds the article permits, as catalogue
	// keys under cyb.ground.
	Grounds []string
}

func f(name string, required bool) Field {
	return Field{Name: name, Required: required, Multiline: true}
}

func line(name string, required bool) Field { return Field{Name: name, Required: required} }

const day = 24 * time.Hour

// Specs are the kinds' forms and clocks. Every kind asks who asks, for what
// offence and for what purpose (CETS 224 art. 14 in spirit: a request says
// why); then what its own article requires.
var Specs = map[Kind]Spec{
	// Budapest art. 29(2): the authority, the offence and a summary of the
	// facts, the data and its relation to the offence, what identifies the
	// custodian or the location of the system, why preservation is needed,
	// and that a request for mutual assistance will follow. Art. 29(3)-(5):
	// no dual criminality; refusal only for political offences or where
	// execution would prejudice sovereignty, security or ordre public.
	KindPreservation: {Kind: KindPreservation, Respond: 24 * time.Hour, Keep: 60 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), f("data", true), f("relation", true), f("custodian", true), f("necessity", true), line("mla_follows", true), f("purpose", true)},
		Grounds: []string{"political_offence", "essential_interests"}},
	// Art. 30: disclosure of enough traffic data to identify the provider
	// and the path of the communication; the same grounds as art. 29.
	KindTrafficDisclosure: {Kind: KindTrafficDisclosure, Respond: 24 * time.Hour, Execute: 7 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), f("data", true), f("relation", true), f("custodian", false), f("purpose", true)},
		Grounds: []string{"political_offence", "essential_interests"}},
	// Art. 31 with arts. 25 and 27: a formal request for stored data; the
	// requested party may refuse on the grounds of its treaty or its law
	// (art. 27(4)), or postpone.
	KindStoredData: {Kind: KindStoredData, Respond: 7 * day, Execute: 90 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), f("data", true), f("relation", true), f("custodian", true), f("measures", true), f("purpose", true), line("urgency", false)},
		Grounds: []string{"political_offence", "essential_interests", "dual_criminality", "treaty_ground", "insufficient"}},
	// Art. 26: information sent without a request; the receiver may be
	// asked to keep it confidential or to use it only under conditions.
	KindSpontaneous: {Kind: KindSpontaneous, Respond: 7 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), f("conditions", false), f("purpose", true)},
		Grounds: nil},
	// CETS 224 art. 9: emergency disclosure of stored data through the
	// 24/7 network, where there is a significant and imminent risk to the
	// life or safety of a person.
	KindEmergencyDisclosure: {Kind: KindEmergencyDisclosure, Respond: 4 * time.Hour, Execute: 2 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), f("emergency", true), f("data", true), f("custodian", true), f("purpose", true)},
		Grounds: []string{"not_emergency", "essential_interests"}},
	// CETS 224 art. 10: emergency mutual assistance, by the central
	// authorities, in an expedited manner.
	KindEmergencyMLA: {Kind: KindEmergencyMLA, Respond: 12 * time.Hour, Execute: 7 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), f("emergency", true), f("data", true), f("custodian", true), f("measures", true), f("purpose", true)},
		Grounds: []string{"not_emergency", "political_offence", "essential_interests", "dual_criminality", "treaty_ground"}},
	// CETS 224 art. 6: domain name registration information, directly
	// from a registrar in another party.
	KindRegistrant: {Kind: KindRegistrant, Respond: 30 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), line("domain", true), f("data", true), f("purpose", true)},
		Grounds: []string{"provider_cannot", "provider_law"}},
	// CETS 224 art. 7: subscriber information, directly from a service
	// provider in another party, within 30 days unless longer is agreed.
	KindSubscriber: {Kind: KindSubscriber, Respond: 30 * day,
		Fields:  []Field{line("authority", true), line("offence", true), f("facts", true), f("data", true), f("relation", true), f("purpose", true)},
		Grounds: []string{"provider_cannot", "provider_law", "authority_objected"}},
}

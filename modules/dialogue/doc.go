// Package dialogue is expert dialogue and events. A dialogue (Track 1.5 or
// Track 2) lives on its host's node: sessions with an agenda, threads of
// contributions with replies, moderation, and a rapporteur's summary, under
// a rule chosen when it opens (the Chatham House Rule, on the record, or off
// the record). Participating nodes hold a signed copy and send their people's
// contributions to the host as signed envelopes. Under the Chatham House
// Rule who wrote what never leaves the host's node: the copies carry no
// names, and on the host only the dialogue's moderators see them.
//
// Events (meetings, briefings, forums, public events) have registration with
// a capacity and a waiting list, invitations and reminders by e-mail, and
// iCalendar files and feeds that calendar programs subscribe to.
package dialogue

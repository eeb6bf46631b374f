// Package capacity is cyber capacity building: projects as the GFCE's
// Cybil portal lists them (themes and topics, funders, implementers,
// beneficiary countries, budget, dates, status), shared publicly or with
// named organisations and exported as CSV, JSON and IATI activity XML;
// states' needs and donors' offers; the matching that ranks every offer
// against a need (and every need for an offer) and says why; the Clearing
// House across nodes, where needs, offers and projects travel as signed
// copies to the nodes that may read them and proposals and decisions as
// signed envelopes (federation.go); and indicators of the digital divide
// and of cyber maturity, imported as CSV, shown as country profiles and
// comparisons with server-drawn charts, a weak one suggesting a need.
//
// The themes, their topics and the regions are data (themes.json), in
// English and Bahasa Indonesia.
package capacity

// Package capacity is cyber capacity building: projects as the GFCE's
// Cybil portal lists them (themes and topics, funders, implementers,
// beneficiary countries, budget, dates, status), shared publicly or with
// named organisations and exported as CSV, JSON and IATI activity XML;
// states' needs and donors' offers; and the matching that ranks every offer
// against a need and says why.
//
// The themes, their topics and the regions are data (themes.json), in
// English and Bahasa Indonesia.
package capacity

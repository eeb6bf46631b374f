// Package economy is digital economic diplomacy: digital-economy
// agreements (DEPA, ASEAN DEFA, the WTO e-commerce initiative, bilateral
// digital economy agreements) as data, with their modules, provisions and
// parties' status over time; each state's commitments under a provision,
// with deadlines and implementation status, kept by the state's own
// organisation; and a tracker comparing agreements topic by topic and a
// country's view of what it has committed to.
//
// Agreements ship as an embedded JSON file in which every fact carries its
// source and whether anyone verified it there; the node administrator and
// organisations' admins add agreements of their own and correct facts, in
// the audit trail. A commitment links to the capacity need or project that
// helps meet it through internal/links, never by importing that module.
package economy

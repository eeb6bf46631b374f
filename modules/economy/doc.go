// Package economy is digital economic diplomacy: digital-economy
// agreements (DEPA, ASEAN DEFA, the WTO e-commerce initiative, bilateral
// digital economy agreements) as data, with their modules, provisions and
// parties' status over time; each state's commitments under a provision,
// with deadlines and implementation status, kept by the state's own
// organisation; and a tracker comparing agreements topic by topic and a
// country's view of what it has committed to.
//
// Agreements ship as an embedded JSON file in which every fact carries its
// source; a fact is verified only once someone who may correct the
// agreement confirms it against a source (who, when and where are kept,
// and a correction that changes the fact drops it). The node
// administrator and organisations' admins add agreements of their own and
// correct facts, on the pages and through the API, in the audit trail. A
// commitment's changes of status and deadline are kept with who made them.
// A commitment links to the capacity need or project that helps meet it,
// and an agreement to the events that are its forums, through
// internal/links, never by importing those modules.
package economy

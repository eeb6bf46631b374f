// Package cybercrime is cross-border cybercrime cooperation: requests
// between states' authorities (and to providers) under a legal basis both
// states are bound by, each kind with the fields its article requires and
// its clock; a lifecycle in which every step is a signed envelope with a
// receipt in both ledgers; preservation clocks both sides see; evidence
// files hashed as they stream in, with a chain of custody signed by the
// acting node and exported as a package a court verifies offline; and the
// figures the people who run it need (time to acknowledge, to preserve, to
// execute; refusals by ground).
//
// Instruments (the Budapest Convention, its Second Additional Protocol, the
// UN Convention, the ASEAN MLA Treaty, bilateral treaties, reciprocity) are
// data the node administrator can edit; every fact carries its source and
// whether it was verified.
//
// Only the investigators, central authorities and admins of the two
// organisations a request is between see it; node administrators do not.
// Every read is in the audit trail.
package cybercrime

// Package incidents is the shared record of cyber incidents and what states
// did about them: incidents coded as researchers code them (EuRepoC's
// codebook: types, receivers and their sectors, initiator, inclusion
// criteria, impact, intensity, sources), each under a TLP label and an
// audience, shared with the peers that may see it and kept in sync when it
// changes; attributions (who attributed, when, on what basis, with what
// confidence) and responses (political and legal), dated so that the time
// to attribution is measured; joint attribution statements that states on
// several nodes co-sign over the exact text; and the one linked chain: an
// incident's page shows, as one timeline, the indicators, requests,
// correspondence, statements and norms linked to it, each only to people
// who may see it.
package incidents

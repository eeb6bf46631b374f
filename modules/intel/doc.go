// Package intel is threat-intelligence exchange: a store of STIX 2.1 objects
// kept as the exact JSON received, versioned by modified and checked against
// the official schemas; a TAXII 2.1 server at /taxii2/; TLP 2.0 labels and
// sharing groups that decide every read in SQL, through internal/access;
// subscriptions that pull a peer's collection over the signed federation
// channel; pages to browse, search, create, upload and export; and the
// import of MISP events.
package intel

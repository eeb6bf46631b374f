// Package humanitarian is humanitarian coordination and disaster aid for an
// emergency: reports from the people affected by a public web form, SMS
// gateways and e-mail, verified by the emergency's coordinators before
// anything is public; the crisis map drawn on the server from Natural Earth
// boundaries, with its list and a GeoJSON export; who does what where (3W)
// with HXL import and export; appeals and funding flows from pledge to
// payment, reported by a donor's node and confirmed by the recipient's; and
// light public pages for the people affected, with an SMS reply for those
// without a browser.
//
// Parsing what arrives from outside is in subpackages with no database:
// hxl (HXL CSV), geo (GeoJSON, TopoJSON and the SVG map) and inbound (SMS
// gateway webhooks, e-mail, SMS commands). The gazetteer of administrative
// areas and their P-codes is data (data/gazetteer.csv).
package humanitarian

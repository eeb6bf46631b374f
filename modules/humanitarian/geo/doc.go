// Package geo draws and exchanges the crisis map of the humanitarian module
// without a tile server or JavaScript: it writes and strictly parses GeoJSON
// (RFC 7946), decodes the shipped Natural Earth country boundaries from
// TopoJSON, and renders small, deterministic SVG maps with clustered points.
//
// Coordinates are WGS 84 longitude and latitude in degrees, as RFC 7946
// requires. Errors a person may see are *Error values with a stable code
// (for example "geojson.lat_range") so the module can translate them.
package geo

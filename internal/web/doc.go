// Package web is Entente's HTTP surface: the server, one route table per
// surface on the standard ServeMux, the middleware every request passes
// (request id, logs, recovery, security headers, body limits, language,
// authentication, cross-origin protection, the access check), rendering of
// typed views in English and Bahasa Indonesia, the one mapping from error kind
// to HTTP status, and the platform's own pages (setup, sign-in, account,
// administration, health).
package web

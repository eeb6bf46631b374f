// Package web holds the files the browser sees — templates, static assets and
// the message catalogues in English and Bahasa Indonesia — embedded into the
// binary so a node is one file to copy.
package web

import "embed"

// Files holds templates/, static/, i18n/ and api/ (the OpenAPI document).
//
//go:embed templates static i18n api
var Files embed.FS

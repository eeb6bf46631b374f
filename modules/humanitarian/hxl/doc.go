// Package hxl reads and writes HXL-tagged CSV (the Humanitarian Exchange
// Language, https://hxlstandard.org), the spreadsheet convention that OCHA's
// 3W/4W sheets, HDX and most cluster tools use to exchange "who does what
// where" data without agreeing on column titles.
//
// It follows libhxl's rules: the hashtag row is the first of the first 25
// rows in which at least half of the non-empty cells are hashtags; a hashtag
// is "#" and a token ([A-Za-z][A-Za-z0-9_]*) followed by "+attribute" tokens,
// all case-insensitive, with custom tags spelled "#x_…". Rows above the
// hashtag row are kept as the preamble and the row just above it gives each
// column its text header. Columns are found by tag pattern ("#org+impl"
// matches "#org+impl+name" whatever the attribute order), never by position
// or title, so sheets in any language and layout import alike.
//
// Reading never stops at a bad cell: a count that is not a number or a date
// that cannot be read becomes a [Problem] naming the row, the column and a
// stable code ("hxl.bad_number"), and the row is kept and marked, so the
// caller decides whether to refuse the whole file or import the good rows.
// Only what makes the file unreadable (no hashtag row, a limit passed, a
// broken stream) is returned as an error. The [Writer] emits a text header
// row and a hashtag row, quotes per RFC 4180 and defuses cells that a
// spreadsheet would run as formulas.
package hxl

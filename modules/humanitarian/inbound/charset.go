package inbound

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// cp1252High maps Windows-1252's 0x80–0x9F, where it differs from
// ISO-8859-1; mail labelled ISO-8859-1 is very often Windows-1252 in fact,
// and reading it so only changes characters that were control codes anyway.
var cp1252High = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func decodeLatin1(b []byte) string {
	var s strings.Builder
	s.Grow(len(b))
	for _, c := range b {
		if c >= 0x80 && c < 0xA0 {
			s.WriteRune(cp1252High[c-0x80])
			continue
		}
		s.WriteRune(rune(c))
	}
	return s.String()
}

// decodeCharset turns a text part into UTF-8. UTF-8 and ASCII pass through
// (invalid bytes, a mislabelled Latin-1 mail, are read as Latin-1);
// ISO-8859-1 and Windows-1252 are mapped. Any other charset is read as UTF-8
// when valid and Latin-1 otherwise: a garbled letter is better than losing a
// report, and the coordinator still sees the original in the .eml.
func decodeCharset(b []byte, charset string) string {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "iso-8859-15":
		return decodeLatin1(b)
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return decodeLatin1(b)
}

// charsetReader lets mime.WordDecoder read encoded words ("=?ISO-8859-1?Q?...")
// in the same charsets as bodies.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "windows-1252", "cp1252", "iso-8859-15", "us-ascii":
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		return strings.NewReader(decodeLatin1(b)), nil
	}
	return nil, fmt.Errorf("charset %q not supported", charset)
}

package negotiation

import (
	"archive/zip"
	"hash/crc32"
	"io"
	"strings"
)

const odtMime = "application/vnd.oasis.opendocument.text"

// WriteODT writes the document as OpenDocument text: a ZIP whose first
// entry is the mimetype, stored uncompressed (so the type can be read at a
// fixed offset), then the manifest, the metadata (the title) and the content.
func WriteODT(w io.Writer, d Document) error {
	z := zip.NewWriter(w)
	files := []struct {
		name, body string
		method     uint16
	}{
		{"mimetype", odtMime, zip.Store},
		{"META-INF/manifest.xml", odtManifest, zip.Deflate},
		{"meta.xml", odtMeta(d), zip.Deflate},
		{"content.xml", odtContent(d), zip.Deflate},
	}
	for _, f := range files {
		if f.method == zip.Store {
			// Written raw, with its size and checksum in the local header
			// and no data descriptor, so "mimetype" sits at offset 38.
			fw, err := z.CreateRaw(&zip.FileHeader{Name: f.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte(f.body)),
				CompressedSize64: uint64(len(f.body)), UncompressedSize64: uint64(len(f.body))})
			if err != nil {
				return err
			}
			if _, err := io.WriteString(fw, f.body); err != nil {
				return err
			}
			continue
		}
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: f.method, Modified: d.Created.UTC()})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return err
		}
	}
	return z.Close()
}

const odtManifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="` + odtMime + `"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>`

func odtMeta(d Document) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta><dc:title>` +
		xmlText(d.Title) + `</dc:title><dc:description>` + xmlText(d.Meta) + `</dc:description><meta:generator>Entente</meta:generator></office:meta></office:document-meta>`
}

func odtContent(d Document) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">` +
		`<office:automatic-styles>` +
		`<style:style style:name="Meta" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/><style:text-properties fo:font-size="9pt"/></style:style>` +
		`<style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.42cm"/><style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>` +
		`<style:style style:name="Para" style:family="paragraph"><style:paragraph-properties fo:margin-left="1.27cm" fo:text-indent="-1.27cm" fo:margin-bottom="0.21cm"><style:tab-stops><style:tab-stop style:position="0cm"/></style:tab-stops></style:paragraph-properties></style:style>` +
		`<style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>` +
		`</office:automatic-styles><office:body><office:text>`)
	b.WriteString(`<text:p text:style-name="Meta">` + xmlText(d.Meta) + `</text:p>`)
	b.WriteString(`<text:p text:style-name="Title">` + xmlText(d.Title) + `</text:p>`)
	if d.Adoption != "" {
		b.WriteString(`<text:p>` + xmlText(d.Adoption) + `</text:p>`)
	}
	for _, p := range d.Paras {
		for i, o := range p.Options {
			b.WriteString(`<text:p text:style-name="Para">`)
			if i == 0 {
				b.WriteString(`<text:span text:style-name="B">` + xmlText(p.Label) + `</text:span>`)
			}
			b.WriteString(`<text:tab/>`)
			for _, s := range segments(o) {
				if s.Bracketed {
					b.WriteString(`<text:span text:style-name="B">` + odtText(s.Text) + `</text:span>`)
				} else {
					b.WriteString(odtText(s.Text))
				}
			}
			b.WriteString(`</text:p>`)
		}
	}
	b.WriteString(`</office:text></office:body></office:document-content>`)
	return b.String()
}

// odtText escapes text for ODF, where runs of spaces collapse unless
// written as text:s.
func odtText(s string) string {
	var b strings.Builder
	for i, part := range strings.Split(xmlText(s), "  ") {
		if i > 0 {
			b.WriteString(` <text:s/>`)
		}
		b.WriteString(part)
	}
	return b.String()
}

package negotiation

import (
	"archive/zip"
	"io"
	"strings"
	"time"
)

// WriteDOCX writes the document as Office Open XML (WordprocessingML): a
// ZIP holding the content types, the package relationships, the document
// and its core properties (the title).
func WriteDOCX(w io.Writer, d Document) error {
	z := zip.NewWriter(w)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", docxContentTypes},
		{"_rels/.rels", docxRels},
		{"docProps/core.xml", docxCore(d)},
		{"word/document.xml", docxDocument(d)},
	}
	for _, f := range files {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: d.Created.UTC()})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return err
		}
	}
	return z.Close()
}

const docxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`

const docxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

func docxCore(d Document) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` +
		xmlText(d.Title) + `</dc:title><dc:description>` + xmlText(d.Meta) + `</dc:description><dcterms:modified xsi:type="dcterms:W3CDTF">` + d.Created.UTC().Format(time.RFC3339) + `</dcterms:modified></cp:coreProperties>`
}

func docxDocument(d Document) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	para := func(runs string, props string) {
		b.WriteString(`<w:p>`)
		if props != "" {
			b.WriteString(`<w:pPr>` + props + `</w:pPr>`)
		}
		b.WriteString(runs + `</w:p>`)
	}
	run := func(text string, bold bool, size int) string {
		rp := ""
		if bold {
			rp += `<w:b/>`
		}
		if size > 0 {
			rp += `<w:sz w:val="` + itoa(size) + `"/>`
		}
		if rp != "" {
			rp = `<w:rPr>` + rp + `</w:rPr>`
		}
		return `<w:r>` + rp + `<w:t xml:space="preserve">` + xmlText(text) + `</w:t></w:r>`
	}
	para(run(d.Meta, false, 18), `<w:jc w:val="right"/>`)
	para(run(d.Title, true, 32), `<w:jc w:val="center"/><w:spacing w:after="240"/>`)
	if d.Adoption != "" {
		para(run(d.Adoption, false, 0), `<w:spacing w:after="240"/>`)
	}
	for _, p := range d.Paras {
		for i, o := range p.Options {
			var runs strings.Builder
			if i == 0 {
				runs.WriteString(`<w:r><w:rPr><w:b/></w:rPr><w:t>` + xmlText(p.Label) + `</w:t><w:tab/></w:r>`)
			} else {
				runs.WriteString(`<w:r><w:tab/></w:r>`)
			}
			for _, s := range segments(o) {
				runs.WriteString(run(s.Text, s.Bracketed, 0))
			}
			// A hanging indent keeps the number in the margin, as in UN texts.
			para(runs.String(), `<w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs><w:spacing w:after="120"/><w:ind w:left="720" w:hanging="720"/>`)
		}
	}
	b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>`)
	return b.String()
}

package negotiation_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/negotiation"
)

// exportText is a text with what an export must keep: preambular and
// operative numbering, brackets, stacked options, and characters XML escapes.
func exportText() *negotiation.Text {
	return &negotiation.Text{Title: "Joint statement on R&D <cyber> norms", Updated: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		Revisions: []negotiation.Revision{{N: 2}},
		Paragraphs: []negotiation.Paragraph{
			{ID: "p1", Part: "pp", Options: []string{"Recalling the eleven norms,"}},
			{ID: "p2", Part: "pp", Options: []string{"Welcoming the CERT's work,"}},
			{ID: "p3", Part: "op", Options: []string{"States should cooperate [in a timely manner] on incidents."}},
			{ID: "p4", Part: "op", Options: []string{"Report annually.", "Report every two years."}},
		}}
}

func exportDoc() negotiation.Document {
	return negotiation.NewDocument(exportText(), "ASEAN · Rev.2", "", func(i int) string { return "Option " + negotiation.OptionLabel(i) })
}

// wantLines are what a reader of either file must find, in order.
var wantLines = []string{"ASEAN · Rev.2", "Joint statement on R&D <cyber> norms", "PP1", "Recalling the eleven norms,", "PP2", "Welcoming the CERT's work,",
	"OP1", "States should cooperate [in a timely manner] on incidents.", "OP2", "Option A: Report annually.", "Option B: Report every two years."}

// unzip reads a ZIP and checks every XML part is well-formed, returning
// the parts and the character data of the named one.
func unzip(t *testing.T, b []byte, textOf string) (map[string]string, string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	var text strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		parts[f.Name] = string(body)
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".rels") {
			continue
		}
		dec := xml.NewDecoder(bytes.NewReader(body))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
			switch x := tok.(type) {
			case xml.CharData:
				if f.Name == textOf {
					text.Write(x)
				}
			case xml.StartElement:
				// Paragraph and tab boundaries become line and word breaks.
				if f.Name == textOf && (x.Name.Local == "p" || x.Name.Local == "tab") {
					text.WriteString("\n")
				}
			}
		}
	}
	return parts, text.String()
}

func inOrder(t *testing.T, what, text string, lines []string) {
	t.Helper()
	at := 0
	for _, l := range lines {
		i := strings.Index(text[at:], l)
		if i < 0 {
			t.Fatalf("%s: %q missing (or out of order) in:\n%s", what, l, text)
		}
		at += i + len(l)
	}
}

func TestExportDOCX(t *testing.T) {
	var buf bytes.Buffer
	if err := negotiation.WriteDOCX(&buf, exportDoc()); err != nil {
		t.Fatal(err)
	}
	parts, text := unzip(t, buf.Bytes(), "word/document.xml")
	for _, p := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "docProps/core.xml"} {
		if _, ok := parts[p]; !ok {
			t.Errorf("no %s", p)
		}
	}
	inOrder(t, "docx", text, wantLines)
	if !strings.Contains(parts["word/document.xml"], `<w:b/></w:rPr><w:t xml:space="preserve">[in a timely manner]</w:t>`) {
		t.Error("the bracketed words are not set apart")
	}
	if !strings.Contains(parts["docProps/core.xml"], "<dc:title>Joint statement on R&amp;D &lt;cyber&gt; norms</dc:title>") {
		t.Errorf("title in the properties: %s", parts["docProps/core.xml"])
	}
	readBack(t, "docx", buf.Bytes())
}

func TestExportODT(t *testing.T) {
	var buf bytes.Buffer
	if err := negotiation.WriteODT(&buf, exportDoc()); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// The mimetype comes first, stored, with no extra field: at offset 30
	// its name, at 38 the type itself (ODF 1.3 part 2, 3.3).
	const mime = "application/vnd.oasis.opendocument.text"
	if string(b[30:38]) != "mimetype" || string(b[38:38+len(mime)]) != mime || b[8] != 0 || b[9] != 0 {
		t.Fatalf("mimetype entry: % x", b[:80])
	}
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if zr.File[0].Name != "mimetype" || zr.File[0].Method != zip.Store {
		t.Fatalf("first entry %s, method %d", zr.File[0].Name, zr.File[0].Method)
	}
	parts, text := unzip(t, b, "content.xml")
	for _, p := range []string{"META-INF/manifest.xml", "content.xml", "meta.xml"} {
		if _, ok := parts[p]; !ok {
			t.Errorf("no %s", p)
		}
	}
	inOrder(t, "odt", text, wantLines)
	readBack(t, "odt", b)
}

// readBack opens the file with LibreOffice, a real reader, and converts it
// to plain text, which must hold the text in order. It is skipped, saying
// so, only when LibreOffice is not installed (apt-get install
// libreoffice-writer-nogui), and fails then under ENTENTE_TEST_STRICT=1.
func readBack(t *testing.T, ext string, b []byte) {
	t.Helper()
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		if lo, err = exec.LookPath("soffice"); err != nil {
			if storetest.Strict() {
				t.Fatal("ENTENTE_TEST_STRICT=1 but LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
			}
			t.Skip("SKIPPING the LibreOffice read-back: LibreOffice not found (apt-get install libreoffice-writer-nogui)")
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "text."+ext)
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lo, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "txt:Text (encoded):UTF8", "--outdir", filepath.Join(dir, "out"), in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "out", "text.txt"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no text (%s): %v", out, err)
	}
	t.Logf("LibreOffice read the .%s as:\n%s", ext, txt)
	inOrder(t, "LibreOffice's reading of the ."+ext, strings.TrimPrefix(string(txt), "\ufeff"), wantLines)
}

// TestExportDatedByRevision: a download carries the date of the wording it
// holds, as the clean view does, not the time of the last position.
func TestExportDatedByRevision(t *testing.T) {
	issued := time.Date(2026, 12, 7, 13, 20, 0, 0, time.UTC)
	tx := exportText()
	tx.Revisions = []negotiation.Revision{{N: 2, At: issued}}
	tx.Dirty = false
	tx.Updated = issued.Add(3 * time.Minute)
	if d := negotiation.NewDocument(tx, "", "", negotiation.OptionLabel); !d.Created.Equal(issued) {
		t.Fatalf("document dated %v, want the revision's %v", d.Created, issued)
	}
}

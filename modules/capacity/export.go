package capacity

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// csvHeader is the first row of the CSV export.
var csvHeader = []string{"id", "owner", "title", "summary", "themes", "topics", "funders", "implementers", "countries", "regions",
	"budget", "currency", "start", "end", "status", "outputs", "contact", "visibility"}

// WriteCSV writes projects one a row; lists are joined with "; ". Cells
// that a spreadsheet would read as a formula are prefixed with a quote.
func WriteCSV(w io.Writer, projects []Project) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	j := func(l []string) string { return strings.Join(l, "; ") }
	for _, p := range projects {
		rec := []string{p.ID, p.Owner, p.Title, p.Summary, j(p.Themes), j(p.Topics), j(p.Funders), j(p.Implementers), j(p.Countries), j(p.Regions),
			strconv.FormatInt(p.Budget, 10), p.Currency, p.Start, p.End, string(p.Status), j(p.Outputs), p.Contact, p.Visibility}
		for i, c := range rec {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				rec[i] = "'" + c
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes projects as a JSON array.
func WriteJSON(w io.Writer, projects []Project) error {
	if projects == nil {
		projects = []Project{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(projects)
}

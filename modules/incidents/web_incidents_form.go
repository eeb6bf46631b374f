package incidents

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

// formRows is how many receiver rows a new form offers; "add a row"
// reloads the form with one more, so no script is needed.
const formRows = 3

// ParseForm reads an incident from a posted form (the page's fields, also
// the CSV import's vocabulary): dates as YYYY-MM-DD, lists as repeated
// fields, receivers as rows r0_name, r0_country… up to rows. Problems of
// the form's own shape (a date that is not one) come back by field.
func ParseForm(v url.Values) (Incident, core.Problems) {
	p := core.Problems{}
	in := Incident{
		Name: v.Get("name"), Description: v.Get("description"), Impact: v.Get("impact"),
		Types: nonEmpty(v["types"]), Inclusion: nonEmpty(v["inclusion"]),
		Sources:       lines(v.Get("sources")),
		Initiator:     Initiator{Name: strings.TrimSpace(v.Get("initiator_name")), Country: strings.ToUpper(strings.TrimSpace(v.Get("initiator_country"))), Category: v.Get("initiator_category")},
		Determination: v.Get("determination"), Investigation: v.Get("investigation"),
		TLP: core.TLP(v.Get("tlp")), Audience: v.Get("audience"), Exercise: v.Get("exercise") == "on",
	}
	in.AudienceRefs = append(nonEmpty(v["audience_orgs"]), lines(v.Get("audience_refs"))...)
	if n := v.Get("audience_network"); n != "" && in.Audience == AudienceNetwork {
		in.AudienceRefs = append(in.AudienceRefs, n)
	}
	if s := strings.TrimSpace(v.Get("start")); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			p.Add("start", "err.date")
		}
		in.Start = t
	}
	if s := strings.TrimSpace(v.Get("end")); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			p.Add("end", "err.date")
		} else {
			in.End = &t
		}
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"intensity", &in.Intensity}, {"criticality", &in.Criticality}, {"version", &in.Version}} {
		if s := strings.TrimSpace(v.Get(f.name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				p.Add(f.name, "err.inc_range")
			}
			*f.dst = n
		}
	}
	for k := 0; k < rowCount(v); k++ {
		r := Receiver{Name: strings.TrimSpace(v.Get(row(k, "name"))), Country: strings.ToUpper(strings.TrimSpace(v.Get(row(k, "country")))),
			Category: v.Get(row(k, "category")), Sector: v.Get(row(k, "sector"))}
		if r.Name == "" && r.Country == "" && r.Category == "" && r.Sector == "" {
			continue
		}
		in.Receivers = append(in.Receivers, r)
	}
	return in, p
}

func row(k int, f string) string { return "r" + strconv.Itoa(k) + "_" + f }

// rowCount is the receiver rows a form holds (at most maxList).
func rowCount(v url.Values) int {
	n, _ := strconv.Atoi(v.Get("rows"))
	if n < formRows {
		n = formRows
	}
	return min(n, maxList)
}

func nonEmpty(l []string) []string {
	var out []string
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string { return nonEmpty(strings.Split(s, "\n")) }

// formValues writes an incident into a form's values, for the edit form.
func formValues(i Incident) url.Values {
	v := url.Values{}
	v.Set("name", i.Name)
	v.Set("description", i.Description)
	v.Set("impact", i.Impact)
	v["types"] = i.Types
	v["inclusion"] = i.Inclusion
	v.Set("sources", strings.Join(i.Sources, "\n"))
	v.Set("initiator_name", i.Initiator.Name)
	v.Set("initiator_country", i.Initiator.Country)
	v.Set("initiator_category", i.Initiator.Category)
	v.Set("determination", i.Determination)
	v.Set("investigation", i.Investigation)
	v.Set("tlp", string(i.TLP))
	v.Set("audience", i.Audience)
	v.Set("start", i.Start.Format("2006-01-02"))
	if i.End != nil {
		v.Set("end", i.End.Format("2006-01-02"))
	}
	v.Set("intensity", strconv.Itoa(i.Intensity))
	v.Set("criticality", strconv.Itoa(i.Criticality))
	v.Set("version", strconv.Itoa(i.Version))
	if i.Exercise {
		v.Set("exercise", "on")
	}
	if i.Audience == AudienceNetwork && len(i.AudienceRefs) > 0 {
		v.Set("audience_network", i.AudienceRefs[0])
	} else {
		v["audience_orgs"] = i.AudienceRefs
	}
	for k, r := range i.Receivers {
		v.Set(row(k, "name"), r.Name)
		v.Set(row(k, "country"), r.Country)
		v.Set(row(k, "category"), r.Category)
		v.Set(row(k, "sector"), r.Sector)
	}
	v.Set("rows", strconv.Itoa(max(formRows, len(i.Receivers)+1)))
	return v
}

// Choice is an organisation or a network the audience may name.
type Choice struct {
	Value string
	Name  string
}

// AudienceChoices lists what an audience may name: the organisations of
// this node and of verified peers (by address), and the networks this
// node knows.
func (s *Service) AudienceChoices(ctx context.Context) (orgs, networks []Choice, err error) {
	type lister interface {
		LocalOrgs(ctx context.Context) ([]federation.OrgInfo, error)
	}
	if l, ok := s.fed.(lister); ok {
		local, err := l.LocalOrgs(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range local {
			orgs = append(orgs, Choice{Value: o.Handle + "@" + s.fed.Host(), Name: o.NameEN})
		}
	}
	remote, err := s.fed.RemoteOrgs(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range remote {
		orgs = append(orgs, Choice{Value: o.Address(), Name: o.NameEN})
	}
	var nets []struct {
		ID   string `db:"id"`
		Name string `db:"name_en"`
	}
	if err := s.db.R().Select(ctx, &nets, `SELECT id, name_en FROM poc_networks ORDER BY name_en`); err != nil {
		return nil, nil, core.Wrap("incidents: networks", err)
	}
	for _, n := range nets {
		networks = append(networks, Choice{Value: n.ID, Name: n.Name})
	}
	return orgs, networks, nil
}

// formView is the incident form, new or edit.
type formView struct {
	web.Page
	Form     web.Form
	Edit     *Incident
	Orgs     []core.OrgRef
	Choices  []Choice
	Networks []Choice
	Rows     []int
}

// Has reports whether a multi-valued field holds v.
func (v formView) Has(field, value string) bool {
	for _, x := range v.Form.Values[field] {
		if x == value {
			return true
		}
	}
	return false
}

// Row returns a receiver row's field as typed.
func (v formView) Row(k int, f string) string { return v.Form.Get(row(k, f)) }

// RowName is a receiver row's field name.
func (v formView) RowName(k int, f string) string { return row(k, f) }

// Vocab exposes the vocabularies to the form.
func (v formView) Vocab() vocab { return vocabs }

type vocab struct {
	Types, ReceiverCategories, Sectors, InitiatorCategories, Inclusion, Determinations, Investigations, Audiences []string
	AttributorCategories, AttributionBases, Confidences, ResponseKinds                                            []string
	TLPs                                                                                                          []core.TLP
	Intensities                                                                                                   []int
}

var vocabs = vocab{Types, ReceiverCategories, Sectors, InitiatorCategories, Inclusion, Determinations, Investigations, Audiences,
	AttributorCategories, AttributionBases, Confidences, ResponseKinds, core.TLPs, []int{0, 1, 2, 3, 4, 5}}

// RowNumber numbers a receiver row for people, from one.
func (v formView) RowNumber(k int) int { return k + 1 }

package directory

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// Network is a points-of-contact network: a secretariat, its members, the
// categories of contact each member nominates, and its rules. It is kept on
// the secretariat's node and replicated, signed, to members on other nodes.
type Network struct {
	ID              string    `db:"id" json:"id"`
	Slug            string    `db:"slug" json:"slug"`
	Host            string    `db:"host" json:"host"`               // the node that keeps it
	Secretariat     string    `db:"secretariat" json:"secretariat"` // handle@host
	NameEN          string    `db:"name_en" json:"name_en"`
	NameID          string    `db:"name_id" json:"name_id"`
	DescriptionEN   string    `db:"description_en" json:"description_en"`
	DescriptionID   string    `db:"description_id" json:"description_id"`
	MemberKind      string    `db:"member_kind" json:"member_kind"` // states or organisations
	CategoriesJSON  string    `db:"categories" json:"-"`
	Visibility      string    `db:"visibility" json:"visibility"` // members or restricted
	PingCadenceDays int       `db:"ping_cadence_days" json:"ping_cadence_days"`
	AckHours        int       `db:"ack_hours" json:"ack_hours"`
	TemplateJSON    string    `db:"template" json:"-"`
	Transparency    bool      `db:"transparency" json:"transparency"`
	Version         int       `db:"version" json:"version"`
	ChangedAt       time.Time `db:"changed_at" json:"changed_at"`
	SignedBy        string    `db:"signed_by" json:"signed_by"` // fingerprint of the host key that signed the current version
	CreatedAt       time.Time `db:"created_at" json:"created_at"`

	Categories []Category `db:"-" json:"categories"`
	Template   Template   `db:"-" json:"template"`
}

const networkColumns = `id, slug, host, secretariat, name_en, name_id, description_en, description_id, member_kind, categories, visibility,
	ping_cadence_days, ack_hours, template, transparency, version, changed_at, signed_by, created_at`

// Name returns the network's name in lang.
func (n Network) Name(lang string) string {
	if lang == "id" && n.NameID != "" {
		return n.NameID
	}
	return n.NameEN
}

// Description returns the network's description in lang.
func (n Network) Description(lang string) string {
	if lang == "id" && n.DescriptionID != "" {
		return n.DescriptionID
	}
	return n.DescriptionEN
}

// CategoryName names a category code in lang.
func (n Network) CategoryName(code, lang string) string {
	for _, c := range n.Categories {
		if c.Code == code {
			return c.Name(lang)
		}
	}
	return code
}

// HasCategory reports whether code is one of the network's categories.
func (n Network) HasCategory(code string) bool {
	return slices.ContainsFunc(n.Categories, func(c Category) bool { return c.Code == code })
}

// decode fills Categories and Template from their stored JSON.
func (n *Network) decode() error {
	if err := json.Unmarshal([]byte(n.CategoriesJSON), &n.Categories); err != nil {
		return fmt.Errorf("directory: network %s categories: %w", n.ID, err)
	}
	if err := json.Unmarshal([]byte(n.TemplateJSON), &n.Template); err != nil {
		return fmt.Errorf("directory: network %s template: %w", n.ID, err)
	}
	return nil
}

// Category is a kind of point of contact in a network (diplomatic,
// technical, 24/7 law enforcement…).
type Category struct {
	Code   string `json:"code"`
	NameEN string `json:"name_en"`
	NameID string `json:"name_id"`
}

// Name returns the category's name in lang.
func (c Category) Name(lang string) string {
	if lang == "id" && c.NameID != "" {
		return c.NameID
	}
	return c.NameEN
}

// Template is a network's communication template: which requests POCs may
// send, how fast an answer is expected by urgency, and the text of a ping.
type Template struct {
	Types         []string       `json:"types"`
	ResponseHours map[string]int `json:"response_hours"`
	PingEN        string         `json:"ping_en"`
	PingID        string         `json:"ping_id"`
}

// PingText returns the ping message in lang.
func (t Template) PingText(lang string) string {
	if lang == "id" && t.PingID != "" {
		return t.PingID
	}
	return t.PingEN
}

// Request types and urgencies of the default template (domain.md).
var (
	RequestTypes = []string{"information", "assistance", "consultation", "notification"}
	Urgencies    = []string{"routine", "high", "critical"}
	Visibilities = []string{"members", "restricted"}
	MemberKinds  = []string{"states", "organisations"}
)

//go:embed networks.json
var networkDefinitions []byte

// Definitions returns the networks Entente ships as editable data: the UN,
// OSCE, OAS, ASEAN and Budapest 24/7 networks. A secretariat starts from one
// and changes what it needs.
func Definitions() []NetworkInput {
	var out []NetworkInput
	if err := json.Unmarshal(networkDefinitions, &out); err != nil {
		panic("directory: networks.json: " + err.Error()) // embedded, checked by a test
	}
	return out
}

// Input returns the network's definition as its settings form edits it.
func (n Network) Input() NetworkInput {
	handle, _, _ := strings.Cut(n.Secretariat, "@")
	return NetworkInput{Slug: n.Slug, Secretariat: handle, NameEN: n.NameEN, NameID: n.NameID, DescriptionEN: n.DescriptionEN, DescriptionID: n.DescriptionID,
		MemberKind: n.MemberKind, Categories: n.Categories, Visibility: n.Visibility, PingCadenceDays: n.PingCadenceDays, AckHours: n.AckHours,
		Template: n.Template, Transparency: n.Transparency}
}

// NetworkInput is what a secretariat submits to set up or change a network.
type NetworkInput struct {
	Slug            string     `json:"slug"`
	Secretariat     string     `json:"secretariat"` // handle of a local organisation
	NameEN          string     `json:"name_en"`
	NameID          string     `json:"name_id"`
	DescriptionEN   string     `json:"description_en"`
	DescriptionID   string     `json:"description_id"`
	MemberKind      string     `json:"member_kind"`
	Categories      []Category `json:"categories"`
	Visibility      string     `json:"visibility"`
	PingCadenceDays int        `json:"ping_cadence_days"`
	AckHours        int        `json:"ack_hours"`
	Template        Template   `json:"template"`
	Transparency    bool       `json:"transparency"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// Normalize trims the fields.
func (in *NetworkInput) Normalize() {
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	in.Secretariat = strings.ToLower(strings.TrimSpace(in.Secretariat))
	for _, p := range []*string{&in.NameEN, &in.NameID, &in.DescriptionEN, &in.DescriptionID, &in.Template.PingEN, &in.Template.PingID} {
		*p = strings.TrimSpace(*p)
	}
	for i := range in.Categories {
		c := &in.Categories[i]
		c.Code, c.NameEN, c.NameID = strings.ToLower(strings.TrimSpace(c.Code)), strings.TrimSpace(c.NameEN), strings.TrimSpace(c.NameID)
	}
	if in.MemberKind == "" {
		in.MemberKind = "states"
	}
	if in.Visibility == "" {
		in.Visibility = "members"
	}
	if len(in.Template.Types) == 0 {
		in.Template.Types = RequestTypes
	}
	if in.Template.ResponseHours == nil {
		in.Template.ResponseHours = map[string]int{"routine": 168, "high": 48, "critical": 12}
	}
}

// Validate returns one problem per wrong field.
func (in NetworkInput) Validate() core.Problems {
	p := core.Problems{}
	if !slugRE.MatchString(in.Slug) {
		p.Add("slug", "err.slug")
	}
	if in.Secretariat == "" {
		p.Add("secretariat", "err.required")
	}
	if in.NameEN == "" {
		p.Add("name_en", "err.required")
	}
	for f, v := range map[string]string{"name_en": in.NameEN, "name_id": in.NameID} {
		if utf8.RuneCountInString(v) > 200 {
			p.Add(f, "err.too_long")
		}
	}
	for f, v := range map[string]string{"description_en": in.DescriptionEN, "description_id": in.DescriptionID, "ping_en": in.Template.PingEN, "ping_id": in.Template.PingID} {
		if utf8.RuneCountInString(v) > 2000 {
			p.Add(f, "err.too_long")
		}
	}
	if !slices.Contains(MemberKinds, in.MemberKind) {
		p.Add("member_kind", "err.choice")
	}
	if !slices.Contains(Visibilities, in.Visibility) {
		p.Add("visibility", "err.choice")
	}
	seen := map[string]bool{}
	switch {
	case len(in.Categories) == 0:
		p.Add("categories", "err.categories")
	case len(in.Categories) > 12:
		p.Add("categories", "err.too_many")
	}
	for _, c := range in.Categories {
		if !slugRE.MatchString(c.Code) || c.NameEN == "" || seen[c.Code] || utf8.RuneCountInString(c.NameEN+c.NameID) > 200 {
			p.Add("categories", "err.categories")
		}
		seen[c.Code] = true
	}
	if in.PingCadenceDays < 0 || in.PingCadenceDays > 366 {
		p.Add("ping_cadence_days", "err.range")
	}
	if in.AckHours < 1 || in.AckHours > 720 {
		p.Add("ack_hours", "err.range")
	}
	if len(in.Template.Types) == 0 {
		p.Add("types", "err.required")
	}
	for _, t := range in.Template.Types {
		if !slices.Contains(RequestTypes, t) {
			p.Add("types", "err.choice")
		}
	}
	for u, h := range in.Template.ResponseHours {
		if !slices.Contains(Urgencies, u) || h < 1 || h > 2000 {
			p.Add("response_hours", "err.range")
		}
	}
	return p
}

// ParseCategories reads categories written one per line as
// "code | English name | Indonesian name", the form's plain-text editor.
func ParseCategories(text string) []Category {
	var out []Category
	for line := range strings.Lines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "|")
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		out = append(out, Category{Code: parts[0], NameEN: parts[1], NameID: parts[2]})
	}
	return out
}

// FormatCategories is ParseCategories' inverse.
func FormatCategories(cs []Category) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s | %s | %s\n", c.Code, c.NameEN, c.NameID)
	}
	return b.String()
}

// NetworkMember is a state or organisation in a network, on this node or
// another.
type NetworkMember struct {
	NetworkID string    `db:"network_id" json:"-"`
	Addr      string    `db:"addr" json:"address"` // handle@host
	OrgID     string    `db:"org_id" json:"-"`     // set when the member is on this node
	NameEN    string    `db:"name_en" json:"name_en"`
	NameID    string    `db:"name_id" json:"name_id"`
	Country   string    `db:"country" json:"country,omitempty"`
	JoinedAt  time.Time `db:"joined_at" json:"joined_at"`
	// Filled for listings: how many entries the member has in the directory
	// and when the newest was last confirmed.
	Entries     int        `db:"entries" json:"entries"`
	ConfirmedAt *time.Time `db:"confirmed_at" json:"confirmed_at,omitempty"`
}

// Name returns the member's name in lang.
func (m NetworkMember) Name(lang string) string {
	if lang == "id" && m.NameID != "" {
		return m.NameID
	}
	return m.NameEN
}

// Entry is one point of contact in a network's directory, as the
// secretariat published it.
type Entry struct {
	ID          string    `db:"id" json:"id"`
	NetworkID   string    `db:"network_id" json:"-"`
	Member      string    `db:"member_addr" json:"member"`
	Category    string    `db:"category" json:"category"`
	Deputy      bool      `db:"deputy" json:"deputy"`
	PersonRef   string    `db:"person_ref" json:"person_ref"` // the nominee's account on the member's node
	Contact               // who and how to reach them
	NominatedAt time.Time `db:"nominated_at" json:"nominated_at"`
	ConfirmedAt time.Time `db:"confirmed_at" json:"confirmed_at"` // last nomination or acknowledged ping
	Nomination  string    `db:"nomination" json:"nomination"`     // the member node's signed nomination, as received
	SignedBy    string    `db:"signed_by" json:"signed_by"`       // fingerprint of the key that signed it
}

const entryColumns = `id, network_id, member_addr, category, deputy, person_ref, name, position, institution, email, phone, secure_addr, languages, hours, nominated_at, confirmed_at, nomination, signed_by`

// Contact is how a point of contact is reached.
type Contact struct {
	Name        string `db:"name" json:"name"`
	Position    string `db:"position" json:"position"`
	Institution string `db:"institution" json:"institution"`
	Email       string `db:"email" json:"email"`
	Phone       string `db:"phone" json:"phone"`
	SecureAddr  string `db:"secure_addr" json:"secure_address"` // an Entente address for secure messages
	Languages   string `db:"languages" json:"languages"`
	Hours       string `db:"hours" json:"hours"`
}

var phoneRE = regexp.MustCompile(`^\+?[0-9 ()./-]{5,30}$`)

// Normalize trims the fields.
func (c *Contact) Normalize() {
	for _, p := range []*string{&c.Name, &c.Position, &c.Institution, &c.Email, &c.Phone, &c.SecureAddr, &c.Languages, &c.Hours} {
		*p = strings.TrimSpace(*p)
	}
	c.Email = strings.ToLower(c.Email)
}

// Validate returns one problem per wrong field.
func (c Contact) Validate() core.Problems {
	p := core.Problems{}
	if c.Name == "" {
		p.Add("name", "err.required")
	}
	if c.Email == "" {
		p.Add("email", "err.required")
	} else if at := strings.LastIndex(c.Email, "@"); at < 1 || at == len(c.Email)-1 || strings.ContainsAny(c.Email, " <>,;\r\n") || len(c.Email) > 254 {
		p.Add("email", "err.email")
	}
	if c.Phone != "" && !phoneRE.MatchString(c.Phone) {
		p.Add("phone", "err.phone")
	}
	if c.SecureAddr != "" {
		if h, host, ok := strings.Cut(c.SecureAddr, "@"); !ok || !ValidHandle(h) || host == "" || strings.ContainsAny(host, " /") {
			p.Add("secure_address", "err.address")
		}
	}
	for f, v := range map[string]string{"name": c.Name, "position": c.Position, "institution": c.Institution, "languages": c.Languages, "hours": c.Hours} {
		if utf8.RuneCountInString(v) > 200 || strings.ContainsAny(v, "\r\n\x00") {
			p.Add(f, "err.too_long")
		}
	}
	return p
}

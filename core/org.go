package core

// OrgKind is the kind of an organisation. State kinds open state-only spaces.
type OrgKind string

// The organisation kinds.
const (
	OrgStateMinistry       OrgKind = "state_ministry"
	OrgStateCERT           OrgKind = "state_cert"
	OrgStateLawEnforcement OrgKind = "state_law_enforcement"
	OrgStateAgency         OrgKind = "state_agency"
	OrgInternational       OrgKind = "international"
	OrgCompany             OrgKind = "company"
	OrgCivilSociety        OrgKind = "civil_society"
	OrgAcademia            OrgKind = "academia"
)

// OrgKinds lists every kind in display order.
var OrgKinds = []OrgKind{
	OrgStateMinistry, OrgStateCERT, OrgStateLawEnforcement, OrgStateAgency,
	OrgInternational, OrgCompany, OrgCivilSociety, OrgAcademia,
}

// Valid reports whether k is one of OrgKinds.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if k == x {
			return true
		}
	}
	return false
}

// State reports whether k is a body of a state, which must name its country.
func (k OrgKind) State() bool {
	switch k {
	case OrgStateMinistry, OrgStateCERT, OrgStateLawEnforcement, OrgStateAgency:
		return true
	}
	return false
}

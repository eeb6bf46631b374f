package publicdiplomacy

import "strings"

// mainAccount is the account the newsroom's form and the timeline start
// on: the organisation's own voice — the account named as the
// organisation's handle (kemlu for kemlu; dfat_au for dfat-au, since a
// username has no dash) — rather than whichever sorts first; else the
// first. accs is not empty.
func mainAccount(accs []Account) Account {
	for _, a := range accs {
		if strings.EqualFold(a.Username, strings.ReplaceAll(a.Org, "-", "_")) {
			return a
		}
	}
	return accs[0]
}

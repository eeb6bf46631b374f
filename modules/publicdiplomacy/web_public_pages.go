package publicdiplomacy

import (
	"net/http"

	"entente.example/entente/internal/web"
)

// publicPageRoutes are the other public pages: the verified accounts, the
// signed list, media, hashtags.
func (m *Module) publicPageRoutes() []web.Route { return nil }

// profilePage is an account's public profile.
func (m *Module) profilePage(w http.ResponseWriter, r *http.Request, acc Account) {
	http.Error(w, acc.DisplayName, http.StatusOK)
}

// postPage is a published post's public page.
func (m *Module) postPage(w http.ResponseWriter, r *http.Request, acc Account, p Post) {
	http.Error(w, p.Content, http.StatusOK)
}

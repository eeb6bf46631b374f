package publicdiplomacy

import (
	_ "embed"
	"encoding/json"

	"entente.example/entente/internal/web"
)

// Module is public diplomacy's slice of the product. Its routes are grouped
// by concern, each group in its own file: the ActivityPub and WebFinger
// documents (web_ap.go), the public pages of accounts and posts
// (web_public.go), the newsroom (web_newsroom.go), web-care
// (web_webcare.go), the reading of followed accounts (web_timeline.go),
// accounts (web_accounts.go), disinformation cases
// (web_cases.go) and media monitoring (web_feeds.go), and the JSON API
// (api.go).
type Module struct {
	svc *Service
	web *web.Server
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// Name implements web.Module.
func (m *Module) Name() string { return "publicdiplomacy" }

// Routes implements web.Module.
func (m *Module) Routes() []web.Route {
	var out []web.Route
	for _, group := range [][]web.Route{m.apRoutes(), m.publicRoutes(), m.newsroomRoutes(), m.webcareRoutes(), m.timelineRoutes(), m.accountRoutes(), m.caseRoutes(), m.feedRoutes(), m.apiRoutes()} {
		out = append(out, group...)
	}
	return out
}

// The module's API is described in one OpenAPI file per concern; the node
// serves them as one.
var (
	//go:embed openapi.json
	openapiCore []byte
	//go:embed openapi_cases.json
	openapiCases []byte
	//go:embed openapi_feeds.json
	openapiFeeds []byte
	//go:embed openapi_webcare.json
	openapiWebcare []byte
)

// OpenAPI implements web.OpenAPISource: the files' paths and schemas,
// merged.
func (m *Module) OpenAPI() []byte {
	type doc struct {
		Paths      map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	var merged doc
	merged.Paths, merged.Components.Schemas = map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for _, b := range [][]byte{openapiCore, openapiCases, openapiFeeds, openapiWebcare} {
		var d doc
		if err := json.Unmarshal(b, &d); err != nil {
			panic("publicdiplomacy: openapi: " + err.Error())
		}
		for k, v := range d.Paths {
			merged.Paths[k] = v
		}
		for k, v := range d.Components.Schemas {
			merged.Components.Schemas[k] = v
		}
	}
	b, _ := json.Marshal(merged)
	return b
}

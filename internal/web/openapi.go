package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
)

// buildOpenAPI merges the platform's OpenAPI document with each module's
// fragment (its "paths" and "components.schemas").
func (s *Server) buildOpenAPI() ([]byte, error) {
	b, err := fs.ReadFile(s.files, "api/openapi.json")
	if err != nil {
		return nil, fmt.Errorf("web: openapi: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("web: openapi: %w", err)
	}
	paths := doc["paths"].(map[string]any)
	comps := doc["components"].(map[string]any)
	schemas := comps["schemas"].(map[string]any)
	for _, m := range s.modules {
		src, ok := m.(OpenAPISource)
		if !ok {
			continue
		}
		var frag struct {
			Paths      map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(src.OpenAPI(), &frag); err != nil {
			return nil, fmt.Errorf("web: openapi of %s: %w", m.Name(), err)
		}
		for k, v := range frag.Paths {
			if _, dup := paths[k]; dup {
				return nil, fmt.Errorf("web: openapi: %s describes %s again", m.Name(), k)
			}
			paths[k] = v
		}
		for k, v := range frag.Components.Schemas {
			schemas[k] = v
		}
	}
	if info, ok := doc["info"].(map[string]any); ok && s.Version != "" {
		info["version"] = s.Version
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(s.openapi)
}

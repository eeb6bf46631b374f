package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
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
	addErrorResponses(paths)
	if info, ok := doc["info"].(map[string]any); ok && s.Version != "" {
		info["version"] = s.Version
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(s.openapi)
}

// addErrorResponses gives every operation that lists no 4xx answer the one
// the node really sends: any route can refuse (a token without the scope, a
// body too large, a rate limit), always as an Error document. A module's
// fragment then names only the refusals particular to it.
func addErrorResponses(paths map[string]any) {
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			o, ok := op.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			resp, _ := o["responses"].(map[string]any)
			if resp == nil {
				resp = map[string]any{}
				o["responses"] = resp
			}
			has4xx := false
			for code := range resp {
				if strings.HasPrefix(code, "4") {
					has4xx = true
				}
			}
			if !has4xx {
				resp["4XX"] = map[string]any{
					"description": "A refusal: the request, the caller's rights or the node's limits; the body says why in the caller's language.",
					"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
				}
			}
		}
	}
}

package ledger

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Module serves the ledger under /ledger/ to anyone: the log is public so
// that peers, auditors and standard tools can check it.
type Module struct {
	log *Log
	web *web.Server
}

// NewModule returns the ledger's HTTP surface.
func NewModule(l *Log, w *web.Server) *Module { return &Module{log: l, web: w} }

// Name implements web.Module.
func (m *Module) Name() string { return "ledger" }

// Routes implements web.Module.
func (m *Module) Routes() []web.Route {
	return []web.Route{
		{Pattern: "GET /ledger/checkpoint", Action: access.Public, Handler: m.checkpoint},
		{Pattern: "GET /ledger/tile/{path...}", Action: access.Public, Handler: m.tile},
		{Pattern: "GET /ledger/proof/inclusion", Action: access.Public, Handler: m.inclusion},
		{Pattern: "GET /ledger/proof/consistency", Action: access.Public, Handler: m.consistency},
	}
}

func (m *Module) checkpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := m.log.Latest(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(cp.Note)
}

func (m *Module) tile(w http.ResponseWriter, r *http.Request) {
	level, n, width, err := ParseTilePath(r.PathValue("path"))
	if err != nil {
		m.web.Error(w, r, &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: err})
		return
	}
	// Tiles are served for the latest signed checkpoint, so what a client
	// reads always matches a checkpoint it can fetch.
	cp, err := m.log.Latest(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	b, err := m.log.Tile(r.Context(), cp.Size, level, n, width)
	if errors.Is(err, errNoTile) {
		m.web.Error(w, r, &core.Error{Kind: core.KindNotFound, Message: "err.not_found"})
		return
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if width == 0 {
		// A full tile never changes.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	w.Write(b)
}

// Proof is the JSON form of an inclusion or consistency proof.
type Proof struct {
	Index  int64    `json:"index,omitempty"`
	Old    int64    `json:"old,omitempty"`
	Size   int64    `json:"size"`
	Hashes []string `json:"hashes"` // base64
}

func queryInt(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil || v < 0 {
		return 0, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{name: "err.ledger_index"}}
	}
	return v, nil
}

func (m *Module) sizeFor(r *http.Request) (int64, error) {
	size, err := queryInt(r, "size")
	if err != nil {
		return 0, err
	}
	cp, err := m.log.Latest(r.Context())
	if err != nil {
		return 0, err
	}
	if size > cp.Size {
		return 0, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"size": "err.ledger_index"}}
	}
	return size, nil
}

func hashStrings(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func (m *Module) inclusion(w http.ResponseWriter, r *http.Request) {
	size, err := m.sizeFor(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	index, err := queryInt(r, "index")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.log.ProveInclusion(r.Context(), index, size)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, Proof{Index: index, Size: size, Hashes: hashStrings(p)})
}

func (m *Module) consistency(w http.ResponseWriter, r *http.Request) {
	size, err := m.sizeFor(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	old, err := queryInt(r, "old")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.log.ProveConsistency(r.Context(), old, size)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, Proof{Old: old, Size: size, Hashes: hashStrings(p)})
}

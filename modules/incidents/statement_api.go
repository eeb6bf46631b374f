package incidents

import (
	"context"
	"net/http"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// The statements' JSON API, for the systems of ministries and agencies:
// the same service calls as the pages, the same rules (a published
// statement for anyone, the rest for its parties; the steps for those who
// may take them, and for a token only with the write scope). Its paths are
// described in openapi.json, which the incident records' module serves.

func (m *StatementsModule) apiRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/statements", Action: access.StatementPublic, Handler: m.apiList},
		{Pattern: "GET /api/v1/statements/{id}", Action: access.StatementPublic, Handler: m.apiGet},
		{Pattern: "GET /api/v1/statements/{id}/bundle", Action: access.StatementPublic, Handler: m.bundle},
		{Pattern: "POST /api/v1/statements/{id}/open", Action: access.StatementDraft, Handler: m.apiStep(m.svc.Open)},
		{Pattern: "POST /api/v1/statements/{id}/publish", Action: access.StatementDraft, Handler: m.apiStep(m.svc.Publish)},
		{Pattern: "POST /api/v1/statements/{id}/sign", Action: access.StatementSign, Handler: m.apiAnswer(m.svc.Sign)},
		{Pattern: "POST /api/v1/statements/{id}/decline", Action: access.StatementSign, Handler: m.apiAnswer(m.svc.Decline)},
		{Pattern: "POST /api/v1/statements/{id}/withdraw", Action: access.StatementSign, Handler: m.apiAnswer(m.svc.Withdraw)},
	}
}

// apiStatementRow is a statement in the list.
type apiStatementRow struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	Initiator     string `json:"initiator"`
	InitiatorName string `json:"initiator_name"`
	Actor         string `json:"actor"`
	State         string `json:"state"`
	// Waiting: one of the caller's organisations is invited and has not
	// answered.
	Waiting bool `json:"waiting"`
}

// apiStatement is a statement with its signatures as this node checks
// them, and the steps the caller may take on it now.
type apiStatement struct {
	ID            string         `json:"id"`
	OriginID      string         `json:"origin_id"`
	Initiator     string         `json:"initiator"`
	InitiatorName string         `json:"initiator_name"`
	Country       string         `json:"country"`
	Title         string         `json:"title"`
	Body          string         `json:"body"`
	Language      string         `json:"language"`
	Translation   *Translation   `json:"translation,omitempty"`
	Actor         string         `json:"actor"`
	Incident      string         `json:"incident,omitempty"`
	State         string         `json:"state"`
	PublishMode   string         `json:"publish_mode"`
	PublishAt     *time.Time     `json:"publish_at,omitempty"`
	Text          string         `json:"text,omitempty"` // the exact signed bytes, once open
	SHA256        string         `json:"sha256,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	OpenedAt      *time.Time     `json:"opened_at,omitempty"`
	PublishedAt   *time.Time     `json:"published_at,omitempty"`
	Signatures    []apiSignature `json:"signatures"`
	Actions       []string       `json:"actions"`
}

// apiSignature is the initiator or an invited organisation, its answer,
// and what this node finds of its signature.
type apiSignature struct {
	Signer      string     `json:"signer"`
	Name        string     `json:"name"`
	Country     string     `json:"country"`
	Node        string     `json:"node"`
	State       string     `json:"state"`
	SignedAt    *time.Time `json:"signed_at,omitempty"`
	Verified    bool       `json:"verified"`
	Vouched     bool       `json:"vouched"`
	InLedger    bool       `json:"in_ledger"`
	LedgerIndex *int64     `json:"ledger_index,omitempty"`
	Fingerprint string     `json:"fingerprint,omitempty"`
}

func (m *StatementsModule) apiList(w http.ResponseWriter, r *http.Request) {
	mine, pub, err := m.svc.List(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	// The caller's own first, then the published ones not among them.
	items := []apiStatementRow{}
	seen := map[string]bool{}
	for _, row := range append(mine, pub...) {
		if !seen[row.ID] {
			seen[row.ID] = true
			items = append(items, apiStatementRow(row))
		}
	}
	m.web.JSON(w, http.StatusOK, web.List[apiStatementRow]{Items: items})
}

func (m *StatementsModule) apiGet(w http.ResponseWriter, r *http.Request) {
	st, err := m.svc.Statement(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, m.apiView(r.Context(), st))
}

func (m *StatementsModule) apiView(ctx context.Context, st Statement) apiStatement {
	v := apiStatement{ID: st.ID, OriginID: st.OriginID, Initiator: st.Initiator, InitiatorName: st.InitiatorName, Country: st.Country,
		Title: st.Title, Body: st.Body, Language: st.Language, Actor: st.Actor, Incident: st.Incident, State: st.State,
		PublishMode: st.PublishMode, PublishAt: st.PublishAt, Text: st.Text, SHA256: st.SHA256, CreatedAt: st.CreatedAt,
		OpenedAt: st.OpenedAt, PublishedAt: st.PublishedAt, Signatures: []apiSignature{}, Actions: m.svc.actions(ctx, st)}
	if st.TrLanguage != "" {
		v.Translation = &Translation{Language: st.TrLanguage, Title: st.TrTitle, Body: st.TrBody}
	}
	for _, p := range m.svc.Proofs(ctx, st) {
		v.Signatures = append(v.Signatures, apiSignature{Signer: p.Signer.Signer, Name: p.Name, Country: p.Country, Node: p.Node, State: p.State,
			SignedAt: p.SignedAt, Verified: p.Verified, Vouched: p.Vouched, InLedger: p.InLedger, LedgerIndex: p.LedgerIndex, Fingerprint: p.Fingerprint})
	}
	return v
}

// actions are the steps the actor in ctx may take on st now, by the same
// rules the service applies when one is taken.
func (s *Statements) actions(ctx context.Context, st Statement) []string {
	a := core.ActorFrom(ctx)
	out := []string{}
	if st.Local() && access.Can(a, access.StatementDraft, access.Resource{OrgID: st.OrgID}) {
		switch st.State {
		case StatementDraft:
			out = append(out, "open")
		case StatementOpen:
			out = append(out, "publish")
		}
	}
	if st.State != StatementOpen {
		return out
	}
	for _, g := range st.Invitees() {
		if g.OrgID == "" || !access.Can(a, access.StatementSign, access.Resource{OrgID: g.OrgID}) {
			continue
		}
		switch g.State {
		case SignerInvited:
			out = append(out, "sign", "decline")
		case SignerDeclined, SignerWithdrawn:
			out = append(out, "sign")
		case SignerSigned:
			out = append(out, "withdraw")
		}
		break // the first organisation the caller signs for, as the steps take it
	}
	return out
}

// apiStep runs an initiator's step and answers with the statement.
func (m *StatementsModule) apiStep(do func(context.Context, string) (Statement, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := do(r.Context(), r.PathValue("id"))
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		m.web.JSON(w, http.StatusOK, m.apiView(r.Context(), st))
	}
}

// apiAnswerBody names, optionally, the organisation that answers, when
// the caller may sign for several of those invited.
type apiAnswerBody struct {
	Signer string `json:"signer"`
}

// apiAnswer runs an invited organisation's step; the body is optional.
func (m *StatementsModule) apiAnswer(do func(context.Context, string, string) (Statement, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in apiAnswerBody
		if r.ContentLength != 0 {
			if err := web.DecodeJSON(r, &in); err != nil {
				m.web.Error(w, r, err)
				return
			}
		}
		st, err := do(r.Context(), r.PathValue("id"), in.Signer)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		m.web.JSON(w, http.StatusOK, m.apiView(r.Context(), st))
	}
}

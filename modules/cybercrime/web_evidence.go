package cybercrime

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

// evidenceRoutes are a request's evidence files and their custody: the
// list with each file's log, the upload (streamed: the body limit is the
// largest file, 4 GiB unless EvidenceOptions.MaxFile says otherwise), a
// file's download (which records that its reader opened it), the record of
// a hand-over, the package for a court, and the route the other side's
// node fetches a file from.
func (m *Module) evidenceRoutes() []web.Route {
	upload := m.svc.MaxEvidence() + 1<<20 // the multipart framing and the place field
	return []web.Route{
		{Pattern: "GET /cybercrime/requests/{id}/evidence", Action: access.CybercrimeRead, Handler: m.evidencePage},
		{Pattern: "POST /cybercrime/requests/{id}/evidence", Action: access.CybercrimeAct, Handler: m.evidenceUpload, MaxBody: upload},
		{Pattern: "GET /cybercrime/requests/{id}/evidence/package", Action: access.CybercrimeRead, Handler: m.evidencePackage},
		{Pattern: "GET /cybercrime/requests/{id}/evidence/{eid}", Action: access.CybercrimeRead, Handler: m.evidenceDownload},
		{Pattern: "POST /cybercrime/requests/{id}/evidence/{eid}/handover", Action: access.CybercrimeAct, Handler: m.evidenceHandOver},
		{Pattern: "GET /federation/v1/cybercrime/evidence/{sha256}", Action: access.PeerRequest, Handler: m.evidenceForPeer},
	}
}

// EvidenceSection is a request's evidence as a page shows it.
type EvidenceSection struct {
	RequestID string
	Files     []evidenceFileView
	// CanAct: the reader may add files and record hand-overs.
	CanAct bool
	Closed bool
	// Max is the largest file, in words; empty when the node keeps no
	// evidence.
	Max  string
	Form web.Form
	// HandOver is the file whose hand-over form came back with problems.
	HandOver string
}

type evidenceFileView struct {
	Evidence
	Human string // the size in words
	Log   []custodyView
}

type custodyView struct {
	CustodyRecord
	NodeLabel string // the node's name as this node knows it
}

type evidencePageView struct {
	web.Page
	R       Request
	Section EvidenceSection
}

func (m *Module) evidenceSection(r *http.Request, req Request, f web.Form) (EvidenceSection, error) {
	a := core.ActorFrom(r.Context())
	sec := EvidenceSection{RequestID: req.ID, Form: f, CanAct: access.Can(a, access.CybercrimeAct, access.Resource{OrgID: req.OrgID}),
		Closed: req.Purged || req.State == StateClosed || req.State == StateWithdrawn}
	if max := m.svc.MaxEvidence(); max > 0 {
		sec.Max = web.HumanBytes(max)
	}
	files, err := m.svc.EvidenceOf(r.Context(), req)
	if err != nil {
		return sec, err
	}
	names := map[string]string{m.svc.fed.Host(): m.web.NodeName}
	for _, ev := range files {
		fv := evidenceFileView{Evidence: ev, Human: web.HumanBytes(ev.Size)}
		for _, c := range ev.Custody {
			label, ok := names[c.Node]
			if !ok && m.svc.ev != nil {
				if p, err := m.svc.ev.Fed.PeerByHost(r.Context(), c.Node); err == nil {
					label = p.Name
				}
				names[c.Node] = label
			}
			if label == "" {
				label = c.Node
			}
			fv.Log = append(fv.Log, custodyView{CustodyRecord: c, NodeLabel: label})
		}
		sec.Files = append(sec.Files, fv)
	}
	return sec, nil
}

func (m *Module) renderEvidence(w http.ResponseWriter, r *http.Request, status int, f web.Form, handOver string) {
	req, err := m.svc.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := evidencePageView{Page: m.web.Page(r, "cyb.evidence.title"), R: req}
	v.Nav = "cybercrime"
	if v.Section, err = m.evidenceSection(r, req, f); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Section.HandOver = handOver
	m.web.Render(w, r, status, "cybercrime/evidence", v)
}

func (m *Module) evidencePage(w http.ResponseWriter, r *http.Request) {
	m.renderEvidence(w, r, http.StatusOK, web.Form{}, "")
}

// idleReader lifts the server's one-minute limit on reading a request for
// a body of gigabytes, keeping a limit on idleness instead: while bytes
// flow, the deadline moves on.
type idleReader struct {
	io.ReadCloser
	rc   *http.ResponseController
	last time.Time
}

func (x *idleReader) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(x.last) > time.Second {
		x.last = now
		_ = x.rc.SetReadDeadline(now.Add(time.Minute))
	}
	return x.ReadCloser.Read(p)
}

// idleWriter does the same for an answer of gigabytes.
type idleWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	last time.Time
}

func (x *idleWriter) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(x.last) > time.Second {
		x.last = now
		_ = x.rc.SetWriteDeadline(now.Add(time.Minute))
	}
	return x.w.Write(p)
}

// evidenceUpload streams the form's file part straight into the blob
// store: the form is never parsed into memory or a temporary file. The
// place field comes before the file in the form, so it is known when the
// file arrives.
func (m *Module) evidenceUpload(w http.ResponseWriter, r *http.Request) {
	up := Upload{}
	fail := func(err error) {
		// The place is kept; a browser never keeps a file input's file.
		f := web.Form{Problems: core.Problems{}, Values: url.Values{"place": {up.Place}}}
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		w.Header().Set("Connection", "close") // the rest of a refused body is not read
		m.renderEvidence(w, r, web.FormStatus(err), f, "")
	}
	r.Body = &idleReader{ReadCloser: r.Body, rc: http.NewResponseController(w)}
	mr, err := r.MultipartReader()
	if err != nil {
		fail(core.Problems{"file": "err.required"}.Err("cybercrime: evidence"))
		return
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(uploadErr(err))
			return
		}
		switch part.FormName() {
		case "place":
			b, _ := io.ReadAll(io.LimitReader(part, 4*maxCustodyText))
			up.Place = string(b)
			continue
		case "file":
		default:
			continue
		}
		up.Name, up.ContentType, up.Body = part.FileName(), part.Header.Get("Content-Type"), part
		if _, err := m.svc.AddEvidence(r.Context(), r.PathValue("id"), up); err != nil {
			fail(uploadErr(err))
			return
		}
		m.web.Redirect(w, r, "/cybercrime/requests/"+r.PathValue("id")+"/evidence", "flash.cyb_evidence_added")
		return
	}
	fail(core.Problems{"file": "err.required"}.Err("cybercrime: evidence"))
}

// uploadErr names the file field for a body cut off by the route's limit.
func uploadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return core.Problems{"file": "err.cyb_evidence_large"}.Err("cybercrime: evidence")
	}
	if core.AsError(err) == nil {
		return core.Problems{"file": "err.form_body"}.Err("cybercrime: evidence: " + err.Error())
	}
	return err
}

func attachment(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}

// evidenceDownload gives a file, as bytes to save (never shown in the
// browser, whatever its type), and records that the reader opened it.
func (m *Module) evidenceDownload(w http.ResponseWriter, r *http.Request) {
	ev, body, err := m.svc.OpenEvidence(r.Context(), r.PathValue("id"), r.PathValue("eid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	defer body.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(ev.Size, 10))
	if sum, err := hex.DecodeString(ev.SHA256); err == nil {
		w.Header().Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":") // RFC 9530
	}
	attachment(w, ev.Name)
	_, _ = io.Copy(&idleWriter{w: w, rc: http.NewResponseController(w)}, body)
}

func (m *Module) evidenceHandOver(w http.ResponseWriter, r *http.Request) {
	h := HandOver{To: r.PostFormValue("to"), Place: r.PostFormValue("place"), Note: r.PostFormValue("note")}
	eid := r.PathValue("eid")
	if err := m.svc.RecordHandOver(r.Context(), r.PathValue("id"), eid, h); err != nil {
		f := web.Form{Values: r.PostForm}
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		m.renderEvidence(w, r, web.FormStatus(err), f, eid)
		return
	}
	m.web.Redirect(w, r, "/cybercrime/requests/"+r.PathValue("id")+"/evidence", "flash.cyb_evidence_handed")
}

// evidencePackage streams the package. Once its first byte is out, a
// failure can no longer become an error page: the connection is cut, so
// that the reader gets a broken download rather than a short archive.
func (m *Module) evidencePackage(w http.ResponseWriter, r *http.Request) {
	started := false
	err := m.svc.ExportPackage(r.Context(), r.PathValue("id"), func(name string) {
		started = true
		w.Header().Set("Content-Type", "application/zip")
		attachment(w, name)
	}, &idleWriter{w: w, rc: http.NewResponseController(w)})
	switch {
	case err == nil:
	case !started:
		m.web.Error(w, r, err)
	default:
		m.web.Log.Error("cybercrime: evidence package cut short", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// evidenceForPeer serves a file to the node of the other side of its
// request, after checking the signature of its GET.
func (m *Module) evidenceForPeer(w http.ResponseWriter, r *http.Request) {
	m.svc.ServePeerEvidence(w, r, func(w http.ResponseWriter, r *http.Request, err error) {
		if federation.Refusal(err) != "" {
			federation.PeerError(m.web, w, r, err)
			return
		}
		m.web.JSON(w, web.Status(core.KindOf(err)), web.APIError{Error: web.APIErrorBody{Kind: core.KindOf(err), Message: "refused"}})
	})
}

// ServePeerEvidence answers a peer's signed GET
// /federation/v1/cybercrime/evidence/{sha256}?from=…&request=… with the
// file's bytes, streamed; fail writes a refusal.
func (s *Service) ServePeerEvidence(w http.ResponseWriter, r *http.Request, fail func(http.ResponseWriter, *http.Request, error)) {
	if err := s.evidenceReady(); err != nil {
		fail(w, r, errOp("evidence", core.KindNotFound, "err.not_found"))
		return
	}
	peer, err := s.ev.Fed.VerifyRequest(r.Context(), r, nil)
	if err != nil {
		fail(w, r, err)
		return
	}
	q := r.URL.Query()
	ev, body, err := s.ServeEvidence(r.Context(), peer, q.Get("from"), q.Get("request"), r.PathValue("sha256"))
	if err != nil {
		fail(w, r, err)
		return
	}
	defer body.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(ev.Size, 10))
	_, _ = io.Copy(&idleWriter{w: w, rc: http.NewResponseController(w)}, body)
}

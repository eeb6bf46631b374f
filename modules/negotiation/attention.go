package negotiation

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
)

// Notifier e-mails the people of an organisation; notify.People implements
// it.
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// UseNotifier sets how the table's people are e-mailed: the chair when an
// amendment or an objection arrives, the delegations when silence opens.
// Without one, nobody is.
func (s *Service) UseNotifier(n Notifier) { s.notify = n }

// tableRoles are the roles that act at the table (access.NegotiationChair and
// NegotiationAct), so the ones told what waits there.
var tableRoles = []core.Role{core.RoleAdmin, core.RoleOfficer}

func textPath(p *Process, t *Text) string { return "/negotiation/" + p.ID + "/texts/" + t.ID }

// tellLocal e-mails the people at the table for addr, if it is an
// organisation of this node.
func (s *Service) tellLocal(ctx context.Context, tx *store.Tx, addr string, k notify.Kind, path string, args notify.Args) error {
	handle, host, ok := federation.Address(addr)
	if s.notify == nil || !ok || host != s.fed.Host() {
		return nil
	}
	var orgID string
	if err := tx.Get(ctx, &orgID, `SELECT id FROM organisations WHERE handle = ?`, handle); err != nil {
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return nil
		}
		return core.Wrap("negotiation: notify", err)
	}
	return s.notify.NotifyOrg(ctx, tx, orgID, tableRoles, k, path, args)
}

// tellChair e-mails the chair that a delegation amended a text or objected
// under silence. It runs on the chair's node, for local acts and for acts
// from peers alike.
func (s *Service) tellChair(ctx context.Context, tx *store.Tx, p *Process, act Act) error {
	t, ok := p.Text(act.Text)
	if !ok {
		return nil
	}
	by := p.Name(act.By)
	switch act.Kind {
	case ActAmend:
		return s.tellLocal(ctx, tx, p.Chair(), notify.Amendment, textPath(p, t), notify.Args{"process": p.Title, "text": t.Title, "by": by})
	case ActObject:
		return s.tellLocal(ctx, tx, p.Chair(), notify.Objection, textPath(p, t), notify.Args{"process": p.Title, "text": t.Title, "by": by, "reason": act.Reason})
	}
	return nil
}

// tellSilence e-mails this node's delegations that a text went under
// silence, and schedules the reminder that it is ending.
func (s *Service) tellSilence(ctx context.Context, tx *store.Tx, p *Process, t *Text) error {
	sil := t.Silence()
	if sil == nil || s.notify == nil {
		return nil
	}
	if err := s.tellDelegations(ctx, tx, p, t, notify.SilenceOpen); err != nil {
		return err
	}
	return s.jobs.Enqueue(ctx, tx, jobSilenceEnding, silenceRef{Process: p.ID, Text: t.ID, Silence: sil.ID},
		jobs.Options{RunAt: remindAt(sil), UniqueKey: jobSilenceEnding + ":" + sil.ID})
}

// tellDelegations e-mails the people of this node's delegations who may
// object (admins and officers) about the silence running on t.
func (s *Service) tellDelegations(ctx context.Context, tx *store.Tx, p *Process, t *Text, k notify.Kind) error {
	sil := t.Silence()
	if sil == nil {
		return nil
	}
	args := notify.Args{"process": p.Title, "text": t.Title, "deadline": sil.Deadline.UTC().Format(notify.DeadlineFormat)}
	for _, x := range p.InRole(RoleDelegation) {
		if err := s.tellLocal(ctx, tx, x.Addr, k, textPath(p, t), args); err != nil {
			return err
		}
	}
	return nil
}

// jobSilenceEnding reminds delegations that a silence is about to end.
const jobSilenceEnding = "negotiation.silence_ending"

// silenceRef names one silence procedure.
type silenceRef struct {
	Process string `json:"process"`
	Text    string `json:"text"`
	Silence string `json:"silence"`
}

// remindAt is when delegations hear that a silence is ending: a day before
// its deadline, or halfway through a silence shorter than two days.
func remindAt(sil *Silence) time.Time {
	at := sil.Deadline.Add(-24 * time.Hour)
	if half := sil.Started.Add(sil.Deadline.Sub(sil.Started) / 2); at.Before(half) {
		at = half
	}
	return at
}

// silenceEndingJob e-mails the reminder, unless the silence was broken or
// has ended meanwhile.
func (s *Service) silenceEndingJob(ctx context.Context, b []byte) error {
	var j silenceRef
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		p, _, err := s.load(ctx, tx.Conn, j.Process)
		if core.KindOf(err) == core.KindNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		t, ok := p.Text(j.Text)
		if !ok || t.Silence() == nil || t.Silence().ID != j.Silence || !tx.Now.Before(t.Silence().Deadline) {
			return nil
		}
		return s.tellDelegations(ctx, tx, p, t, notify.SilenceEnding)
	})
}

// runningSilences returns the ids of the silences running in p.
func runningSilences(p *Process) []string {
	var ids []string
	for i := range p.Texts {
		if sil := p.Texts[i].Silence(); sil != nil {
			ids = append(ids, sil.ID)
		}
	}
	return ids
}

// storedSilences returns the ids of the silences running in the copy of a
// process this node holds now, before a newer copy replaces it.
func (s *Service) storedSilences(ctx context.Context, tx *store.Tx, id string) ([]string, error) {
	var doc string
	if err := tx.Get(ctx, &doc, `SELECT doc FROM neg_processes WHERE id = ?`, id); err != nil {
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return nil, nil
		}
		return nil, core.Wrap("negotiation: silences", err)
	}
	var old Process
	if err := json.Unmarshal([]byte(doc), &old); err != nil {
		return nil, nil // an unreadable old copy: every silence is news
	}
	return runningSilences(&old), nil
}

// tellNewSilences e-mails this node's delegations about the silences running
// in p that were not in known: opened here by the chair, or in a newer copy
// from the chair's node.
func (s *Service) tellNewSilences(ctx context.Context, tx *store.Tx, p *Process, known []string) error {
	for i := range p.Texts {
		t := &p.Texts[i]
		if sil := t.Silence(); sil != nil && !slices.Contains(known, sil.ID) {
			if err := s.tellSilence(ctx, tx, p, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// Attention implements web.AttentionSource: for the chair, amendments to
// decide and silences running; for a delegation, silences it may still
// break.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	ps, err := m.svc.Processes(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, sum := range ps {
		if sum.Role == RoleStakeholder {
			continue
		}
		v, err := m.svc.Process(ctx, sum.ID)
		if err != nil {
			continue // left the table since the list was read
		}
		out = append(out, waiting(v)...)
	}
	return out, nil
}

// waiting lists what in one process waits on the holder of seat.
func waiting(v View) []web.Attention {
	var out []web.Attention
	p := v.P
	chairs := v.Seat.Runs() && v.Hosted
	// Only a delegation that may act may object.
	acts := len(v.Seat.Acts) > 0
	for i := range p.Texts {
		t := &p.Texts[i]
		link := textPath(p, t)
		if chairs {
			n := 0
			for _, am := range t.Amendments {
				if am.State == AmendProposed {
					n++
				}
			}
			if n > 0 {
				out = append(out, web.Attention{Key: "attn.amendments", Args: []any{t.Title, n}, Link: link})
			}
		}
		sil := t.Silence()
		if sil == nil {
			continue
		}
		due := sil.Deadline
		switch {
		case chairs:
			out = append(out, web.Attention{Key: "attn.silence_chair", Args: []any{t.Title}, Link: link, Due: &due})
		case acts:
			out = append(out, web.Attention{Key: "attn.silence", Args: []any{t.Title}, Link: link, Due: &due})
		}
	}
	return out
}

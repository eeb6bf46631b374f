package incidents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// The module's envelope types: an incident's whole record at a version,
// and its withdrawal from a node that may no longer see it.
const (
	TypeIncident   = "incidents.incident"
	TypeWithdrawal = "incidents.withdrawal"
)

// withdrawalWire tells a node to drop its copy.
type withdrawalWire struct {
	OriginID string `json:"origin_id"`
	Version  int    `json:"version"`
}

// recipients are the addresses (one per node) of the peers that may see
// inc: the named organisations' nodes, the network members' nodes, every
// verified peer for a public incident. RED and the organisation's own
// audience stay here.
func (s *Service) recipients(ctx context.Context, tx *store.Tx, inc Incident) ([]string, error) {
	byHost := map[string]string{}
	var hosts []string
	add := func(addr string) {
		_, host, ok := federation.Address(addr)
		if !ok || host == s.fed.Host() {
			return
		}
		if _, seen := byHost[host]; !seen {
			hosts = append(hosts, host)
			byHost[host] = addr
		}
	}
	if inc.TLP == core.TLPRed {
		return nil, nil
	}
	switch inc.Audience {
	case AudiencePublic:
		orgs, err := s.fed.RemoteOrgs(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			add(o.Address())
		}
	case AudienceNamed:
		for _, r := range inc.AudienceRefs {
			add(r)
		}
	case AudienceNetwork:
		for _, n := range inc.AudienceRefs {
			var addrs []string
			if err := tx.Select(ctx, &addrs, `SELECT addr FROM poc_members WHERE network_id = ? ORDER BY addr`, n); err != nil {
				return nil, core.Wrap("incidents: recipients", err)
			}
			for _, a := range addrs {
				add(a)
			}
		}
	}
	slices.Sort(hosts)
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, byHost[h])
	}
	return out, nil
}

// share sends the incident's current version to every node that may see
// it, and a withdrawal to every node it went to before that may not any
// more. A peer not verified is skipped (it gets the next version).
func (s *Service) share(ctx context.Context, tx *store.Tx, inc Incident) error {
	to, err := s.recipients(ctx, tx, inc)
	if err != nil {
		return err
	}
	var before []struct {
		Host string `db:"host"`
		Addr string `db:"addr"`
	}
	if err := tx.Select(ctx, &before, `SELECT host, addr FROM inc_shared WHERE incident_id = ? ORDER BY host`, inc.ID); err != nil {
		return core.Wrap("incidents: share", err)
	}
	handle, _, _ := federation.Address(inc.Owner)
	refs, err := s.sharedLinks(ctx, tx, inc)
	if err != nil {
		return err
	}
	now := map[string]bool{}
	for _, addr := range to {
		_, host, _ := federation.Address(addr)
		now[host] = true
		_, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeIncident, From: handle, To: addr, TLP: inc.TLP, Payload: sharedWire{Incident: inc, Links: refs}})
		if errors.Is(err, federation.ErrPeerNotVerified) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO inc_shared (incident_id, host, addr) VALUES (?, ?, ?) ON CONFLICT (incident_id, host) DO NOTHING`, inc.ID, host, addr); err != nil {
			return core.Wrap("incidents: share", err)
		}
	}
	for _, b := range before {
		if now[b.Host] {
			continue
		}
		_, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeWithdrawal, From: handle, To: b.Addr, TLP: core.TLPClear, Payload: withdrawalWire{OriginID: inc.OriginID, Version: inc.Version}})
		if err != nil && !errors.Is(err, federation.ErrPeerNotVerified) {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM inc_shared WHERE incident_id = ? AND host = ?`, inc.ID, b.Host); err != nil {
			return core.Wrap("incidents: share", err)
		}
	}
	return nil
}

// Receive implements federation.Handler. A node speaks only for its own
// organisations: an incident is believed only from the node that owns it,
// and from its owning organisation's address; a version no newer than the
// one held is dropped, so each version is applied once and an older one
// never replaces a newer one, whatever order the outbox delivers them in.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, host, ok := federation.Address(env.From)
	if !ok || host == s.fed.Host() {
		return malformed("sender")
	}
	switch env.Type {
	case TypeIncident:
		inc, refs, err := ParseShared(payload)
		if err != nil {
			return err
		}
		if inc.Node != host || inc.Owner != env.From || inc.TLP != env.TLP {
			return malformed("owner")
		}
		if inc.UpdatedAt.After(env.Created.Add(5*time.Minute)) || inc.CreatedAt.After(inc.UpdatedAt) {
			return malformed("times")
		}
		return s.keep(ctx, tx, inc, refs)
	case TypeWithdrawal:
		var w withdrawalWire
		if err := strictJSON(payload, &w); err != nil || !core.ValidID(w.OriginID) || w.Version < 1 {
			return malformed("withdrawal")
		}
		return s.withdraw(ctx, tx, host, w)
	}
	return malformed("type " + env.Type)
}

var _ federation.Handler = (*Service)(nil)

// ParseIncident reads an incident as a peer sends it: strict JSON (no
// unknown fields, no duplicate keys, no trailing data), ids as NewID makes
// them, and the checks its owner's form went through. The envelope's links
// are ParseShared's.
func ParseIncident(b []byte) (Incident, error) {
	inc, _, err := ParseShared(b)
	return inc, err
}

func checkIncident(inc Incident) (Incident, error) {
	if !core.ValidID(inc.OriginID) || inc.Version < 1 || inc.Version > 1<<30 || len(inc.Node) > 255 || len(inc.Owner) > 300 {
		return Incident{}, malformed("incident ids")
	}
	if _, host, ok := federation.Address(inc.Owner); !ok || host != inc.Node {
		return Incident{}, malformed("incident owner")
	}
	if p := inc.Validate(); len(p) > 0 {
		return Incident{}, malformed("incident fields")
	}
	if len(inc.Attributions) > maxList*4 || len(inc.Responses) > maxList*4 {
		return Incident{}, malformed("incident lists")
	}
	for k := range inc.Attributions {
		if !core.ValidID(inc.Attributions[k].OriginID) || len(inc.Attributions[k].Validate()) > 0 {
			return Incident{}, malformed("attribution")
		}
	}
	for k := range inc.Responses {
		if !core.ValidID(inc.Responses[k].OriginID) || len(inc.Responses[k].Validate()) > 0 {
			return Incident{}, malformed("response")
		}
	}
	return inc, nil
}

func strictJSON(b []byte, v any) error {
	if err := core.CheckJSON(b); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}

// keep stores or replaces this node's copy of a peer's incident, and its
// links (refs).
func (s *Service) keep(ctx context.Context, tx *store.Tx, inc Incident, refs []core.Ref) error {
	var gone []int
	if err := tx.Select(ctx, &gone, `SELECT version FROM inc_withdrawn WHERE node = ? AND origin_id = ?`, inc.Node, inc.OriginID); err != nil {
		return core.Wrap("incidents: receive", err)
	}
	if len(gone) > 0 && gone[0] >= inc.Version {
		return nil
	}
	// Two versions delivered at once are applied one after the other, the
	// later judged against what the earlier stored: on PostgreSQL a lock
	// on the incident's identity (held until this transaction ends, and
	// taken also when there is no copy yet to lock) makes them wait for
	// each other; SQLite writes one transaction at a time. So an older
	// version never overwrites a newer one, and two first versions never
	// both insert.
	if tx.Engine() == store.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 15))`, "incidents:"+inc.Node+":"+inc.OriginID); err != nil {
			return core.Wrap("incidents: receive", err)
		}
	}
	var cur []Incident
	if err := tx.Select(ctx, &cur, `SELECT `+prefixed+` FROM inc_incidents i WHERE i.node = ? AND i.origin_id = ?`, inc.Node, inc.OriginID); err != nil {
		return core.Wrap("incidents: receive", err)
	}
	inc.OrgID = ""
	inc.CreatedAt, inc.UpdatedAt = inc.CreatedAt.UTC(), inc.UpdatedAt.UTC()
	if len(cur) > 0 {
		if cur[0].OrgID != "" || cur[0].Version >= inc.Version {
			return nil // ours, or already applied
		}
		inc.ID = cur[0].ID
		if err := updateIncident(ctx, tx, &inc); err != nil {
			return err
		}
		for _, t := range []string{"inc_attributions", "inc_responses"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE incident_id = ?`, inc.ID); err != nil {
				return core.Wrap("incidents: receive", err)
			}
		}
	} else {
		inc.ID = core.NewID(tx.Now)
		if err := insertIncident(ctx, tx, &inc); err != nil {
			return err
		}
	}
	if err := s.keepLinks(ctx, tx, inc, refs); err != nil {
		return err
	}
	for k := range inc.Attributions {
		inc.Attributions[k].ID = core.NewID(tx.Now)
		if err := insertAttribution(ctx, tx, inc.ID, &inc.Attributions[k]); err != nil {
			return err
		}
	}
	for k := range inc.Responses {
		inc.Responses[k].ID = core.NewID(tx.Now)
		if err := insertResponse(ctx, tx, inc.ID, &inc.Responses[k]); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM inc_withdrawn WHERE node = ? AND origin_id = ?`, inc.Node, inc.OriginID); err != nil {
		return core.Wrap("incidents: receive", err)
	}
	if err := setAudience(ctx, tx, inc); err != nil {
		return err
	}
	for _, h := range s.changed {
		if err := h(ctx, tx, inc); err != nil {
			return err
		}
	}
	// The first copy is news to the organisations it reaches here, once
	// its audience rows say which.
	if len(cur) == 0 {
		if err := s.arrived(ctx, tx, inc); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, "incidents.copy", "inc_incident", inc.ID, "", inc.Owner+" v"+itoa(inc.Version))
}

// withdraw drops the copy of a peer's incident, unless this node already
// holds a newer version than the withdrawal's.
func (s *Service) withdraw(ctx context.Context, tx *store.Tx, node string, w withdrawalWire) error {
	var cur []Incident
	if err := tx.Select(ctx, &cur, `SELECT `+prefixed+` FROM inc_incidents i WHERE i.node = ? AND i.origin_id = ? AND i.org_id = ''`, node, w.OriginID); err != nil {
		return core.Wrap("incidents: withdraw", err)
	}
	if len(cur) > 0 && cur[0].Version > w.Version {
		return nil
	}
	if len(cur) > 0 {
		if err := s.keepLinks(ctx, tx, cur[0], nil); err != nil {
			return err
		}
		for _, t := range []string{"inc_attributions", "inc_responses", "inc_audience"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE incident_id = ?`, cur[0].ID); err != nil {
				return core.Wrap("incidents: withdraw", err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM inc_incidents WHERE id = ?`, cur[0].ID); err != nil {
			return core.Wrap("incidents: withdraw", err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM inc_withdrawn WHERE node = ? AND origin_id = ?`, node, w.OriginID); err != nil {
		return core.Wrap("incidents: withdraw", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO inc_withdrawn (node, origin_id, version) VALUES (?, ?, ?)`, node, w.OriginID, w.Version); err != nil {
		return core.Wrap("incidents: withdraw", err)
	}
	return audit.Record(ctx, tx, "incidents.withdrawn", "inc_incident", w.OriginID, "", node+" v"+itoa(w.Version))
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

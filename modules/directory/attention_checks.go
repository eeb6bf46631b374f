package directory

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// RunningCheck is a communication check a secretariat the person
// administers has running, with how far it has come.
type RunningCheck struct {
	ID           string    `db:"id"`
	NameEN       string    `db:"name_en"`
	NameID       string    `db:"name_id"`
	Deadline     time.Time `db:"deadline"`
	Targets      int       `db:"targets"`
	Acknowledged int       `db:"acknowledged"`
}

// Name is the check's network name in lang.
func (c RunningCheck) Name(lang string) string {
	if lang == "id" && c.NameID != "" {
		return c.NameID
	}
	return c.NameEN
}

// ChecksRunning lists the running checks of networks this node hosts whose
// secretariat the actor administers: a secretariat watches them until they
// close, and reminds or escalates while they run.
func (s *Networks) ChecksRunning(ctx context.Context) ([]RunningCheck, error) {
	secs := s.secretariatsOf(core.ActorFrom(ctx))
	if len(secs) == 0 {
		return nil, nil
	}
	args := append([]any{PingRunning, s.fed.Host()}, secs...)
	var out []RunningCheck
	err := s.db.R().Select(ctx, &out, `SELECT p.id, n.name_en, n.name_id, p.deadline,
		(SELECT COUNT(*) FROM poc_ping_targets t WHERE t.ping_id = p.id AND t.escalated_from = '') AS targets,
		(SELECT COUNT(*) FROM poc_ping_targets t WHERE t.ping_id = p.id AND t.escalated_from = '' AND t.state = 'acknowledged') AS acknowledged
		FROM poc_pings p JOIN poc_networks n ON n.id = p.network_id
		WHERE p.state = ? AND n.host = ? AND n.secretariat IN (`+strings.TrimSuffix(strings.Repeat("?,", len(secs)), ",")+`)
		ORDER BY p.deadline LIMIT 20`, args...)
	return out, core.Wrap("directory: checks running", err)
}

// secretariatsOf lists, as query arguments, the addresses of the
// organisations whose networks the actor may run.
func (s *Networks) secretariatsOf(a core.Actor) []any {
	var secs []any
	for _, m := range a.Memberships {
		if access.Check(a, access.NetworkManage, access.Resource{OrgID: m.Org.ID}) == nil {
			secs = append(secs, s.addr(m.Org.Handle))
		}
	}
	return secs
}

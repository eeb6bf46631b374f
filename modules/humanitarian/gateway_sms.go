package humanitarian

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/humanitarian/inbound"
)

// SMS replies are cut to fit this many parts: three SMS still reach a
// basic phone as one message, and cost the gateway's owner little.
const smsReplyParts = 3

// SMSOutcome is what a person's SMS came to: a report recorded, or the
// information asked for, or nothing (throttled), with the language to
// reply in.
type SMSOutcome struct {
	Command   inbound.Command
	Lang      string
	Report    *Report // the report recorded (or recorded before, for a message delivered twice)
	Duplicate bool    // the gateway had delivered this message before: its reply was made then
	Invalid   bool    // a report that could not be taken (no text)
	Closed    bool    // the emergency takes no more reports
	Throttled bool    // the sender sent too many: no report and no reply
	Info      Info    // for INFO and INFO SHELTER
	Near      string  // the place shelters were sought near, as the gazetteer names it
	Shelters  []NearShelter
}

// ReceiveSMS takes a message a gateway delivered for its emergency: LAPOR
// or REPORT (or any text without a keyword) makes a report, placed from
// the text; INFO and INFO SHELTER gather what the reply tells. The sender
// is throttled first.
func (s *Service) ReceiveSMS(ctx context.Context, h Hook, m inbound.Message) (SMSOutcome, error) {
	e := h.Emergency
	cmd := inbound.ParseCommand(m.Text)
	out := SMSOutcome{Command: cmd, Lang: cmd.Lang}
	if out.Lang == "" {
		out.Lang = "id"
		if len(e.Languages) > 0 {
			out.Lang = e.Languages[0]
		}
	}
	if err := s.Throttle(ctx, "sms:"+m.From, senderPerHour); err != nil {
		if core.KindOf(err) == core.KindRateLimited {
			out.Throttled = true
			return out, nil
		}
		return out, err
	}
	switch cmd.Kind {
	case inbound.CommandInfo, inbound.CommandInfoShelter:
		var err error
		if out.Info, err = s.Info(ctx, e); err != nil {
			return out, err
		}
		if cmd.Kind == inbound.CommandInfoShelter {
			lat, lon := e.Centre()
			if p, ok := s.places.Resolve(cmd.Arg); ok && strings.TrimSpace(cmd.Arg) != "" {
				lat, lon, out.Near = p.Lat, p.Lon, p.Name
			}
			out.Shelters = Nearest(out.Info.Shelters, lat, lon, 3)
		}
		return out, nil
	}
	in := ReportInput{EmergencyID: e.ID, Channel: ChannelSMS, Text: cmd.Arg, OccurredAt: m.At, Lang: out.Lang, Contact: m.From}
	if m.ID != "" {
		// Two gateways may number their messages alike.
		in.MsgID = h.Gateway.ID + ":" + m.ID
	}
	// The place is whatever the gazetteer finds named in the text; its
	// P-code is what the report keeps of it, the text being the report.
	if p, ok := s.places.Resolve(cmd.Arg); ok {
		in.Place = p.PCode
	}
	if utf8.RuneCountInString(in.Text) > maxReportText {
		in.Text = string([]rune(in.Text)[:maxReportText])
	}
	if in.MsgID != "" {
		// Submit gives a message delivered again its first report, looking
		// like a new one; the reply must know, or the person is answered
		// twice. Two deliveries at the same instant may both pass here:
		// then one report still, and at worst two receipts.
		var n int
		if err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM hum_reports WHERE emergency_id = ? AND channel = ? AND msg_id = ?`,
			e.ID, ChannelSMS, in.MsgID); err != nil {
			return out, err
		}
		out.Duplicate = n > 0
	}
	r, err := s.Submit(ctx, in)
	if ce := core.AsError(err); ce != nil && ce.Kind == core.KindInvalid {
		out.Invalid, out.Closed = true, ce.Fields["emergency"] != ""
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Report = &r
	return out, nil
}

// OutSMS is a reply waiting for a gateway that polls.
type OutSMS struct {
	UUID    string `json:"uuid" db:"id"`
	To      string `json:"to" db:"to_number"`
	Message string `json:"message" db:"message"`
}

// Replies are handed to a polling gateway again if it has not said they
// went out within retryAfter, at most maxTries times: a gateway that never
// confirms must not text a person every minute.
const (
	retryAfter = 15 * time.Minute
	maxTries   = 3
	pollBatch  = 20
)

// QueueSMS keeps a reply for the gateway to fetch.
func (s *Service) QueueSMS(ctx context.Context, gatewayID, to, text string) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO hum_sms_outbox (id, gateway_id, to_number, message, created_at) VALUES (?, ?, ?, ?, ?)`,
			newUUID(), gatewayID, to, text, tx.Now)
		return err
	})
}

// newUUID is a random (version 4) UUID: SMSSync names the messages it
// sends by their uuid.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// TakeSMS hands the gateway the replies it should send now, oldest first,
// and notes that they were handed out.
func (s *Service) TakeSMS(ctx context.Context, gatewayID string) ([]OutSMS, error) {
	var out []OutSMS
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		out = nil
		if err := tx.Select(ctx, &out, `SELECT id, to_number, message FROM hum_sms_outbox
			WHERE gateway_id = ? AND sent_at IS NULL AND tries < ? AND (handed_at IS NULL OR handed_at <= ?)
			ORDER BY created_at, id LIMIT ?`, gatewayID, maxTries, tx.Now.Add(-retryAfter), pollBatch); err != nil {
			return err
		}
		for _, m := range out {
			if _, err := tx.Exec(ctx, `UPDATE hum_sms_outbox SET handed_at = ?, tries = tries + 1 WHERE id = ?`, tx.Now, m.UUID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// SentSMS records that the gateway sent the replies named, and returns
// those of them that were its own.
func (s *Service) SentSMS(ctx context.Context, gatewayID string, uuids []string) ([]string, error) {
	if len(uuids) > 100 {
		uuids = uuids[:100]
	}
	done := []string{}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		done = done[:0]
		for _, id := range uuids {
			if slices.Contains(done, id) {
				continue
			}
			var n int
			if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM hum_sms_outbox WHERE id = ? AND gateway_id = ?`, id, gatewayID); err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE hum_sms_outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL`, tx.Now, id); err != nil {
				return err
			}
			done = append(done, id)
		}
		return nil
	})
	return done, err
}

package directory

import (
	"strconv"
	"time"
)

// Ping (communication check) states. A target is pending until its point of
// contact acknowledges; at its deadline it becomes overdue (the message
// arrived, nobody answered) or unreachable (it never arrived), and the
// check escalates to the entry's deputies.
const (
	PingRunning  = "running"
	PingFinished = "finished"

	TargetPending      = "pending"
	TargetAcknowledged = "acknowledged"
	TargetOverdue      = "overdue"
	TargetUnreachable  = "unreachable"
	// TargetNoContact is a member with no primary point of contact when
	// the check started: nobody could be asked, and the results say so.
	TargetNoContact = "no_contact"
)

// Ping is a communication check of a network, run by its secretariat.
type Ping struct {
	ID         string     `db:"id" json:"id"`
	NetworkID  string     `db:"network_id" json:"network_id"`
	StartedBy  string     `db:"started_by" json:"started_by"`
	StartedAt  time.Time  `db:"started_at" json:"started_at"`
	Deadline   time.Time  `db:"deadline" json:"deadline"`
	State      string     `db:"state" json:"state"`
	FinishedAt *time.Time `db:"finished_at" json:"finished_at,omitempty"`
	Message    string     `db:"message" json:"message"`
	MessageID  string     `db:"message_id" json:"message_id"` // in Indonesian
	// Counts, filled for listings.
	Targets      int `db:"targets" json:"targets"`
	Acknowledged int `db:"acknowledged" json:"acknowledged"`
}

// Rate is the share of targets that acknowledged, in percent.
func (p Ping) Rate() int { return percent(p.Acknowledged, p.Targets) }

func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return (n*100 + of/2) / of
}

// Target is one point of contact asked to acknowledge a ping.
type Target struct {
	ID            string     `db:"id" json:"id"`
	PingID        string     `db:"ping_id" json:"-"`
	EntryID       string     `db:"entry_id" json:"entry_id"`
	Member        string     `db:"member_addr" json:"member"`
	Category      string     `db:"category" json:"category"`
	Name          string     `db:"name" json:"name"`
	Deputy        bool       `db:"deputy" json:"deputy"`
	EscalatedFrom string     `db:"escalated_from" json:"escalated_from,omitempty"`
	EnvelopeID    string     `db:"envelope_id" json:"-"`
	State         string     `db:"state" json:"state"`
	Deadline      time.Time  `db:"deadline" json:"deadline"`
	SentAt        time.Time  `db:"sent_at" json:"sent_at"`
	DeliveredAt   *time.Time `db:"delivered_at" json:"delivered_at,omitempty"`
	AckedAt       *time.Time `db:"acked_at" json:"acknowledged_at,omitempty"`
	AckedBy       string     `db:"acked_by" json:"acknowledged_by,omitempty"`
	Channel       string     `db:"channel" json:"channel,omitempty"` // entente or email
	RemindedAt    *time.Time `db:"reminded_at" json:"reminded_at,omitempty"`
	EscalatedAt   *time.Time `db:"escalated_at" json:"escalated_at,omitempty"`
}

const targetColumns = `id, ping_id, entry_id, member_addr, category, name, deputy, escalated_from, envelope_id, state, deadline, sent_at, delivered_at, acked_at, acked_by, channel, reminded_at, escalated_at`

// ResponseTime is how long the point of contact took to acknowledge.
func (t Target) ResponseTime() time.Duration {
	if t.AckedAt == nil {
		return 0
	}
	return t.AckedAt.Sub(t.SentAt)
}

// Received is a ping as the member's node holds it: what its point of
// contact sees and acknowledges.
type Received struct {
	ID            string     `db:"id" json:"id"`
	PingID        string     `db:"ping_id" json:"ping_id"`
	TargetID      string     `db:"target_id" json:"-"`
	EntryID       string     `db:"entry_id" json:"entry_id"`
	NetworkID     string     `db:"network_id" json:"network_id"`
	Network       string     `db:"network_name" json:"network"`
	NetworkNameID string     `db:"network_name_id" json:"-"` // the network's name in Indonesian
	From          string     `db:"from_addr" json:"from"`
	Member        string     `db:"member_addr" json:"member"`
	OrgID         string     `db:"org_id" json:"-"`
	PersonRef     string     `db:"person_ref" json:"-"`
	Category      string     `db:"category" json:"category"`
	Message       string     `db:"message" json:"message"`
	MessageID     string     `db:"message_id" json:"message_id"`
	Deadline      time.Time  `db:"deadline" json:"deadline"`
	ReceivedAt    time.Time  `db:"received_at" json:"received_at"`
	AckedAt       *time.Time `db:"acked_at" json:"acknowledged_at,omitempty"`
	AckedBy       string     `db:"acked_by" json:"acknowledged_by,omitempty"`
}

const receivedColumns = `r.id, r.ping_id, r.target_id, r.entry_id, r.network_id, COALESCE(n.name_en, '') AS network_name, COALESCE(n.name_id, '') AS network_name_id, r.from_addr, r.member_addr, r.org_id, r.person_ref, r.category, r.message, r.message_id, r.deadline, r.received_at, r.acked_at, r.acked_by`

// Tally is response figures for a group of targets (a state, a category,
// a network, a ping).
type Tally struct {
	Key          string `json:"key"`
	Targets      int    `json:"targets"`
	Acknowledged int    `json:"acknowledged"`
	Overdue      int    `json:"overdue"`
	Unreachable  int    `json:"unreachable"`
	Pending      int    `json:"pending"`
	NoContact    int    `json:"no_contact"` // members with nobody to ask, not in Targets
	// Median is over those that acknowledged; zero when none did.
	Median time.Duration `json:"median_ns"`
}

// HasMedian reports whether anyone acknowledged, so a median exists.
func (t Tally) HasMedian() bool { return t.Acknowledged > 0 }

// MedianSeconds is the median in whole seconds for a CSV cell, empty when
// nobody acknowledged (0 would claim an instant answer).
func (t Tally) MedianSeconds() string {
	if !t.HasMedian() {
		return ""
	}
	return strconv.Itoa(int(t.Median.Seconds()))
}

// Rate is the share that acknowledged, in percent.
func (t Tally) Rate() int { return percent(t.Acknowledged, t.Targets) }

// Text returns the ping's message in lang.
func (r Received) Text(lang string) string {
	if lang == "id" && r.MessageID != "" {
		return r.MessageID
	}
	return r.Message
}

// NetworkName returns the network's name in lang.
func (r Received) NetworkName(lang string) string {
	if lang == "id" && r.NetworkNameID != "" {
		return r.NetworkNameID
	}
	return r.Network
}

package publicdiplomacy

import "time"

// How long an item has waited, as people say it: "5 min", "2 h 10 min",
// "3 days" — not a clock's "0h 05m", which reads as a deadline.

// waitText is a wait as a message key and its arguments, which the page
// translates: {{with .Waiting .ReceivedAt}}{{t .Key .Args}}{{end}}.
type waitText struct {
	Key  string
	Args []any
}

// waitFor is how long it has been from t to now.
func waitFor(now, t time.Time) waitText {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return waitText{Key: "pd.wc.wait_now"}
	case d < time.Hour:
		return waitText{Key: "pd.wc.wait_min", Args: []any{int(d.Minutes())}}
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return waitText{Key: "pd.wc.wait_h", Args: []any{h}}
		}
		return waitText{Key: "pd.wc.wait_hm", Args: []any{h, m}}
	case d < 48*time.Hour:
		return waitText{Key: "pd.wc.wait_day"}
	}
	return waitText{Key: "pd.wc.wait_days", Args: []any{int(d.Hours()) / 24}}
}

// Waiting is how long an item received at t has waited.
func (v queueView) Waiting(t time.Time) waitText { return waitFor(v.Now, t) }

// Waiting is how long the item has waited.
func (v itemView) Waiting(t time.Time) waitText { return waitFor(v.Now, t) }

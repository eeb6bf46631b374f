package core

import "time"

// DeadlineYears is how far ahead a person may set a deadline: a date further
// out (9999-12-31) is a slip of the keyboard, not a plan, and would keep
// reminders and clocks waiting for ever.
const DeadlineYears = 5

// CheckDeadline returns the message key of what is wrong with a deadline t
// set at now — not after now, or more than DeadlineYears ahead — or "".
func CheckDeadline(t, now time.Time) string {
	switch {
	case !t.After(now):
		return "err.date_future"
	case t.After(now.AddDate(DeadlineYears, 0, 0)):
		return "err.deadline_horizon"
	}
	return ""
}

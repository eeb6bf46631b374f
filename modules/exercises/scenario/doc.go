// Package scenario is the scenario of a tabletop or communication exercise
// as data: its objectives, teams and roles, the timeline of injects with
// their expectations, and the lessons-learned questionnaire. Scenarios are
// shared between nodes and imported from files, so this package owns their
// one strict JSON form (Parse, Marshal), their validation with per-field
// problems, and the templates shipped with Entente. It knows nothing of how
// an exercise is run: that is the exercises module's business.
//
// In JSON, durations (an inject's offset, an expectation's time to answer)
// are whole seconds, and injects may be listed in any order: Timeline
// sorts them by offset.
package scenario

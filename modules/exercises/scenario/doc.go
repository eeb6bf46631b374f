// Package scenario is the scenario of a tabletop or communication exercise
// as data: its objectives, teams and roles, the timeline of injects with
// their expectations, and the lessons-learned questionnaire. Scenarios are
// shared between nodes and imported from files, so this package owns their
// one strict JSON form (Parse, Marshal), their validation with per-field
// problems, and the templates shipped with Entente. It knows nothing of how
// an exercise is run: that is the exercises module's business.
package scenario

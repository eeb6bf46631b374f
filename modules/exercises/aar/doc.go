// Package aar is the after-action report of an exercise run: pure
// functions from what was recorded during a run (injects sent, responses,
// evaluators' scores and notes, questionnaire answers) to the figures a
// controller reviews afterwards, and their JSON and CSV exports.
//
// It keeps no state and reads no clock, so the exercises module can store
// the records and build the report again whenever a page asks: the same
// records always give the same report, in the same order.
//
// An expectation applies to each organisation the inject was sent to that
// is a member of the expectation's team, so the run's scenario must be cast
// (its placeholders replaced by addresses). It is met when that
// organisation's first response to the inject, of any kind, came within
// the expectation's time of the inject being sent to it; the points are
// the evaluators' to give. Records that name an inject the scenario does
// not have are left out.
package aar

// Package timeline is the run clock of an exercise: pure functions over the
// recorded control events (start, pause, resume, stop, speed) and the
// controller's changes to the injects, deciding which injects are due.
//
// Nothing here keeps state between calls. The exercises module stores the
// events, the changes and the "sent" marks in the database and asks this
// package again after every event and after a node restart; because the
// answer depends only on what is stored and the wall time, a restart loses
// no inject and sends none twice.
package timeline

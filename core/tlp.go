package core

// TLP is a Traffic Light Protocol 2.0 label. Labels are never translated.
type TLP string

// The TLP 2.0 labels, from most open to most restricted.
const (
	TLPClear       TLP = "CLEAR"
	TLPGreen       TLP = "GREEN"
	TLPAmber       TLP = "AMBER"
	TLPAmberStrict TLP = "AMBER+STRICT"
	TLPRed         TLP = "RED"
)

// Rank orders labels by restriction; unknown labels rank as RED so that a bad
// label never widens an audience.
func (t TLP) Rank() int {
	switch t {
	case TLPClear:
		return 0
	case TLPGreen:
		return 1
	case TLPAmber:
		return 2
	case TLPAmberStrict:
		return 3
	}
	return 4
}

// TLPs lists the labels, from most open to most restricted.
var TLPs = []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}

// Valid reports whether t is one of the TLP 2.0 labels.
func (t TLP) Valid() bool {
	switch t {
	case TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed:
		return true
	}
	return false
}

package negotiation

// PendingAmendments counts the amendments a silence would pass over
// undecided, for the chair's warning.
func (v textView) PendingAmendments() int {
	n, _ := v.T.Undecided()
	return n
}

// OpenParagraphs counts the paragraphs a silence would pass over without
// their being agreed, for the chair's warning.
func (v textView) OpenParagraphs() int {
	_, n := v.T.Undecided()
	return n
}

package negotiation

// ParaDiff is one paragraph in a comparison of two versions of a text.
type ParaDiff struct {
	ID      string `json:"id"`
	LabelA  string `json:"label_a,omitempty"`
	LabelB  string `json:"label_b,omitempty"`
	Change  string `json:"change"` // same, changed, added, removed
	StatusA string `json:"status_a,omitempty"`
	StatusB string `json:"status_b,omitempty"`
	Options [][]Op `json:"options"`
}

// Compare lines two versions of a text up paragraph by paragraph (a
// paragraph keeps its id through every revision, however it moves or is
// renumbered) and diffs each option word by word. Removed paragraphs
// stay where they stood, after the paragraph that preceded them.
func Compare(a, b []Paragraph) []ParaDiff {
	la, lb := Labels(a), Labels(b)
	inA := make(map[string]int, len(a))
	for i, p := range a {
		inA[p.ID] = i
	}
	inB := make(map[string]bool, len(b))
	for _, p := range b {
		inB[p.ID] = true
	}
	// removedAfter[id] lists a's removed paragraphs that follow id ("" for
	// those before any kept one).
	removedAfter := map[string][]Paragraph{}
	prev := ""
	for _, p := range a {
		if inB[p.ID] {
			prev = p.ID
			continue
		}
		removedAfter[prev] = append(removedAfter[prev], p)
	}
	out := make([]ParaDiff, 0, len(b)+len(a))
	removed := func(after string) {
		for _, p := range removedAfter[after] {
			d := ParaDiff{ID: p.ID, LabelA: la[p.ID], Change: "removed", StatusA: p.Status()}
			for _, o := range p.Options {
				d.Options = append(d.Options, []Op{{'-', o}})
			}
			out = append(out, d)
		}
	}
	removed("")
	for _, p := range b {
		d := ParaDiff{ID: p.ID, LabelB: lb[p.ID], StatusB: p.Status()}
		i, ok := inA[p.ID]
		if !ok {
			d.Change = "added"
			for _, o := range p.Options {
				d.Options = append(d.Options, []Op{{'+', o}})
			}
			out = append(out, d)
			removed(p.ID)
			continue
		}
		old := a[i]
		d.LabelA, d.StatusA, d.Change = la[p.ID], old.Status(), "same"
		for _, pair := range pairOptions(old.Options, p.Options) {
			if pair[0] != pair[1] {
				d.Change = "changed"
			}
			d.Options = append(d.Options, Diff(pair[0], pair[1]))
		}
		if d.Change == "same" && d.StatusA != d.StatusB {
			d.Change = "changed"
		}
		if d.Change == "same" && d.LabelA != d.LabelB {
			d.Change = "renumbered"
		}
		out = append(out, d)
		removed(p.ID)
	}
	return out
}

// pairOptions pairs the options of two versions: an option found word for
// word in both is itself, the rest pair up in order, and what is left over
// was added or removed.
func pairOptions(a, b []string) [][2]string {
	used := make([]bool, len(a))
	match := make([]int, len(b))
	for j, y := range b {
		match[j] = -1
		for i, x := range a {
			if !used[i] && x == y {
				used[i], match[j] = true, i
				break
			}
		}
	}
	next := 0
	var out [][2]string
	for j, y := range b {
		if match[j] < 0 {
			for next < len(a) && used[next] {
				next++
			}
			if next < len(a) {
				used[next], match[j] = true, next
			}
		}
		if match[j] >= 0 {
			out = append(out, [2]string{a[match[j]], y})
		} else {
			out = append(out, [2]string{"", y})
		}
	}
	for i, x := range a {
		if !used[i] {
			out = append(out, [2]string{x, ""})
		}
	}
	return out
}

package publicdiplomacy

import (
	"context"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// The web-care queue as its page and API list it: Queue's filters and a
// filter by kind, a page at a time, each item with the first words of our
// post it replies to, and how many items wait in each state.

// ItemPress is an item a press officer put in the queue from media
// monitoring: a story that asks for an answer though nobody wrote to the
// account.
const ItemPress = "press"

// QueueKinds are the kinds the queue can be narrowed to.
var QueueKinds = []string{ItemReply, ItemMention, ItemDirect, ItemPress}

// QueueStates are the states the queue can be narrowed to; "" is the open
// items (new and assigned), "all" every one.
var QueueStates = []string{"", ItemNew, ItemAssigned, ItemAnswered, ItemHandled, "all"}

// QueuePage is how many items a page of the queue shows.
const QueuePage = 50

// maxQueuePage bounds the pages: past it, the filters narrow the queue.
const maxQueuePage = 100

// WebcareFilter narrows the queue.
type WebcareFilter struct {
	State string // one of QueueStates
	Mine  bool
	Kind  string // "" or one of QueueKinds
	Page  int    // from 1
}

// QueueItem is an item as the queue lists it.
type QueueItem struct {
	Item
	// RepliedText is the text of our post the item replies to, if any.
	RepliedText string `db:"replied_text" json:"-"`
}

// QueueList is one page of the queue.
type QueueList struct {
	Items []QueueItem
	// More is true when another page follows.
	More bool
	// Counts are the actor's organisations' items by state (deleted ones
	// not counted), for the filter's choices.
	Counts map[string]int
}

func (f *WebcareFilter) validate() core.Problems {
	p := core.Problems{}
	if !slices.Contains(QueueStates, f.State) {
		p.Add("state", "err.pd_filter")
	}
	if f.Kind != "" && !slices.Contains(QueueKinds, f.Kind) {
		p.Add("kind", "err.pd_filter")
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	if f.Page > maxQueuePage {
		p.Add("page", "err.pd_filter")
	}
	return p
}

// WebcareQueue lists a page of the web-care items of the actor's
// organisations, oldest waiting first.
func (s *Service) WebcareQueue(ctx context.Context, f WebcareFilter) (QueueList, error) {
	out := QueueList{Counts: map[string]int{}}
	if err := f.validate().Err("publicdiplomacy: queue"); err != nil {
		return out, err
	}
	orgs := access.Orgs(core.ActorFrom(ctx), access.PDRead)
	if len(orgs) == 0 {
		return out, nil
	}
	in := ` AND a.org_id IN (` + marks(len(orgs)) + `)`
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	var counts []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &counts, `SELECT i.state, COUNT(*) AS n`+itemFrom+` WHERE i.queue = TRUE AND NOT i.deleted`+in+` GROUP BY i.state`, args...); err != nil {
		return out, err
	}
	for _, c := range counts {
		out.Counts[c.State] = c.N
	}
	q := `SELECT ` + itemCols + `, COALESCE(p.content, '') AS replied_text` + itemFrom + ` LEFT JOIN pd_posts p ON p.id = i.reply_to_post AND i.reply_to_post <> ''
		WHERE i.queue = TRUE AND NOT i.deleted` + in
	switch f.State {
	case "":
		q += ` AND i.state IN ('new', 'assigned')`
	case "all":
	default:
		q += ` AND i.state = ?`
		args = append(args, f.State)
	}
	if f.Mine {
		q += ` AND i.assignee_id = ?`
		args = append(args, core.ActorFrom(ctx).UserID)
	}
	if f.Kind != "" {
		q += ` AND i.kind = ?`
		args = append(args, f.Kind)
	}
	q += ` ORDER BY i.received_at, i.id LIMIT ? OFFSET ?`
	args = append(args, QueuePage+1, (f.Page-1)*QueuePage)
	if err := s.db.R().Select(ctx, &out.Items, q, args...); err != nil {
		return out, err
	}
	if len(out.Items) > QueuePage {
		out.Items, out.More = out.Items[:QueuePage], true
	}
	for i := range out.Items {
		out.Items[i].RepliedText = firstLine(out.Items[i].RepliedText)
	}
	return out, nil
}

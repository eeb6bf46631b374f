package publicdiplomacy

import (
	"net/http"
	"strconv"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// apiRoutes are web-care's JSON API: the queue, an item with its thread,
// answering it, and the figures of web-care and reach. Their OpenAPI is
// openapi_webcare.json.
func (h *webcareHandlers) apiRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/publicdiplomacy/webcare", Action: access.PDRead, Handler: h.apiQueue},
		{Pattern: "GET /api/v1/publicdiplomacy/webcare/figures", Action: access.PDRead, Handler: h.apiFigures},
		{Pattern: "GET /api/v1/publicdiplomacy/webcare/{id}", Action: access.PDRead, Handler: h.apiItem},
		{Pattern: "POST /api/v1/publicdiplomacy/webcare/{id}/answer", Action: access.PDWrite, Handler: h.apiAnswer},
		{Pattern: "GET /api/v1/publicdiplomacy/reach", Action: access.PDRead, Handler: h.apiReach},
	}
}

// apiQueue lists the queue a page at a time; the cursor is the page's
// number.
func (h *webcareHandlers) apiQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := WebcareFilter{State: q.Get("state"), Kind: q.Get("kind"), Mine: q.Get("mine") == "true" || q.Get("mine") == "1", Page: 1}
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			h.web.Error(w, r, (core.Problems{"cursor": "err.cursor"}).Err("publicdiplomacy: queue"))
			return
		}
		f.Page = n
	}
	list, err := h.svc.WebcareQueue(r.Context(), f)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	out := web.List[Item]{Items: []Item{}}
	for _, it := range list.Items {
		out.Items = append(out.Items, it.Item)
	}
	if list.More {
		out.NextCursor = strconv.Itoa(f.Page + 1)
	}
	h.web.JSON(w, http.StatusOK, out)
}

// apiThread is an item with what it answers and the answers sent.
type apiThread struct {
	Item      Item   `json:"item"`
	RepliedTo *Post  `json:"replied_to"`
	Answers   []Post `json:"answers"`
}

func (h *webcareHandlers) apiItem(w http.ResponseWriter, r *http.Request) {
	it, err := h.svc.Item(r.Context(), r.PathValue("id"))
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	replied, answers, err := h.svc.Thread(r.Context(), it)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	if answers == nil {
		answers = []Post{}
	}
	h.web.JSON(w, http.StatusOK, apiThread{Item: it, RepliedTo: replied, Answers: answers})
}

// apiAnswerInput is an answer as a program sends it.
type apiAnswerInput struct {
	Content  string `json:"content"`
	Language string `json:"language"`
	Warning  string `json:"content_warning"`
}

func (h *webcareHandlers) apiAnswer(w http.ResponseWriter, r *http.Request) {
	var in apiAnswerInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.web.Error(w, r, err)
		return
	}
	p, err := h.svc.Answer(r.Context(), r.PathValue("id"), Translation{Language: in.Language, Content: in.Content, Warning: in.Warning})
	if err != nil {
		if ce := core.AsError(err); ce != nil {
			answerFields(ce.Fields)
		}
		h.web.Error(w, r, err)
		return
	}
	h.web.JSON(w, http.StatusCreated, p)
}

// apiTimes are response times in seconds, for programs.
type apiTimes struct {
	Key      string `json:"key,omitempty"`
	Received int    `json:"received"`
	Answered int    `json:"answered"`
	MedianS  *int64 `json:"median_s"`
	P90S     *int64 `json:"p90_s"`
}

func apiTimesOf(t ResponseTimes) apiTimes {
	a := apiTimes{Key: t.Key, Received: t.Received, Answered: t.Answered}
	if t.Answered > 0 {
		m, p := int64(t.Median/time.Second), int64(t.P90/time.Second)
		a.MedianS, a.P90S = &m, &p
	}
	return a
}

// apiPeriod is a period as its two days, both included.
type apiPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func periodOf(p Period) apiPeriod {
	return apiPeriod{From: p.From.Format(time.DateOnly), To: p.Last().Format(time.DateOnly)}
}

func (h *webcareHandlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	p, err := ParsePeriod(r.URL.Query().Get("from"), r.URL.Query().Get("to"), h.svc.Now())
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	f, err := h.figs.Webcare(r.Context(), p)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	kinds, weeks := []apiTimes{}, []apiTimes{}
	for _, t := range f.ByKind {
		kinds = append(kinds, apiTimesOf(t))
	}
	for _, t := range f.ByWeek {
		weeks = append(weeks, apiTimesOf(t))
	}
	h.web.JSON(w, http.StatusOK, map[string]any{
		"period": periodOf(p), "received": f.Received, "answered": f.Answered, "handled": f.Handled, "withdrawn": f.Withdrawn, "open": f.Open,
		"all": apiTimesOf(f.All), "by_kind": kinds, "by_week": weeks, "truncated": f.Truncated,
	})
}

// apiReach is the reach of a period, the posts and instances cut to the
// most reached.
type apiReach struct {
	Period    apiPeriod       `json:"period"`
	Accounts  []AccountReach  `json:"accounts"`
	Posts     []PostReach     `json:"top_posts"`
	PostsN    int             `json:"posts"`
	Instances []InstanceReach `json:"top_instances"`
	Hosts     int             `json:"instances"`
	Boosts    int             `json:"boosts"`
	Likes     int             `json:"likes"`
	Replies   int             `json:"replies"`
}

func (h *webcareHandlers) apiReach(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := ParsePeriod(q.Get("from"), q.Get("to"), h.svc.Now())
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	rc, err := h.figs.Reach(r.Context(), p, q.Get("account"))
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	out := apiReach{Period: periodOf(p), Accounts: rc.Accounts, Posts: rc.Posts[:min(len(rc.Posts), 100)], PostsN: len(rc.Posts),
		Instances: rc.Instances[:min(len(rc.Instances), 100)], Hosts: len(rc.Instances), Boosts: rc.Boosts, Likes: rc.Likes, Replies: rc.Replies}
	if out.Accounts == nil {
		out.Accounts = []AccountReach{}
	}
	if out.Posts == nil {
		out.Posts = []PostReach{}
	}
	if out.Instances == nil {
		out.Instances = []InstanceReach{}
	}
	h.web.JSON(w, http.StatusOK, out)
}

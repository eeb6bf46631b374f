package intel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/store"
)

// batchSize is how many objects one transaction stores: large enough that a
// transaction's fixed cost is shared, small enough that a writer never
// holds the collection for long.
const batchSize = 100

// Author is who an ingest writes for: the organisation that will own the
// objects and, for objects a subscription brings, the node they came from.
type Author struct {
	Org        string
	Declassify bool
	Origin     string
	// Private keeps what is written with Org alone, whatever its label:
	// a sighting of an object only its owner sees.
	Private bool
}

// incoming is one object to store: its exact bytes and, when it was pulled
// from a peer, the label the peer gave it and when the peer added it.
type incoming struct {
	raw         []byte
	tlp         core.TLP
	originAdded string
	decodeErr   error
}

// StatusDetail is one object's outcome, as TAXII's status resource says it.
type StatusDetail struct {
	ID      string `json:"id" db:"stix_id"`
	Version string `json:"version" db:"version"`
	Message string `json:"message,omitempty" db:"message"`
	OK      bool   `json:"-" db:"ok"`
}

// Status is TAXII's status resource: what became of each object of a POST
// or an upload.
type Status struct {
	ID               string         `json:"id" db:"id"`
	Collection       string         `json:"-" db:"collection_id"`
	Org              string         `json:"-" db:"org"`
	Status           string         `json:"status" db:"status"`
	RequestTimestamp string         `json:"request_timestamp,omitempty" db:"request_timestamp"`
	TotalCount       int            `json:"total_count" db:"total_count"`
	SuccessCount     int            `json:"success_count" db:"success_count"`
	Successes        []StatusDetail `json:"successes,omitempty" db:"-"`
	FailureCount     int            `json:"failure_count" db:"failure_count"`
	Failures         []StatusDetail `json:"failures,omitempty" db:"-"`
	PendingCount     int            `json:"pending_count" db:"pending_count"`
}

// writerFor picks the organisation that will own what the actor's
// organisations orgs write to a collection: the first, in order, with write.
func (s *Service) writerFor(ctx context.Context, orgs []string, collection string) (Collection, Author, error) {
	c, err := s.CollectionFor(ctx, orgs, collection)
	if err != nil {
		return c, Author{}, err
	}
	var rs []Right
	if err := s.db.R().Select(ctx, &rs, `SELECT org, can_read = 1 AS can_read, can_write = 1 AS can_write, can_declassify = 1 AS can_declassify FROM intel_rights WHERE collection_id = ? AND org IN (`+placeholders(len(orgs))+`) ORDER BY org`,
		append([]any{c.ID}, anys(orgs)...)...); err != nil {
		return c, Author{}, err
	}
	for _, r := range rs {
		if r.Write {
			return c, Author{Org: r.Org, Declassify: r.Declassify}, nil
		}
	}
	return c, Author{}, errOp("write", core.KindForbidden, "err.intel.no_write")
}

// Post stores the objects of a TAXII envelope or a STIX bundle read from r
// as they stream in, for the first of orgs allowed to write. Each object is
// accepted or refused on its own; the status says which and why. Only a body
// that is not an envelope at all is an error.
func (s *Service) Post(ctx context.Context, orgs []string, collection string, r io.Reader) (Status, error) {
	c, author, err := s.writerFor(ctx, orgs, collection)
	if err != nil {
		return Status{}, err
	}
	next, err := streamObjects(r)
	if err != nil {
		return Status{}, err
	}
	var cut error
	st, err := s.ingest(ctx, c, author, func() (incoming, error) {
		raw, err := next()
		var b errBadObject
		if errors.As(err, &b) && b.cut != nil {
			cut = b.cut
		}
		return incoming{raw: raw, decodeErr: decodeOnly(err)}, stopOnly(err)
	})
	if err == nil && cut != nil {
		// The status is complete and says which object the request ended
		// in; the caller still learns why (a body over its limit is a 413).
		err = fmt.Errorf("intel: post: request body: %w", cut)
	}
	return st, err
}

// PostObjects stores objects already in memory (forms, MISP imports).
func (s *Service) PostObjects(ctx context.Context, orgs []string, collection string, objs []json.RawMessage) (Status, error) {
	c, author, err := s.writerFor(ctx, orgs, collection)
	if err != nil {
		return Status{}, err
	}
	return s.ingestAll(ctx, c, author, objs)
}

func (s *Service) ingestAll(ctx context.Context, c Collection, author Author, objs []json.RawMessage) (Status, error) {
	i := 0
	return s.ingest(ctx, c, author, func() (incoming, error) {
		if i == len(objs) {
			return incoming{}, io.EOF
		}
		i++
		return incoming{raw: objs[i-1]}, nil
	})
}

// ingest runs the batches: a status row first, then each batch of objects
// with its status lines in one transaction, then the final counts.
func (s *Service) ingest(ctx context.Context, c Collection, author Author, next func() (incoming, error)) (Status, error) {
	now := s.db.Clock().Now()
	st := Status{ID: newUUID(), Collection: c.ID, Org: author.Org, Status: "pending", RequestTimestamp: stamp(now)}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO intel_status (id, collection_id, org, status, request_timestamp, total_count, success_count, failure_count, pending_count) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0)`,
			st.ID, st.Collection, st.Org, st.Status, st.RequestTimestamp)
		return err
	})
	if err != nil {
		return st, err
	}
	// From here the status must end complete whatever happens to the
	// request: a client that disconnects cancels ctx, and a pending status
	// would then stay pending forever. What was read is stored and counted.
	ctx = context.WithoutCancel(ctx)
	var failure error
	done := false
	for !done {
		batch := make([]incoming, 0, batchSize)
		for len(batch) < batchSize {
			in, err := next()
			if err == io.EOF {
				done = true
				break
			}
			if err != nil {
				failure, done = err, true
				break
			}
			batch = append(batch, in)
			if in.decodeErr != nil {
				done = true
				break
			}
		}
		if len(batch) == 0 {
			break
		}
		before := st
		if _, err := s.storeBatch(ctx, c, author, batch, &st, nil); err != nil {
			// The batch was rolled back: its objects are failures.
			st, failure, done = before, err, true
			s.failBatch(ctx, &st, batch)
		}
	}
	st.Status = "complete"
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE intel_status SET status = ?, total_count = ?, success_count = ?, failure_count = ? WHERE id = ?`,
			st.Status, st.TotalCount, st.SuccessCount, st.FailureCount, st.ID)
		return err
	})
	if failure != nil {
		return st, failure
	}
	return st, err
}

// failBatch records every object of a batch that could not be stored as a
// failure, so that the status still accounts for each object it read.
func (s *Service) failBatch(ctx context.Context, st *Status, batch []incoming) {
	details := make([]StatusDetail, len(batch))
	failed := make([]bool, len(batch))
	for i, in := range batch {
		details[i] = StatusDetail{ID: bestID(in.raw), Version: bestVersion(in.raw), Message: "not stored: the server could not store this batch; send it again"}
		failed[i] = true
	}
	before := *st
	err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.writeStatusLines(ctx, tx, st, details, failed) })
	if err != nil {
		*st = before
	}
}

// existing is a stored version of an object the batch touches.
type existing struct {
	ID       string   `db:"stix_id"`
	Version  string   `db:"version"`
	Latest   bool     `db:"latest"`
	TLP      core.TLP `db:"tlp"`
	Audience string   `db:"audience"`
	Group    string   `db:"group_id"`
	Owner    string   `db:"owner_org"`
}

// row is a version to insert.
type row struct {
	obj      object
	tlp      core.TLP
	audience string
	group    string
	latest   bool
	origin   string
	originAt string
}

// storeBatch checks and stores one batch in one transaction; the outcome of
// each object goes into st and into the status lines.
func (s *Service) storeBatch(ctx context.Context, c Collection, author Author, batch []incoming, st *Status, also func(tx *store.Tx) error) ([]StatusDetail, error) {
	// Parsing and schema checks happen before the transaction: they are the
	// expensive part, and need no lock.
	details := make([]StatusDetail, len(batch))
	objs := make([]object, len(batch))
	failed := make([]bool, len(batch))
	fail := func(i int, msg string) {
		failed[i] = true
		details[i].Message = msg
	}
	var markingIDs, objectIDs []string
	for i, in := range batch {
		if in.decodeErr != nil {
			fail(i, fmt.Sprintf("objects[%d]: %v", st.TotalCount+i, in.decodeErr))
			continue
		}
		o, err := parseObject(in.raw)
		details[i].ID, details[i].Version = o.ID, showStamp(o.Version)
		if err != nil {
			details[i].ID, details[i].Version = bestID(in.raw), bestVersion(in.raw)
			fail(i, err.Error())
			continue
		}
		if in.tlp != "" && (o.TLP == "" || in.tlp.Rank() > o.TLP.Rank()) {
			o.TLP = in.tlp
		}
		objs[i] = o
		objectIDs = append(objectIDs, o.ID)
		for _, m := range o.Markings {
			if _, tlp := tlpMarkings[m]; !tlp && !slices.Contains(markingIDs, m) {
				markingIDs = append(markingIDs, m)
			}
		}
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		groups := map[string]bool{}
		if len(markingIDs) > 0 && author.Origin == "" {
			var ids []string
			if err := tx.Select(ctx, &ids, `SELECT id FROM intel_groups WHERE id IN (`+placeholders(len(markingIDs))+`)`, anys(markingIDs)...); err != nil {
				return err
			}
			for _, id := range ids {
				groups[id] = true
			}
		}
		var old []existing
		if len(objectIDs) > 0 {
			if err := tx.Select(ctx, &old, `SELECT stix_id, version, latest = 1 AS latest, tlp, audience, group_id, owner_org FROM intel_objects WHERE collection_id = ? AND stix_id IN (`+placeholders(len(objectIDs))+`)`,
				append([]any{c.ID}, anys(objectIDs)...)...); err != nil {
				return err
			}
		}
		latest := map[string]existing{}
		versions := map[string]bool{}
		for _, e := range old {
			versions[e.ID+" "+e.Version] = true
			if e.Latest {
				latest[e.ID] = e
			}
		}
		var rows []row
		var demote []string
		for i := range batch {
			if failed[i] {
				continue
			}
			o := objs[i]
			var group string
			for _, m := range o.Markings {
				if groups[m] {
					if group != "" && group != m {
						fail(i, "object_marking_refs: names two sharing groups; an object goes to one group")
						break
					}
					group = m
				}
			}
			if failed[i] {
				continue
			}
			tlp := o.TLP
			if tlp == "" {
				tlp = c.DefaultTLP
			}
			prev, has := latest[o.ID]
			if o.Version == "" && has || versions[o.ID+" "+o.Version] {
				details[i].Message = "already stored"
				if details[i].Version == "" {
					// An observable has no timestamp of its own: its version
					// is the one it was stored with.
					details[i].Version = showStamp(prev.Version)
				}
				continue
			}
			if has && prev.Owner != author.Org {
				fail(i, "id: this object belongs to another organisation; only its owner can publish a new version")
				continue
			}
			audience := access.IntelAudience(tlp, group)
			if author.Origin != "" && tlp.Rank() > core.TLPGreen.Rank() {
				// What a peer shared under AMBER or RED with one of our
				// organisations stays with that organisation: the peer's
				// groups mean nothing here, and the collection's other
				// readers were not its recipients.
				audience, group = "owner", ""
			}
			if author.Private {
				audience, group = "owner", ""
			}
			newer := !has || o.Version > prev.Version
			if has && newer && !author.Declassify && (tlp.Rank() < prev.TLP.Rank() || prev.Group != "" && group != prev.Group) {
				fail(i, fmt.Sprintf("object_marking_refs: would lower TLP:%s (or widen its sharing group) to TLP:%s; your organisation may not declassify in this collection", prev.TLP, tlp))
				continue
			}
			r := row{obj: o, tlp: tlp, audience: audience, group: group, latest: newer, origin: author.Origin, originAt: batch[i].originAdded}
			if newer {
				if has {
					demote = append(demote, o.ID)
				}
				latest[o.ID] = existing{ID: o.ID, Version: o.Version, Latest: true, TLP: tlp, Audience: audience, Group: group, Owner: author.Org}
				// An earlier row of this batch for the same id stops being latest.
				for j := range rows {
					if rows[j].obj.ID == o.ID {
						rows[j].latest = false
					}
				}
			}
			versions[o.ID+" "+o.Version] = true
			rows = append(rows, r)
		}
		if len(rows) > 0 {
			if err := s.insertRows(ctx, tx, c, author, rows, demote); err != nil {
				return err
			}
		}
		for i := range details {
			if !failed[i] && details[i].Version == "" {
				for _, r := range rows {
					if r.obj.ID == details[i].ID {
						details[i].Version = showStamp(r.obj.Version)
					}
				}
			}
		}
		if err := s.writeStatusLines(ctx, tx, st, details, failed); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return details, nil
}

// insertRows takes the collection's counters under its row lock, demotes
// the versions the batch supersedes and inserts the batch in one statement.
func (s *Service) insertRows(ctx context.Context, tx *store.Tx, c Collection, author Author, rows []row, demote []string) error {
	var counters struct {
		Seq       int64  `db:"seq"`
		LastAdded string `db:"last_added"`
	}
	if err := tx.Get(ctx, &counters, `UPDATE intel_collections SET seq = seq + ? WHERE id = ? RETURNING seq, last_added`, len(rows), c.ID); err != nil {
		return err
	}
	first := counters.Seq - int64(len(rows)) + 1
	// date_added strictly grows within a collection, so added_after pages
	// exactly like seq does, even with many objects in one microsecond.
	added := tx.Now.UTC()
	if last, err := time.Parse(stampLayout, counters.LastAdded); err == nil && !added.After(last) {
		added = last.Add(time.Microsecond)
	}
	if len(demote) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE intel_objects SET latest = 0 WHERE collection_id = ? AND latest = 1 AND stix_id IN (`+placeholders(len(demote))+`)`,
			append([]any{c.ID}, anys(demote)...)...); err != nil {
			return err
		}
	}
	var sb strings.Builder
	sb.WriteString(`INSERT INTO intel_objects (collection_id, seq, stix_id, type, spec_version, version, date_added, latest, tlp, audience, group_id, owner_org, origin, origin_added, name, labels, sectors, refs, raw) VALUES `)
	args := make([]any, 0, 19*len(rows))
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		da := stamp(added.Add(time.Duration(i) * time.Microsecond))
		version := r.obj.Version
		if version == "" {
			version = da
			rows[i].obj.Version = da
		}
		args = append(args, c.ID, first+int64(i), r.obj.ID, r.obj.Type, r.obj.SpecVersion, version, da, b2i(r.latest), string(r.tlp), r.audience, r.group,
			author.Org, r.origin, r.originAt, truncate(r.obj.Name, 300), "\n"+strings.Join(r.obj.Labels, "\n")+"\n", "\n"+strings.Join(r.obj.Sectors, "\n")+"\n",
			strings.Join(r.obj.Refs, " "), string(r.obj.Raw))
	}
	if _, err := tx.Exec(ctx, sb.String(), args...); err != nil {
		return err
	}
	last := stamp(added.Add(time.Duration(len(rows)-1) * time.Microsecond))
	_, err := tx.Exec(ctx, `UPDATE intel_collections SET last_added = ? WHERE id = ?`, last, c.ID)
	return err
}

// writeStatusLines adds the batch's outcomes to the status, in one statement.
func (s *Service) writeStatusLines(ctx context.Context, tx *store.Tx, st *Status, details []StatusDetail, failed []bool) error {
	n := 0
	for _, f := range failed {
		if f {
			n++
		}
	}
	first := st.TotalCount
	st.TotalCount += len(details)
	st.FailureCount += n
	st.SuccessCount += len(details) - n
	if len(details) == 0 || st.ID == "" {
		return nil
	}
	// Lines beyond MaxStatusLines are never shown (Status gives only the
	// counts then), so they are not kept: a request of 100,000 tiny objects
	// must not write 100,000 rows.
	keep := max(0, min(len(details), MaxStatusLines-first))
	if keep > 0 {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO intel_status_items (status_id, n, ok, stix_id, version, message) VALUES `)
		args := make([]any, 0, 6*keep)
		for i, d := range details[:keep] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, st.ID, first+i, b2i(!failed[i]), d.ID, d.Version, truncate(d.Message, 500))
		}
		if _, err := tx.Exec(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE intel_status SET total_count = ?, success_count = ?, failure_count = ? WHERE id = ?`, st.TotalCount, st.SuccessCount, st.FailureCount, st.ID)
	return err
}

// MaxStatusLines bounds the lines a status resource keeps and shows: the
// counts are always complete, and a status with more lines gives only the
// counts (TAXII lets the lists be left out, not cut short).
const MaxStatusLines = 10000

// Status returns a status resource to an organisation that may write to its
// collection (the one that posted, or its peers with write).
func (s *Service) Status(ctx context.Context, orgs []string, id string) (Status, error) {
	var st Status
	if err := s.db.R().Get(ctx, &st, `SELECT id, collection_id, org, status, request_timestamp, total_count, success_count, failure_count, pending_count FROM intel_status WHERE id = ?`, id); err != nil {
		return st, err
	}
	if !slices.Contains(orgs, st.Org) {
		return Status{}, errOp("status", core.KindNotFound, "err.not_found")
	}
	if st.TotalCount > MaxStatusLines {
		return st, nil
	}
	var lines []StatusDetail
	if err := s.db.R().Select(ctx, &lines, `SELECT ok = 1 AS ok, stix_id, version, message FROM intel_status_items WHERE status_id = ? ORDER BY n`, id); err != nil {
		return st, err
	}
	for _, l := range lines {
		if l.OK {
			st.Successes = append(st.Successes, l)
		} else {
			st.Failures = append(st.Failures, l)
		}
	}
	return st, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// Delete removes the versions of an object that q selects, for an
// organisation that owns them; what the readers cannot see does not exist
// for them (404), and what they see but do not own they may not delete.
func (s *Service) Delete(ctx context.Context, readers, writers []string, collection, id string, q Query) error {
	q.Collection, q.IDs, q.Limit = collection, []string{id}, MaxPage
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		rows, _, err := objects(ctx, tx.Conn, readers, q)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errOp("delete", core.KindNotFound, "err.not_found")
		}
		for _, o := range rows {
			if !slices.Contains(writers, o.Owner) {
				return errOp("delete", core.KindForbidden, "err.intel.not_owner")
			}
		}
		for _, o := range rows {
			if _, err := tx.Exec(ctx, `DELETE FROM intel_objects WHERE collection_id = ? AND seq = ?`, collection, o.Seq); err != nil {
				return err
			}
		}
		// If the latest version went, the newest that remains is the latest.
		_, err = tx.Exec(ctx, `UPDATE intel_objects SET latest = 1 WHERE collection_id = ? AND stix_id = ?
			AND NOT EXISTS (SELECT 1 FROM intel_objects l WHERE l.collection_id = ? AND l.stix_id = ? AND l.latest = 1)
			AND version = (SELECT MAX(v.version) FROM intel_objects v WHERE v.collection_id = ? AND v.stix_id = ?)`,
			collection, id, collection, id, collection, id)
		return err
	})
}

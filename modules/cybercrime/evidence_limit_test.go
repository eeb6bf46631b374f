package cybercrime

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// gatedReader holds its first read until every upload of a test has begun
// reading its file: by then each has counted the request's files outside
// the transaction, as two people uploading at once would.
type gatedReader struct {
	io.Reader
	once    sync.Once
	ready   *sync.WaitGroup
	release <-chan struct{}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	g.once.Do(func() { g.ready.Done(); <-g.release })
	return g.Reader.Read(p)
}

// TestEvidenceLimitHoldsUnderParallelUploads: six files uploaded at once
// to a request holding 198 take it to 200 and no further. Past 200 the
// request's manifest is refused by the other side, and with it every later
// update of the request.
func TestEvidenceLimitHoldsUnderParallelUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newEvWorldOn(t, e)
		ctx := context.Background()
		err := w.s.DB.WithTx(ctx, func(tx *store.Tx) error {
			for i := range maxManifestFiles - 2 {
				id := fmt.Sprintf("ev-%03d", i)
				sum := fmt.Sprintf("%064x", i)
				if _, err := tx.Exec(ctx, `INSERT INTO cyb_evidence (`+evidenceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					id, w.r.From, w.r.OriginID, id, sum, 1, id+".txt", "text/plain", "Ines", w.r.From, tx.Now, true, ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		const uploads = 6
		var ready, done sync.WaitGroup
		ready.Add(uploads)
		release := make(chan struct{})
		errs := make([]error, uploads)
		for i := range uploads {
			done.Add(1)
			go func() {
				defer done.Done()
				body := &gatedReader{Reader: strings.NewReader(fmt.Sprintf("file %d\n", i)), ready: &ready, release: release}
				_, errs[i] = w.m.svc.AddEvidence(w.inv, w.r.ID, Upload{Name: fmt.Sprintf("parallel-%d.txt", i), Place: "AFP lab", Body: body})
			}()
		}
		started := make(chan struct{})
		go func() { ready.Wait(); close(started) }()
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			t.Fatal("the uploads did not all start reading their files")
		}
		close(release)
		done.Wait()

		added := 0
		for i, err := range errs {
			switch ce := core.AsError(err); {
			case err == nil:
				added++
			case ce != nil && ce.Fields["file"] == "err.cyb_evidence_many":
			default:
				t.Errorf("upload %d: %v", i, err)
			}
		}
		files, err := w.m.svc.EvidenceOf(w.inv, w.r)
		if err != nil {
			t.Fatal(err)
		}
		if added != 2 || len(files) != maxManifestFiles {
			t.Errorf("%d of %d parallel uploads added; the request holds %d files, at most %d", added, uploads, len(files), maxManifestFiles)
		}
	})
}

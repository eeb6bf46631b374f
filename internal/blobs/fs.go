package blobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"entente.example/entente/core"
)

// FS keeps blobs as files under a directory: <dir>/ab/cd/<sha256>, two
// levels of fan-out so that no directory grows past 65,536 entries per level.
type FS struct {
	dir string
}

var _ Store = (*FS)(nil)

// staleTemp is how old an unfinished upload's temporary file must be before
// NewFS removes it: older than any upload, so a second process sharing the
// directory never loses one in flight.
const staleTemp = 24 * time.Hour

// NewFS opens (creating it if needed) the store under dir, and removes the
// temporary files of uploads a crash interrupted.
func NewFS(dir string) (*FS, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	if ents, err := os.ReadDir(filepath.Join(dir, "tmp")); err == nil {
		for _, e := range ents {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
				_ = os.Remove(filepath.Join(dir, "tmp", e.Name()))
			}
		}
	}
	return &FS{dir: dir}, nil
}

func (s *FS) path(sum string) string {
	return filepath.Join(s.dir, sum[0:2], sum[2:4], sum)
}

// Put writes r to a temporary file in the store's own tree (so the rename is
// on one file system, hence atomic), syncs it, and only then renames it to
// its hash: a crash leaves a temporary file or a complete blob, never a half
// file under a hash name.
func (s *FS) Put(ctx context.Context, r io.Reader, max int64) (_ Blob, err error) {
	const op = "blobs: put"
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	n, err := io.CopyBuffer(io.MultiWriter(tmp, h), ctxReader{ctx, src}, make([]byte, 1<<20))
	if err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	if max > 0 && n > max {
		return Blob{}, errTooLarge(op, max)
	}
	if err := tmp.Sync(); err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	if err := tmp.Close(); err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	b := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	final := s.path(b.SHA256)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	// Renaming over an existing blob replaces it with the same bytes, so two
	// Puts of one file racing each other both succeed with one object.
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	// The rename is durable only once its directory is synced.
	if d, err := os.Open(filepath.Dir(final)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return b, nil
}

// Open returns the blob's file.
func (s *FS) Open(ctx context.Context, sum string) (io.ReadCloser, int64, error) {
	const op = "blobs: open"
	if err := CheckSum(sum); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, errNotFound(op, sum)
	}
	if err != nil {
		return nil, 0, core.Wrap(op, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, core.Wrap(op, err)
	}
	return f, info.Size(), nil
}

// Delete removes the blob's file.
func (s *FS) Delete(ctx context.Context, sum string) error {
	if err := CheckSum(sum); err != nil {
		return err
	}
	if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return core.Wrap("blobs: delete", err)
	}
	return nil
}

// Has reports whether the blob's file exists.
func (s *FS) Has(ctx context.Context, sum string) (bool, error) {
	if err := CheckSum(sum); err != nil {
		return false, err
	}
	_, err := os.Stat(s.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, core.Wrap("blobs: has", err)
	}
	return true, nil
}

// ctxReader stops a long copy when its context ends (a client gone mid-way
// through a gigabyte).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

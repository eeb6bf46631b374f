package blobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"entente.example/entente/core"
)

// Store keeps blobs by the SHA-256 of their bytes.
type Store interface {
	// Put streams r into the store, hashing as it goes. With max > 0, more
	// than max bytes fail with core.KindTooLarge and leave nothing behind.
	// Putting the same bytes twice stores them once.
	Put(ctx context.Context, r io.Reader, max int64) (Blob, error)
	// Open returns the blob's bytes and size; core.KindNotFound when absent.
	Open(ctx context.Context, sum string) (io.ReadCloser, int64, error)
	// Delete removes the blob; deleting an absent blob is not an error.
	Delete(ctx context.Context, sum string) error
	// Has reports whether the blob is stored.
	Has(ctx context.Context, sum string) (bool, error)
}

// Blob names a stored file: the lowercase hex SHA-256 of its bytes, and
// their number.
type Blob struct {
	SHA256 string
	Size   int64
}

// CheckSum reports whether sum is a blob name: exactly 64 lowercase hex
// digits. Every store checks it before a name reaches a path or a key, so no
// name can climb out of the store ("../") or alias another (upper case).
func CheckSum(sum string) error {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return core.E(core.KindInvalid, "blobs: name", "err.invalid")
	}
	return nil
}

func errTooLarge(op string, max int64) error {
	return &core.Error{Kind: core.KindTooLarge, Op: op, Message: "err.too_large",
		Err: fmt.Errorf("more than %d bytes", max)}
}

func errNotFound(op, sum string) error {
	return &core.Error{Kind: core.KindNotFound, Op: op, Message: "err.not_found", Err: fmt.Errorf("no blob %s", sum)}
}

// Options say where blobs live.
type Options struct {
	// URL is empty for files under DataDir/blobs, file:///dir for files
	// under another directory (a larger disk), or
	// s3://bucket[/prefix]?endpoint=http://host:port&region=us-east-1 for
	// an S3-compatible bucket.
	URL     string
	DataDir string
	// AccessKey and SecretKey are the S3 credentials (from AWS_ACCESS_KEY_ID
	// and AWS_SECRET_ACCESS_KEY), never part of the URL, which is logged.
	AccessKey, SecretKey string
}

// Check validates opts without touching disk or network, so that a bad
// setting fails at start-up with a message naming it.
func Check(opts Options) error {
	_, err := parse(opts)
	return err
}

// Open returns the store opts describe.
func Open(ctx context.Context, opts Options) (Store, error) {
	loc, err := parse(opts)
	if err != nil {
		return nil, err
	}
	if loc.s3 != nil {
		return NewS3(ctx, *loc.s3)
	}
	return NewFS(loc.dir)
}

type location struct {
	dir string
	s3  *S3Options
}

func parse(opts Options) (location, error) {
	if opts.URL == "" {
		if opts.DataDir == "" {
			return location{}, errors.New("--blobs: empty, and no data directory to keep blobs in")
		}
		return location{dir: filepath.Join(opts.DataDir, "blobs")}, nil
	}
	u, err := url.Parse(opts.URL)
	if err != nil {
		return location{}, fmt.Errorf("--blobs: want file:///dir or s3://bucket?endpoint=…&region=…: %v", err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" || !filepath.IsAbs(u.Path) || u.RawQuery != "" {
			return location{}, fmt.Errorf("--blobs %q: want file:///absolute/dir", opts.URL)
		}
		return location{dir: filepath.Clean(u.Path)}, nil
	case "s3":
		o := S3Options{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/"), AccessKey: opts.AccessKey, SecretKey: opts.SecretKey}
		if u.User != nil {
			return location{}, errors.New("--blobs: credentials do not belong in the URL (it is logged): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
		if o.Bucket == "" {
			return location{}, fmt.Errorf("--blobs %q: want s3://bucket?endpoint=…&region=…", opts.URL)
		}
		q := u.Query()
		for k := range q {
			if k != "endpoint" && k != "region" {
				return location{}, fmt.Errorf("--blobs %q: unknown parameter %q (want endpoint and region)", opts.URL, k)
			}
		}
		o.Endpoint, o.Region = q.Get("endpoint"), q.Get("region")
		if o.Region == "" {
			o.Region = "us-east-1"
		}
		if o.Endpoint != "" {
			e, err := url.Parse(o.Endpoint)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return location{}, fmt.Errorf("--blobs %q: endpoint %q: want an http or https URL", opts.URL, o.Endpoint)
			}
		}
		if o.AccessKey == "" || o.SecretKey == "" {
			return location{}, errors.New("--blobs: an s3:// store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
		return location{s3: &o}, nil
	}
	return location{}, fmt.Errorf("--blobs %q: want file:///dir or s3://bucket?endpoint=…&region=…", opts.URL)
}

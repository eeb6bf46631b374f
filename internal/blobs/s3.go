package blobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"entente.example/entente/core"
)

// S3Options describe an S3-compatible bucket.
type S3Options struct {
	Bucket   string
	Prefix   string // keys live under <Prefix>/blobs/ and <Prefix>/tmp/
	Endpoint string // e.g. http://127.0.0.1:7070; empty means AWS
	Region   string
	// AccessKey and SecretKey are static credentials.
	AccessKey, SecretKey string
}

// S3 limits: a part is at least 5 MiB (but the last), an upload has at most
// 10,000 parts, and CopyObject copies at most 5 GiB in one request.
const (
	s3PartSize   = 16 << 20
	s3MaxParts   = 10000
	s3CopyMax    = 5 << 30
	s3CopyPartSz = 1 << 30
)

// S3 keeps blobs in a bucket under <prefix>/blobs/<sha256>.
//
// The name of a blob is known only once its last byte has been read, and an
// S3 object cannot be renamed. So a file larger than one part is streamed as
// a multipart upload to a temporary key (tmp/<random>), one part in memory at
// a time, then copied server-side to its name and the temporary key deleted:
// the bucket never holds a partial object under a hash name, and memory stays
// at one part (16 MiB) whatever the size. A file that fits in one part is
// hashed in memory and written straight to its name. Uploads a crash cuts
// short are left under tmp/: give the bucket a lifecycle rule that aborts
// incomplete multipart uploads and expires tmp/ after a day.
//
// At 16 MiB a part, one upload holds at most 10,000 parts, about 156 GiB;
// a larger file fails with core.KindTooLarge. Blobs over 5 GiB are copied to
// their name part by part (UploadPartCopy), since CopyObject stops at 5 GiB.
type S3 struct {
	client *s3.Client
	bucket string
	prefix string
	// partSize and copyMax are S3's limits above; tests lower them to reach
	// the multipart and part-copy paths with small files.
	partSize, copyMax, copyPart int64
}

var _ Store = (*S3)(nil)

// NewS3 returns the store for the bucket o names. It does not contact the
// bucket; the first request does.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	so := s3.Options{
		Region:      o.Region,
		Credentials: credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, ""),
		// Buckets on MinIO, Ceph and other S3-compatible servers are
		// addressed by path: their host names carry no bucket sub-domains.
		UsePathStyle: true,
		// The SDK's default since 2025 adds CRC checksums to every request
		// and expects them back; MinIO and Ceph refuse or lack them. The
		// content is checked by its SHA-256 name anyway.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if o.Endpoint != "" {
		so.BaseEndpoint = aws.String(o.Endpoint)
	}
	prefix := ""
	if o.Prefix != "" {
		prefix = o.Prefix + "/"
	}
	return &S3{client: s3.New(so), bucket: o.Bucket, prefix: prefix,
		partSize: s3PartSize, copyMax: s3CopyMax, copyPart: s3CopyPartSz}, nil
}

func (s *S3) key(sum string) string { return s.prefix + "blobs/" + sum }

// Put streams r to the bucket; see S3 for how.
func (s *S3) Put(ctx context.Context, r io.Reader, max int64) (Blob, error) {
	const op = "blobs: put"
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	h := sha256.New()
	src = io.TeeReader(ctxReader{ctx, src}, h)
	buf := make([]byte, s.partSize)
	n, err := io.ReadFull(src, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return Blob{}, core.Wrap(op, err)
	}
	if max > 0 && int64(n) > max {
		return Blob{}, errTooLarge(op, max)
	}
	if int64(n) < s.partSize {
		b := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: int64(n)}
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(b.SHA256)),
			Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
		if err != nil {
			return Blob{}, core.Wrap(op, err)
		}
		return b, nil
	}
	return s.putLarge(ctx, src, h, buf, max)
}

// putLarge continues Put once the first part (in buf) is full.
func (s *S3) putLarge(ctx context.Context, src io.Reader, h interface{ Sum([]byte) []byte }, buf []byte, max int64) (_ Blob, err error) {
	const op = "blobs: put"
	var rnd [16]byte
	rand.Read(rnd[:])
	tmp := s.prefix + "tmp/" + hex.EncodeToString(rnd[:])
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &tmp})
	if err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	completed := false
	defer func() {
		// Clean up even when ctx is what failed.
		bg := context.WithoutCancel(ctx)
		if !completed {
			s.client.AbortMultipartUpload(bg, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &tmp, UploadId: up.UploadId})
		}
		if completed || err != nil {
			s.client.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &tmp})
		}
	}()
	var parts []types.CompletedPart
	var size int64
	n := len(buf)
	for n > 0 {
		if len(parts) == s3MaxParts {
			return Blob{}, &core.Error{Kind: core.KindTooLarge, Op: op, Message: "err.too_large",
				Err: fmt.Errorf("over %d parts of %d bytes, the most one S3 upload takes", s3MaxParts, s.partSize)}
		}
		num := int32(len(parts) + 1)
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &s.bucket, Key: &tmp, UploadId: up.UploadId,
			PartNumber: &num, Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
		if err != nil {
			return Blob{}, core.Wrap(op, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: &num})
		size += int64(n)
		n, err = io.ReadFull(src, buf)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return Blob{}, core.Wrap(op, err)
		}
		if max > 0 && size+int64(n) > max {
			return Blob{}, errTooLarge(op, max)
		}
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &s.bucket, Key: &tmp,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	completed = true
	b := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: size}
	// The same bytes already stored: skip copying gigabytes onto themselves.
	if ok, err := s.Has(ctx, b.SHA256); err != nil {
		return Blob{}, err
	} else if ok {
		return b, nil
	}
	if err := s.copy(ctx, tmp, s.key(b.SHA256), size); err != nil {
		return Blob{}, core.Wrap(op, err)
	}
	return b, nil
}

// copy copies from to to inside the bucket, part by part above copyMax.
func (s *S3) copy(ctx context.Context, from, to string, size int64) error {
	source := aws.String(s.bucket + "/" + (&url.URL{Path: from}).EscapedPath())
	if size <= s.copyMax {
		_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &s.bucket, Key: &to, CopySource: source})
		return err
	}
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &to})
	if err != nil {
		return err
	}
	var parts []types.CompletedPart
	for off := int64(0); off < size; off += s.copyPart {
		end := min(off+s.copyPart, size) - 1
		num := int32(len(parts) + 1)
		out, err := s.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: &s.bucket, Key: &to, UploadId: up.UploadId,
			PartNumber: &num, CopySource: source, CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", off, end))})
		if err != nil {
			s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &to, UploadId: up.UploadId})
			return err
		}
		parts = append(parts, types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: &num})
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &s.bucket, Key: &to,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &to, UploadId: up.UploadId})
	}
	return err
}

// Open returns the blob's object as a stream.
func (s *S3) Open(ctx context.Context, sum string) (io.ReadCloser, int64, error) {
	const op = "blobs: open"
	if err := CheckSum(sum); err != nil {
		return nil, 0, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(sum))})
	if notFound(err) {
		return nil, 0, errNotFound(op, sum)
	}
	if err != nil {
		return nil, 0, core.Wrap(op, err)
	}
	return out.Body, aws.ToInt64(out.ContentLength), nil
}

// Delete removes the blob's object; S3 answers a delete of a missing key
// with success, which is the idempotence Store promises.
func (s *S3) Delete(ctx context.Context, sum string) error {
	if err := CheckSum(sum); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(sum))})
	if err != nil && !notFound(err) {
		return core.Wrap("blobs: delete", err)
	}
	return nil
}

// Has asks for the blob's object's head.
func (s *S3) Has(ctx context.Context, sum string) (bool, error) {
	if err := CheckSum(sum); err != nil {
		return false, err
	}
	_, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(sum))})
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, core.Wrap("blobs: has", err)
	}
	return true, nil
}

func notFound(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound", "404":
			return true
		}
	}
	return false
}

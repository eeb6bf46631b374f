package blobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// versitygw runs a real S3 server, versitygw on its posix backend, on a free
// loopback port for the test, and returns an S3 store's options for a fresh
// bucket on it. Without the binary (PATH, or ENTENTE_TEST_VERSITYGW) the test
// is skipped, except under ENTENTE_TEST_STRICT=1 where that is a failure.
func versitygw(t testing.TB) S3Options {
	t.Helper()
	bin := os.Getenv("ENTENTE_TEST_VERSITYGW")
	if bin == "" {
		bin, _ = exec.LookPath("versitygw")
	}
	if bin == "" {
		if os.Getenv("ENTENTE_TEST_STRICT") == "1" {
			t.Fatal("ENTENTE_TEST_STRICT=1 but versitygw is not installed (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0, or set ENTENTE_TEST_VERSITYGW)")
		}
		t.Skip("SKIPPING the S3 store: versitygw not in PATH and ENTENTE_TEST_VERSITYGW unset")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	root := t.TempDir()
	var key [12]byte
	rand.Read(key[:])
	o := S3Options{Bucket: "evidence", Endpoint: "http://" + addr, Region: "us-east-1",
		AccessKey: "entente", SecretKey: hex.EncodeToString(key[:])}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--port", addr, "--access", o.AccessKey, "--secret", o.SecretKey, "--quiet",
		"posix", filepath.Join(root))
	cmd.Env = []string{"HOME=" + root}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("versitygw: %s", logs.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(o.Endpoint)
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("versitygw exited: %s", logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer on %s: %s", addr, logs.String())
		}
	}
	s, err := NewS3(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &o.Bucket}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return o
}

func TestS3(t *testing.T) {
	o := versitygw(t)
	n := 0
	open := func(small bool) func(t *testing.T) contract {
		return func(t *testing.T) contract {
			// Each subtest keeps its objects under a prefix of its own, so
			// "nothing left behind" looks only at its own.
			n++
			p := o
			p.Prefix = "t" + string(rune('a'+n%26)) + hex.EncodeToString([]byte{byte(n)})
			s, err := NewS3(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if small {
				// S3's smallest part, and a copy limit the 12 MiB blobs pass,
				// to reach the multipart upload and the part-by-part copy.
				s.partSize, s.copyMax, s.copyPart = 5<<20, 6<<20, 5<<20
			}
			return contract{store: s, list: func(t *testing.T) []string { return s3List(t, s, p.Prefix) }}
		}
	}
	t.Run("one part", func(t *testing.T) { testContract(t, open(false)) })
	t.Run("multipart", func(t *testing.T) { testContract(t, open(true)) })
}

// s3List lists the objects and the unfinished multipart uploads under prefix.
func s3List(t *testing.T, s *S3, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	objs, err := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: aws.String(prefix + "/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs.Contents {
		out = append(out, aws.ToString(o.Key))
	}
	ups, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(prefix + "/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups.Uploads {
		out = append(out, "upload "+aws.ToString(u.Key))
	}
	return out
}

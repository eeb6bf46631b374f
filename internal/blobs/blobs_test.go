package blobs

import (
	"context"
	"strings"
	"testing"
)

func TestOptions(t *testing.T) {
	keys := func(o Options) Options { o.AccessKey, o.SecretKey = "k", "s"; return o }
	for _, tc := range []struct {
		opts Options
		want string // "" for valid, else a part of the error
	}{
		{Options{DataDir: "/var/lib/entente"}, ""},
		{Options{}, "no data directory"},
		{Options{URL: "file:///srv/evidence"}, ""},
		{Options{URL: "file://srv/evidence"}, "absolute"},
		{Options{URL: "file:relative"}, "absolute"},
		{keys(Options{URL: "s3://evidence?endpoint=http://127.0.0.1:7070&region=eu-west-1"}), ""},
		{keys(Options{URL: "s3://evidence/node-a"}), ""},
		{Options{URL: "s3://evidence?endpoint=http://127.0.0.1:7070"}, "AWS_ACCESS_KEY_ID"},
		{keys(Options{URL: "s3://?endpoint=http://127.0.0.1:7070"}), "want s3://bucket"},
		{keys(Options{URL: "s3://evidence?endpoint=127.0.0.1:7070"}), "endpoint"},
		{keys(Options{URL: "s3://evidence?endpiont=http://x"}), "unknown parameter"},
		{keys(Options{URL: "s3://key:secret@evidence"}), "do not belong in the URL"},
		{Options{URL: "gs://evidence"}, "want file:///dir or s3://"},
	} {
		err := Check(tc.opts)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v; want %q", tc.opts, err, tc.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "--blobs") {
			t.Errorf("%+v: %v does not name the setting", tc.opts, err)
		}
	}
	s, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if _, ok := s.(*FS); !ok || err != nil {
		t.Fatalf("default store: %T %v", s, err)
	}
}

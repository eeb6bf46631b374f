package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestFlagsWinOverEnvironmentWinsOverDefaults(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Addr != "127.0.0.1:8080" || c.DataDir != "./entente-data" || c.DB != "entente-data/entente.db" || c.Demo {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	env := map[string]string{"ENTENTE_ADDR": "0.0.0.0:9000", "ENTENTE_DEMO": "true", "ENTENTE_SESSION_IDLE": "15m", "ENTENTE_BASE_URL": "https://entente.example.org/"}
	c, err = parse(t, env)
	if err != nil || c.Addr != "0.0.0.0:9000" || !c.Demo || c.SessionIdle != 15*time.Minute || c.BaseURL != "https://entente.example.org" || !c.Secure() {
		t.Fatalf("environment: %+v %v", c, err)
	}
	c, err = parse(t, env, "--addr", "127.0.0.1:7000", "--demo=false", "--db", "postgres://x@y/z")
	if err != nil || c.Addr != "127.0.0.1:7000" || c.Demo || c.DB != "postgres://x@y/z" {
		t.Fatalf("flags: %+v %v", c, err)
	}
}

func TestValidateNamesTheSetting(t *testing.T) {
	for args, want := range map[string][]string{
		"--addr":      {"--addr", "8080"},
		"--base-url":  {"--base-url", "entente.example.org"},
		"--log-level": {"--log-level", "loud"},
		"--session":   {"--session-idle", "24h", "--session-max", "1h"},
		"--data":      {"--data", ""},
	} {
		_, err := parse(t, nil, want...)
		if err == nil || len(err.Error()) == 0 || err.Error()[:len(args)] != args {
			t.Errorf("%v: error %v; want one starting with %s", want, err, args)
		}
	}
}

func TestBadEnvironmentValuesAreReported(t *testing.T) {
	for env, want := range map[string]string{"ENTENTE_SESSION_IDLE": "ENTENTE_SESSION_IDLE=\"soon\": want a duration", "ENTENTE_DEMO": "ENTENTE_DEMO=\"maybe\": want true or false"} {
		val := map[string]string{"ENTENTE_SESSION_IDLE": "soon", "ENTENTE_DEMO": "maybe"}[env]
		_, err := parse(t, map[string]string{env: val})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%s: %v; want %q", env, val, err, want)
		}
	}
}

func TestBlobs(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Blobs != "" || c.BlobsOptions().DataDir != "./entente-data" {
		t.Fatalf("default: %+v %v", c.BlobsOptions(), err)
	}
	s3 := "s3://evidence?endpoint=http://127.0.0.1:7070&region=us-east-1"
	c, err = parse(t, map[string]string{"ENTENTE_BLOBS": s3, "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"})
	if o := c.BlobsOptions(); err != nil || o.URL != s3 || o.AccessKey != "k" || o.SecretKey != "s" {
		t.Fatalf("s3 from the environment: %+v %v", o, err)
	}
	if _, err = parse(t, nil, "--blobs", s3); err == nil || !strings.HasPrefix(err.Error(), "--blobs") || !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY") {
		t.Fatalf("s3 without credentials: %v", err)
	}
	if _, err = parse(t, nil, "--blobs", "ftp://x"); err == nil || !strings.HasPrefix(err.Error(), "--blobs") {
		t.Fatalf("bad scheme: %v", err)
	}
}

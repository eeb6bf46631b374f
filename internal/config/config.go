// Package config turns flags and ENTENTE_* environment variables into one
// validated Config, built once in main and passed down; nothing reads the
// environment anywhere else.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"entente.example/entente/internal/blobs"
)

// Config is the node's configuration.
type Config struct {
	Addr    string // listen address
	DataDir string // keys, SQLite file, attachments
	DB      string // SQLite path or postgres:// URL; empty means <DataDir>/entente.db
	// Blobs is where large files live (see internal/blobs): empty for
	// <DataDir>/blobs, file:///dir, or s3://bucket?endpoint=…&region=…,
	// whose credentials come from AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY, never from a flag (flags show in ps).
	Blobs                          string
	BlobsAccessKey, BlobsSecretKey string
	BaseURL                        string // public URL of the node; empty means http://<Addr>
	Demo                           bool   // load the demo world on first start

	SMTP     string // smtp://user:pass@host:port; empty writes mail to <DataDir>/mail
	MailFrom string

	// Name, Operator and Country describe the node to its peers (its
	// descriptor): a human name, the operating organisation's handle, and
	// the ISO 3166-1 country of a state's node.
	Name, Operator, Country string

	// TrustedProxies are the addresses (CIDR) of reverse proxies whose
	// X-Forwarded-For header names the real client.
	TrustedProxies string
	// AllowPrivatePeers lets the node talk to peers on loopback and private
	// addresses: single-machine demos and tests.
	AllowPrivatePeers bool
	RetryHorizon      time.Duration

	LogLevel string

	envErrs      []string // environment values that could not be read
	SessionIdle  time.Duration
	SessionMax   time.Duration
	MaxBodyBytes int64
	ShutdownWait time.Duration
}

// Defaults returns the configuration of `entente serve` with no flags.
func Defaults() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		DataDir:      "./entente-data",
		LogLevel:     "info",
		RetryHorizon: 72 * time.Hour,
		MailFrom:     "entente@localhost",
		SessionIdle:  2 * time.Hour,
		SessionMax:   12 * time.Hour,
		MaxBodyBytes: 1 << 20,
		ShutdownWait: 15 * time.Second,
	}
}

// Bind registers the serve flags on fs, taking their defaults from the
// environment (ENTENTE_ADDR for --addr, and so on) so that flags win over
// environment and environment over built-in defaults.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string) {
	str := func(p *string, name, usage string) {
		if v := getenv(envName(name)); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" (env "+envName(name)+")")
	}
	str(&c.Addr, "addr", "address to listen on")
	str(&c.DataDir, "data", "data directory for keys and the SQLite database")
	str(&c.DB, "db", "database: SQLite file path, or postgres://… URL (default: entente.db in the data directory)")
	str(&c.Blobs, "blobs", "where large files live: file:///dir, or s3://bucket?endpoint=http://host:port&region=us-east-1 with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (default: blobs in the data directory)")
	c.BlobsAccessKey, c.BlobsSecretKey = getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	str(&c.BaseURL, "base-url", "public URL of this node, e.g. https://entente.example.org (default: http://ADDR)")
	str(&c.LogLevel, "log-level", "debug, info, warn or error")
	str(&c.Name, "name", "the node's name, shown to peers (default: its host)")
	str(&c.Operator, "operator", "handle of the organisation operating the node, shown to peers")
	str(&c.Country, "country", "ISO 3166-1 alpha-2 country of a state's node, shown to peers")
	str(&c.TrustedProxies, "trusted-proxies", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed, e.g. 127.0.0.1/32")
	str(&c.SMTP, "smtp", "SMTP server for e-mail, smtp://user:password@host:port (default: write .eml files to DATA/mail)")
	str(&c.MailFrom, "mail-from", "sender address of e-mail")
	if v := getenv(envName("demo")); v != "" {
		c.Demo = c.envBool("demo", v)
	}
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load a demo world on first start and print its logins (env ENTENTE_DEMO)")
	dur := func(p *time.Duration, name, usage string) {
		if v := getenv(envName(name)); v != "" {
			if d, err := time.ParseDuration(v); err == nil {
				*p = d
			} else {
				c.envErrs = append(c.envErrs, fmt.Sprintf("%s=%q: want a duration such as 30m or 72h", envName(name), v))
			}
		}
		fs.DurationVar(p, name, *p, usage+" (env "+envName(name)+")")
	}
	if v := getenv(envName("allow-private-peers")); v != "" {
		c.AllowPrivatePeers = c.envBool("allow-private-peers", v)
	}
	fs.BoolVar(&c.AllowPrivatePeers, "allow-private-peers", c.AllowPrivatePeers, "allow peers on loopback and private addresses, for demos and tests (env ENTENTE_ALLOW_PRIVATE_PEERS)")
	dur(&c.RetryHorizon, "retry-horizon", "after this long an envelope a peer did not take is marked undelivered")
	dur(&c.SessionIdle, "session-idle", "sign people out after this long without activity")
	dur(&c.SessionMax, "session-max", "sign people out this long after they signed in")
}

// BindStorage registers only --data and --db, for commands that touch the
// database but serve nothing.
func (c *Config) BindStorage(fs *flag.FlagSet, getenv func(string) string) {
	for _, f := range []struct {
		p           *string
		name, usage string
	}{
		{&c.DataDir, "data", "data directory"},
		{&c.DB, "db", "database: SQLite file path or postgres://… URL"},
	} {
		if v := getenv(envName(f.name)); v != "" {
			*f.p = v
		}
		fs.StringVar(f.p, f.name, *f.p, f.usage+" (env "+envName(f.name)+")")
	}
}

func envName(flagName string) string {
	return "ENTENTE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Validate fills derived values and reports the first problem as one line that
// names the setting.
func (c *Config) Validate() error {
	if len(c.envErrs) > 0 {
		return errors.New(c.envErrs[0])
	}
	if c.DataDir == "" {
		return errors.New("--data: must not be empty")
	}
	if c.DB == "" {
		c.DB = filepath.Join(c.DataDir, "entente.db")
	}
	if err := blobs.Check(c.BlobsOptions()); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--base-url %q: want an absolute http or https URL", c.BaseURL)
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	if c.Country != "" && (len(c.Country) != 2 || strings.Trim(c.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		return fmt.Errorf("--country %q: want a two-letter ISO 3166-1 code such as ID", c.Country)
	}
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if _, err := netip.ParsePrefix(p); err != nil {
				return fmt.Errorf("--trusted-proxies %q: want CIDRs such as 10.0.0.0/8", p)
			}
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.SessionIdle <= 0 || c.SessionMax <= 0 || c.SessionIdle > c.SessionMax {
		return errors.New("--session-idle and --session-max: both must be positive, idle no longer than max")
	}
	return nil
}

// BlobsOptions returns where the blob store lives, for blobs.Open.
func (c *Config) BlobsOptions() blobs.Options {
	return blobs.Options{URL: c.Blobs, DataDir: c.DataDir, AccessKey: c.BlobsAccessKey, SecretKey: c.BlobsSecretKey}
}

// Secure reports whether the node is served over HTTPS, which decides whether
// cookies are Secure and carry the __Host- prefix.
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Proxies returns the trusted proxies, already validated.
func (c *Config) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if pf, err := netip.ParsePrefix(strings.TrimSpace(p)); err == nil {
			out = append(out, pf.Masked())
		}
	}
	return out
}

// envBool reads a boolean environment value, remembering one it cannot read
// so that Validate reports it rather than silently ignoring it.
func (c *Config) envBool(name, v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	c.envErrs = append(c.envErrs, fmt.Sprintf("%s=%q: want true or false", envName(name), v))
	return false
}

package ap

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// Key sizes accepted from other servers: below 1024 bits is forgeable, and
// above 8192 a hostile actor makes every verification expensive.
const (
	minKeyBits = 1024
	maxKeyBits = 8192
)

// NewKey makes an actor's key: 2048-bit RSA (the one kind Mastodon and
// GoToSocial verify), returned with its PKCS #8 private and PKIX public PEM.
func NewKey() (key *rsa.PrivateKey, privPEM, pubPEM string, err error) {
	key, err = rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", "", fmt.Errorf("ap: new key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, "", "", fmt.Errorf("ap: new key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, "", "", fmt.Errorf("ap: new key: %w", err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), nil
}

// PublicKeyPEM writes a public key as PKIX PEM, as actors publish it.
func PublicKeyPEM(k *rsa.PublicKey) (string, error) {
	b, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "", fmt.Errorf("ap: public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: b})), nil
}

// ParsePrivateKeyPEM reads an RSA private key in PKCS #8 ("PRIVATE KEY") or
// PKCS #1 ("RSA PRIVATE KEY") PEM.
func ParsePrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errors.New("ap: private key: no PEM block")
	}
	switch b.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ap: private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("ap: private key: %T is not RSA", k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ap: private key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("ap: private key: PEM block %q", b.Type)
}

// ParsePublicKeyPEM reads an actor's RSA public key in PKIX ("PUBLIC KEY")
// or PKCS #1 ("RSA PUBLIC KEY") PEM, refusing sizes no sane server uses.
func ParsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errors.New("ap: public key: no PEM block")
	}
	var k *rsa.PublicKey
	switch b.Type {
	case "PUBLIC KEY":
		pk, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ap: public key: %w", err)
		}
		rk, ok := pk.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("ap: public key: %T is not RSA", pk)
		}
		k = rk
	case "RSA PUBLIC KEY":
		rk, err := x509.ParsePKCS1PublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ap: public key: %w", err)
		}
		k = rk
	default:
		return nil, fmt.Errorf("ap: public key: PEM block %q", b.Type)
	}
	if n := k.N.BitLen(); n < minKeyBits || n > maxKeyBits {
		return nil, fmt.Errorf("ap: public key: %d bits", n)
	}
	return k, nil
}

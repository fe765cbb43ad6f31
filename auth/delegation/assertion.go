package delegation

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Claims is what an assertion states about the end user.
type Claims struct {
	User        string            `json:"sub"`
	Groups      []string          `json:"groups,omitempty"`
	Attributes  map[string]string `json:"attrs,omitempty"`
	Audience    string            `json:"aud"`
	Issuer      string            `json:"iss"` // the delegating gateway's service account
	IssuedAt    int64             `json:"iat"` // unix seconds
	Expiry      int64             `json:"exp"` // unix seconds
	StatementID string            `json:"sid"`
	Nonce       string            `json:"nonce"`
}

// MaxLifetime bounds how long an assertion may be valid; a signer cannot
// mint a long-lived credential.
const MaxLifetime = 5 * time.Minute

// NewNonce returns 16 random bytes in hex.
func NewNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("delegation: reading random nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Sign returns the wire form of c signed with key. A missing nonce is
// filled in; the lifetime must be positive and at most MaxLifetime.
func Sign(key ed25519.PrivateKey, c Claims) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", errors.New("delegation: the signing key is not an Ed25519 private key")
	}
	if c.User == "" || c.Audience == "" || c.Issuer == "" || c.StatementID == "" {
		return "", errors.New("delegation: an assertion needs a user, an audience, an issuer and a statement id")
	}
	if life := c.Expiry - c.IssuedAt; life <= 0 || time.Duration(life)*time.Second > MaxLifetime {
		return "", fmt.Errorf("delegation: lifetime %ds is outside (0, %s]", life, MaxLifetime)
	}
	if c.Nonce == "" {
		n, err := NewNonce()
		if err != nil {
			return "", err
		}
		c.Nonce = n
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("delegation: encoding claims: %w", err)
	}
	head := base64.RawURLEncoding.EncodeToString(body)
	sig := ed25519.Sign(key, []byte(head))
	return head + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// split decodes the wire form without checking the signature.
func split(token string) (head string, claims Claims, sig []byte, err error) {
	head, s, ok := strings.Cut(token, ".")
	if !ok || head == "" || s == "" {
		return "", Claims{}, nil, errors.New("the assertion is not of the form claims.signature")
	}
	body, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", Claims{}, nil, errors.New("the assertion's claims are not base64url")
	}
	if sig, err = base64.RawURLEncoding.DecodeString(s); err != nil || len(sig) != ed25519.SignatureSize {
		return "", Claims{}, nil, errors.New("the assertion's signature is not a base64url Ed25519 signature")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&claims); err != nil {
		return "", Claims{}, nil, errors.New("the assertion's claims are not valid JSON claims")
	}
	return head, claims, sig, nil
}

// ParsePublicKey reads "ed25519:<base64 of the 32-byte key>", the form
// keygen prints and the users file's trusted_gateways keys take.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b64, ok := strings.CutPrefix(s, "ed25519:")
	if !ok {
		return nil, errors.New(`a public key must be written "ed25519:<base64>"`)
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("the key after \"ed25519:\" must be base64 of %d bytes", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// FormatPublicKey writes key in the form ParsePublicKey reads.
func FormatPublicKey(key ed25519.PublicKey) string {
	return "ed25519:" + base64.StdEncoding.EncodeToString(key)
}

// WritePrivateKey stores a new Ed25519 private key at path (PKCS #8 PEM,
// mode 0600; an existing file is not overwritten) and returns its public
// key.
func WritePrivateKey(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("delegation: generating a key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("delegation: encoding the key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("delegation: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("delegation: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("delegation: writing %s: %w", path, err)
	}
	return pub, nil
}

// ReadPrivateKey reads a key WritePrivateKey wrote (the -delegation-key
// file of a delegating gateway).
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("delegation: %w", err)
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("delegation: %s is not a PEM \"PRIVATE KEY\" file (meshgate keygen writes one)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("delegation: %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("delegation: %s holds a %T key, not an Ed25519 key", path, k)
	}
	return priv, nil
}

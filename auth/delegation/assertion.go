package delegation

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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

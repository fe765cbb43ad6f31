package auth

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/secure/precis"
)

// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: the server
// side of the exchange, the verifiers it checks proofs against, and
// PostgreSQL's verifier text format.

// SCRAMMechanism is the only SASL mechanism meshgate advertises. Channel
// binding (SCRAM-SHA-256-PLUS) is not offered.
const SCRAMMechanism = "SCRAM-SHA-256"

// DefaultIterations is the PBKDF2 iteration count of new verifiers
// (PostgreSQL's scram_iterations default).
const DefaultIterations = 4096

// saltLen is the salt length of new verifiers, as PostgreSQL's.
const saltLen = 16

// Verifier is a SCRAM-SHA-256 password verifier: what the server stores
// instead of the password.
type Verifier struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte // H(HMAC(SaltedPassword, "Client Key"))
	ServerKey  []byte // HMAC(SaltedPassword, "Server Key")
}

// ParseVerifier reads PostgreSQL's format
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (base64).
func ParseVerifier(s string) (*Verifier, error) {
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return nil, errors.New("not a SCRAM-SHA-256 verifier: it must start with SCRAM-SHA-256$")
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, errors.New("malformed SCRAM-SHA-256 verifier: expected <iterations>:<salt>$<StoredKey>:<ServerKey>")
	}
	iter, salt, ok1 := strings.Cut(params, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, errors.New("malformed SCRAM-SHA-256 verifier: expected <iterations>:<salt>$<StoredKey>:<ServerKey>")
	}
	v := &Verifier{}
	n, err := strconv.Atoi(iter)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("malformed SCRAM-SHA-256 verifier: iteration count %q is not a positive integer", iter)
	}
	v.Iterations = n
	if v.Salt, err = base64.StdEncoding.DecodeString(salt); err != nil || len(v.Salt) == 0 {
		return nil, errors.New("malformed SCRAM-SHA-256 verifier: the salt is not base64")
	}
	if v.StoredKey, err = base64.StdEncoding.DecodeString(stored); err != nil || len(v.StoredKey) != sha256.Size {
		return nil, errors.New("malformed SCRAM-SHA-256 verifier: StoredKey is not 32 bytes of base64")
	}
	if v.ServerKey, err = base64.StdEncoding.DecodeString(server); err != nil || len(v.ServerKey) != sha256.Size {
		return nil, errors.New("malformed SCRAM-SHA-256 verifier: ServerKey is not 32 bytes of base64")
	}
	return v, nil
}

// String is the verifier in PostgreSQL's format.
func (v *Verifier) String() string {
	b := base64.StdEncoding
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.Iterations, b.EncodeToString(v.Salt),
		b.EncodeToString(v.StoredKey), b.EncodeToString(v.ServerKey))
}

// NewVerifier derives the verifier of password with the given salt and
// iteration count. The password is SASLprep-normalised first, as libpq
// does; a password SASLprep rejects is used as is, as PostgreSQL does.
func NewVerifier(password string, salt []byte, iterations int) *Verifier {
	salted := saltedPassword(password, salt, iterations)
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	return &Verifier{
		Iterations: iterations,
		Salt:       append([]byte(nil), salt...),
		StoredKey:  stored[:],
		ServerKey:  hmacSHA256(salted, []byte("Server Key")),
	}
}

// MakeVerifier returns a new verifier of password with a random salt and
// DefaultIterations, in PostgreSQL's format (what `meshgate passwd`
// prints).
func MakeVerifier(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return NewVerifier(password, salt, DefaultIterations).String(), nil
}

// CheckPassword reports whether password (received in clear, over TLS)
// matches the verifier. It costs one PBKDF2 derivation.
func (v *Verifier) CheckPassword(password string) bool {
	w := NewVerifier(password, v.Salt, v.Iterations)
	return subtle.ConstantTimeCompare(w.StoredKey, v.StoredKey) == 1
}

func saltedPassword(password string, salt []byte, iterations int) []byte {
	k, err := pbkdf2.Key(sha256.New, SASLprep(password), salt, iterations, sha256.Size)
	if err != nil {
		// Only a FIPS-mode restriction can fail here; derive nothing usable.
		return make([]byte, sha256.Size)
	}
	return k
}

// SASLprep normalises a password as RFC 4013 asks (through PRECIS
// OpaqueString, its successor, as pgx does). An ASCII password is used as
// is (PostgreSQL's pg_saslprep shortcut), and so is one SASLprep rejects,
// as PostgreSQL does.
func SASLprep(password string) string {
	ascii := true
	for i := 0; i < len(password); i++ {
		if password[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return password
	}
	out, err := precis.OpaqueString.String(password)
	if err != nil {
		return password
	}
	return out
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// FakeVerifier is the verifier used for a user who does not exist (or has
// no password): derived from the server secret and the user name, so the
// same name always gets the same salt and a failed login does the same
// work and answers the same as for a real user with a wrong password.
func FakeVerifier(secret []byte, user string) *Verifier {
	salt := hmacSHA256(secret, []byte("meshgate fake salt\x00"+user))[:saltLen]
	return &Verifier{
		Iterations: DefaultIterations,
		Salt:       salt,
		StoredKey:  hmacSHA256(secret, []byte("meshgate fake stored key\x00"+user)),
		ServerKey:  hmacSHA256(secret, []byte("meshgate fake server key\x00"+user)),
	}
}

// ErrPasswordMismatch is returned by SCRAMServer.ClientFinal when the
// client's proof does not match the verifier.
var ErrPasswordMismatch = errors.New("SCRAM proof does not match")

// SCRAMError is a malformed or unsupported SCRAM message: a protocol
// problem rather than a wrong password.
type SCRAMError struct{ Msg string }

func (e *SCRAMError) Error() string { return e.Msg }

func scramErr(format string, args ...any) error {
	return &SCRAMError{Msg: fmt.Sprintf(format, args...)}
}

// SCRAMServer is the server side of one SCRAM-SHA-256 exchange:
// ClientFirst, then ClientFinal.
type SCRAMServer struct {
	v *Verifier

	// serverNonce, when set before ClientFirst, replaces the random part
	// of the nonce (tests use the RFC 7677 vector).
	serverNonce string

	gs2Header       string
	clientFirstBare string
	serverFirst     string
	nonce           string // client nonce + server nonce
}

// NewSCRAMServer starts an exchange against verifier v.
func NewSCRAMServer(v *Verifier) *SCRAMServer { return &SCRAMServer{v: v} }

// ClientFirst reads the client-first-message and returns the
// server-first-message.
func (s *SCRAMServer) ClientFirst(msg []byte) ([]byte, error) {
	m := string(msg)
	// gs2-header: gs2-cbind-flag "," [authzid] ","
	switch {
	case strings.HasPrefix(m, "p="):
		return nil, scramErr("channel binding (SCRAM-SHA-256-PLUS) is not supported: the server offered SCRAM-SHA-256 only")
	case strings.HasPrefix(m, "n,"), strings.HasPrefix(m, "y,"):
	default:
		return nil, scramErr("malformed SCRAM message: unexpected channel-binding flag in client-first-message")
	}
	first := strings.IndexByte(m, ',')
	second := strings.IndexByte(m[first+1:], ',')
	if second < 0 {
		return nil, scramErr("malformed SCRAM message: incomplete GS2 header")
	}
	if m[first+1:first+1+second] != "" {
		return nil, scramErr("client uses authorization identity, but it is not supported")
	}
	s.gs2Header = m[:first+1+second+1]
	s.clientFirstBare = m[len(s.gs2Header):]
	attrs := strings.Split(s.clientFirstBare, ",")
	if strings.HasPrefix(s.clientFirstBare, "m=") {
		return nil, scramErr("client requires an unsupported SCRAM extension")
	}
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") {
		return nil, scramErr("malformed SCRAM message: expected n= in client-first-message")
	}
	cnonce, ok := strings.CutPrefix(attrs[1], "r=")
	if !ok || cnonce == "" {
		return nil, scramErr("malformed SCRAM message: expected r= in client-first-message")
	}
	for _, r := range cnonce {
		if r < 0x21 || r > 0x7e || r == ',' {
			return nil, scramErr("malformed SCRAM message: the client nonce has characters that are not printable")
		}
	}
	snonce := s.serverNonce
	if snonce == "" {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		snonce = base64.StdEncoding.EncodeToString(b)
	}
	s.nonce = cnonce + snonce
	s.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", s.nonce, base64.StdEncoding.EncodeToString(s.v.Salt), s.v.Iterations)
	return []byte(s.serverFirst), nil
}

// ClientFinal reads the client-final-message and, when its proof matches
// the verifier, returns the server-final-message. A wrong proof returns
// ErrPasswordMismatch; a malformed message a *SCRAMError.
func (s *SCRAMServer) ClientFinal(msg []byte) ([]byte, error) {
	if s.serverFirst == "" {
		return nil, scramErr("SCRAM client-final-message before client-first-message")
	}
	m := string(msg)
	i := strings.LastIndex(m, ",p=")
	if i < 0 {
		return nil, scramErr("malformed SCRAM message: expected p= in client-final-message")
	}
	withoutProof, proofB64 := m[:i], m[i+3:]
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 {
		return nil, scramErr("malformed SCRAM message: expected c= and r= in client-final-message")
	}
	cb, ok := strings.CutPrefix(attrs[0], "c=")
	if !ok {
		return nil, scramErr("malformed SCRAM message: expected c= in client-final-message")
	}
	cbind, err := base64.StdEncoding.DecodeString(cb)
	if err != nil || string(cbind) != s.gs2Header {
		return nil, scramErr("SCRAM channel binding check failed")
	}
	nonce, ok := strings.CutPrefix(attrs[1], "r=")
	if !ok || nonce != s.nonce {
		return nil, scramErr("SCRAM nonce does not match")
	}
	proof, err := base64.StdEncoding.DecodeString(proofB64)
	if err != nil || len(proof) != sha256.Size {
		return nil, scramErr("malformed SCRAM message: invalid ClientProof")
	}
	authMessage := []byte(s.clientFirstBare + "," + s.serverFirst + "," + withoutProof)
	clientSig := hmacSHA256(s.v.StoredKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for j := range clientKey {
		clientKey[j] = proof[j] ^ clientSig[j]
	}
	stored := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(stored[:], s.v.StoredKey) != 1 {
		return nil, ErrPasswordMismatch
	}
	serverSig := hmacSHA256(s.v.ServerKey, authMessage)
	return []byte("v=" + base64.StdEncoding.EncodeToString(serverSig)), nil
}

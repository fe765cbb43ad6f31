package flight

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/gateway"
)

// A token is a bearer token the handshake handed out, with the gateway
// session it owns. Its session runs one statement at a time (busy).
type token struct {
	id       string
	sess     *gateway.Session
	created  time.Time
	busy     chan struct{} // holds one value while a statement uses the session
	mu       sync.Mutex    // guards lastUsed, handles, tx, closed
	lastUsed time.Time
	handles  map[string]*handle
	tx       string // the open transaction's id (transactions.go); "" when none
	closed   bool
}

// tokens are the live tokens and their lifetimes.
type tokens struct {
	idle, ttl time.Duration
	mu        sync.Mutex
	byID      map[string]*token
}

type tokenKey struct{}

// fromContext is the call's token (set by the interceptors).
func fromContext(ctx context.Context) *token {
	t, _ := ctx.Value(tokenKey{}).(*token)
	return t
}

// lookup finds a live token and marks it used; an expired one is closed.
func (ts *tokens) lookup(id string, now time.Time) (*token, error) {
	ts.mu.Lock()
	t := ts.byID[id]
	ts.mu.Unlock()
	if t == nil {
		return nil, status.Error(codes.Unauthenticated, "unknown or closed bearer token: authenticate again with the user's name and password (HTTP Basic handshake)")
	}
	t.mu.Lock()
	expired := now.Sub(t.lastUsed) > ts.idle || now.Sub(t.created) > ts.ttl
	if !expired {
		t.lastUsed = now
	}
	t.mu.Unlock()
	if expired {
		ts.drop(t)
		return nil, status.Error(codes.Unauthenticated, "the bearer token expired: authenticate again with the user's name and password (HTTP Basic handshake)")
	}
	return t, nil
}

// add registers a new token for a session.
func (ts *tokens) add(sess *gateway.Session, now time.Time) *token {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	t := &token{id: base64.RawURLEncoding.EncodeToString(b), sess: sess, created: now, lastUsed: now,
		busy: make(chan struct{}, 1), handles: map[string]*handle{}}
	ts.mu.Lock()
	ts.byID[t.id] = t
	ts.mu.Unlock()
	return t
}

// drop forgets a token and closes its session once no statement runs on
// it (its running statements are cancelled); done is closed then.
func (ts *tokens) drop(t *token) (done <-chan struct{}) {
	ts.mu.Lock()
	delete(ts.byID, t.id)
	ts.mu.Unlock()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		t.cancelAll()
		t.busy <- struct{}{}
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.closed {
			return
		}
		t.closed = true
		for id, h := range t.handles {
			h.p.Close()
			delete(t.handles, id)
		}
		t.sess.Close()
	}()
	return closed
}

// expire drops the tokens past their lifetimes.
func (ts *tokens) expire(now time.Time) {
	ts.mu.Lock()
	var old []*token
	for _, t := range ts.byID {
		t.mu.Lock()
		if now.Sub(t.lastUsed) > ts.idle || now.Sub(t.created) > ts.ttl {
			old = append(old, t)
		}
		t.mu.Unlock()
	}
	ts.mu.Unlock()
	for _, t := range old {
		ts.drop(t)
	}
}

// closeAll drops every token and waits until their sessions are closed
// (server shutdown: the engine closes after).
func (ts *tokens) closeAll() {
	ts.mu.Lock()
	all := make([]*token, 0, len(ts.byID))
	for _, t := range ts.byID {
		all = append(all, t)
	}
	ts.mu.Unlock()
	var done []<-chan struct{}
	for _, t := range all {
		done = append(done, ts.drop(t))
	}
	for _, d := range done {
		<-d
	}
}

// acquire takes the token's session for one statement, waiting at most
// busyWait for a statement still streaming on it.
func (t *token) acquire(ctx context.Context) error {
	timer := time.NewTimer(busyWait)
	defer timer.Stop()
	select {
	case t.busy <- struct{}{}:
		t.mu.Lock()
		closed := t.closed
		t.mu.Unlock()
		if closed {
			<-t.busy
			return status.Error(codes.Unauthenticated, "the bearer token's session is closed: authenticate again")
		}
		return nil
	case <-ctx.Done():
		return statusOf(ctx.Err())
	case <-timer.C:
		return status.Error(codes.FailedPrecondition, "the session is still streaming another result (SQLSTATE 55006)\nHINT: Read the earlier result to its end or cancel it (CancelFlightInfo), or authenticate again for a second session.")
	}
}

func (t *token) release() { <-t.busy }

// busyWait is how long a call waits for the session's running statement.
const busyWait = 5 * time.Second

// credentials of a handshake's "authorization: Basic …" header.
func basicCredentials(md metadata.MD) (user, password string, err error) {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(first(md, "authorization")), " ")
	if !strings.EqualFold(scheme, "basic") {
		return "", "", status.Error(codes.Unauthenticated, "the handshake needs HTTP Basic credentials (authorization: Basic base64(user:password))")
	}
	raw, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if derr != nil {
		raw, derr = base64.RawStdEncoding.DecodeString(strings.TrimSpace(cred))
	}
	if derr != nil {
		return "", "", status.Error(codes.Unauthenticated, "the handshake's Basic credentials are not base64: send base64(user:password)")
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", status.Error(codes.Unauthenticated, "the handshake's Basic credentials have no colon: send base64(user:password)")
	}
	return user, password, nil
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// handshake logs the user in and answers a bearer token in the header.
func (s *Server) handshake(stream grpc.ServerStream) error {
	ctx := stream.Context()
	md, _ := metadata.FromIncomingContext(ctx)
	user, password, err := basicCredentials(md)
	if err != nil {
		return err
	}
	p, _ := peer.FromContext(ctx)
	c := gateway.Credentials{User: user, Password: password, Protocol: "flight"}
	d := gateway.Door{Protocol: "flight", Application: first(md, "user-agent")}
	if p != nil {
		c.RemoteAddr, d.RemoteAddr = p.Addr, p.Addr
		_, c.TLS = p.AuthInfo.(credentials.TLSInfo)
		d.TLS = c.TLS
	}
	u, err := s.gw.Login(ctx, c)
	if err != nil {
		return statusOf(err)
	}
	sess, err := s.gw.OpenSession(ctx, u, d)
	if err != nil {
		return statusOf(err)
	}
	t := s.tokens.add(sess, time.Now())
	return stream.SetHeader(metadata.Pairs("authorization", "Bearer "+t.id))
}

// authorized is the call's token from its "authorization: Bearer …" header.
func (s *Server) authorized(ctx context.Context) (*token, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	scheme, cred, _ := strings.Cut(strings.TrimSpace(first(md, "authorization")), " ")
	if !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(cred) == "" {
		return nil, status.Error(codes.Unauthenticated, "no bearer token: authenticate first with the Flight handshake (HTTP Basic user and password)")
	}
	return s.tokens.lookup(strings.TrimSpace(cred), time.Now())
}

type wrappedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (w *wrappedStream) Context() context.Context { return w.ctx }

// recovered turns a panic in a call into an XX000 status: one bad call
// never takes the server down.
func (s *Server) recovered(method string, err *error) {
	if r := recover(); r != nil {
		s.log.Error("flight call panicked", "method", method, "panic", r)
		*err = status.Errorf(codes.Internal, "internal error in %s (SQLSTATE XX000)", method)
	}
}

func (s *Server) streamInterceptor(srv any, stream grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer s.recovered(info.FullMethod, &err)
	if strings.HasSuffix(info.FullMethod, "/Handshake") {
		return s.handshake(stream)
	}
	t, err := s.authorized(stream.Context())
	if err != nil {
		return err
	}
	return handler(srv, &wrappedStream{ServerStream: stream, ctx: context.WithValue(stream.Context(), tokenKey{}, t)})
}

func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (_ any, err error) {
	defer s.recovered(info.FullMethod, &err)
	t, err := s.authorized(ctx)
	if err != nil {
		return nil, err
	}
	return handler(context.WithValue(ctx, tokenKey{}, t), req)
}

// CloseSession ends the token's session now (ADBC sends it when a
// connection closes), freeing its connection slot; the token is
// unknown afterwards. Without it, a session lasts until the token expires.
func (s *Server) CloseSession(ctx context.Context, _ *flight.CloseSessionRequest) (*flight.CloseSessionResult, error) {
	t := fromContext(ctx)
	<-s.tokens.drop(t)
	return &flight.CloseSessionResult{Status: flight.CloseSessionResultClosed}, nil
}

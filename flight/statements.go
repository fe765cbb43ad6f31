package flight

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/internal/sqlquote"
)

// A handle is a statement prepared on a token's session: a query's ticket
// (redeemed once) or a prepared statement (run any number of times).
type handle struct {
	p       *gateway.Prepared
	once    bool        // a CommandStatementQuery ticket
	params  [][]*string // rows bound with DoPut: one execution each
	cancel  context.CancelFunc
	stopped bool // cancelled before or while it ran
}

func newHandleID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (t *token) put(h *handle) string {
	id := newHandleID()
	t.mu.Lock()
	t.handles[id] = h
	t.mu.Unlock()
	return id
}

var errNotYours = status.Error(codes.PermissionDenied, "the ticket or statement handle was not issued to this session, or was already redeemed or closed (SQLSTATE 26000)\nHINT: Tickets and prepared statements belong to the session (bearer token) that made them.")

func (t *token) get(id string) (*handle, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.handles[id]
	if h == nil {
		return nil, errNotYours
	}
	return h, nil
}

func (t *token) remove(id string) *handle {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.handles[id]
	delete(t.handles, id)
	return h
}

// cancelAll cancels the running statements (the token is being dropped).
func (t *token) cancelAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range t.handles {
		h.stopped = true
		if h.cancel != nil {
			h.cancel()
		}
	}
}

// prepare checks and plans a statement on the call's session.
func (s *Server) prepare(ctx context.Context, query string) (*token, *gateway.Prepared, error) {
	t := fromContext(ctx)
	if err := t.acquire(ctx); err != nil {
		return nil, nil, err
	}
	defer t.release()
	p, err := t.sess.Prepare(ctx, query)
	if err != nil {
		return nil, nil, statusOf(err)
	}
	return t, p, nil
}

func flightInfo(sc *arrow.Schema, desc *flight.FlightDescriptor, ticket []byte) *flight.FlightInfo {
	if sc == nil {
		sc = arrow.NewSchema(nil, nil)
	}
	return &flight.FlightInfo{
		Schema:           flight.SerializeSchema(sc, memory.DefaultAllocator),
		FlightDescriptor: desc,
		Endpoint:         []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: ticket}}},
		TotalRecords:     -1,
		TotalBytes:       -1,
	}
}

// GetFlightInfoStatement prepares the query and answers a ticket bound to
// the session; DoGet runs it.
func (s *Server) GetFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	if err := fromContext(ctx).inTransaction(cmd.GetTransactionId()); err != nil {
		return nil, err
	}
	t, p, err := s.prepare(ctx, cmd.GetQuery())
	if err != nil {
		return nil, err
	}
	id := t.put(&handle{p: p, once: true, params: [][]*string{nil}}) // one run, no parameters
	ticket, err := flightsql.CreateStatementQueryTicket([]byte(id))
	if err != nil {
		t.remove(id)
		p.Close()
		return nil, status.Error(codes.Internal, err.Error())
	}
	return flightInfo(p.Schema(), desc, ticket), nil
}

// GetSchemaStatement prepares the query for its schema only.
func (s *Server) GetSchemaStatement(ctx context.Context, cmd flightsql.StatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	t, p, err := s.prepare(ctx, cmd.GetQuery())
	if err != nil {
		return nil, err
	}
	sc := p.Schema()
	t.closeLater(p)
	if sc == nil {
		sc = arrow.NewSchema(nil, nil)
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(sc, memory.DefaultAllocator)}, nil
}

// closeLater closes a prepared statement under the session's lock.
func (t *token) closeLater(p *gateway.Prepared) {
	t.busy <- struct{}{}
	p.Close()
	t.release()
}

// DoGetStatement redeems a query's ticket on the session that got it.
func (s *Server) DoGetStatement(ctx context.Context, tkt flightsql.StatementQueryTicket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	t := fromContext(ctx)
	id := string(tkt.GetStatementHandle())
	if _, err := t.get(id); err != nil {
		return nil, nil, err
	}
	return s.run(ctx, t, id)
}

// DoGetPreparedStatement runs a prepared statement with its bound parameters.
func (s *Server) DoGetPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	t := fromContext(ctx)
	id := string(cmd.GetPreparedStatementHandle())
	if _, err := t.get(id); err != nil {
		return nil, nil, err
	}
	return s.run(ctx, t, id)
}

// run executes a handle's statement and streams its batches; the session
// stays taken until the stream ends. Cancelling the handle (CancelFlightInfo)
// or the client going away cancels the statement's context.
func (s *Server) run(ctx context.Context, t *token, id string) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	if err := t.acquire(ctx); err != nil {
		return nil, nil, err
	}
	qctx, cancel := context.WithCancel(ctx)
	h, err := t.get(id)
	var params [][]*string
	if err == nil {
		t.mu.Lock()
		if h.stopped {
			err = statusOf(context.Canceled)
		}
		h.cancel = cancel
		params = h.params
		t.mu.Unlock()
	}
	finish := func() {
		cancel()
		t.mu.Lock()
		h.cancel = nil
		t.mu.Unlock()
		if h.once {
			t.remove(id)
			h.p.Close()
		}
		t.release()
	}
	if err != nil {
		cancel()
		if h != nil {
			finish()
		} else {
			t.release()
		}
		return nil, nil, err
	}
	rr, err := execute(qctx, h.p, params)
	if err != nil {
		finish()
		return nil, nil, statusOf(err)
	}
	if rr == nil {
		// A statement without rows (SET, say) answers an empty stream.
		finish()
		ch := make(chan flight.StreamChunk)
		close(ch)
		return arrow.NewSchema(nil, nil), ch, nil
	}
	ch := make(chan flight.StreamChunk, streamAhead)
	go pump(qctx, ctx, s.mem, rr, ch, finish)
	return rr.Schema(), ch, nil
}

// CancelFlightInfo cancels a ticket's statement: a running one stops
// (DuckDB and port fetches end), one not yet redeemed is dropped.
func (s *Server) CancelFlightInfo(ctx context.Context, req *flight.CancelFlightInfoRequest) (flight.CancelFlightInfoResult, error) {
	t := fromContext(ctx)
	info := req.GetInfo()
	if info == nil || len(info.Endpoint) == 0 || info.Endpoint[0].GetTicket() == nil {
		return flight.CancelFlightInfoResult{Status: flight.CancelStatusNotCancellable}, status.Error(codes.InvalidArgument, "the FlightInfo to cancel has no ticket")
	}
	id, err := ticketHandle(info.Endpoint[0].GetTicket().GetTicket())
	if err != nil {
		return flight.CancelFlightInfoResult{Status: flight.CancelStatusNotCancellable}, err
	}
	t.mu.Lock()
	h := t.handles[id]
	if h != nil {
		h.stopped = true
		if h.cancel != nil {
			h.cancel()
		}
	}
	t.mu.Unlock()
	if h == nil {
		return flight.CancelFlightInfoResult{Status: flight.CancelStatusNotCancellable}, errNotYours
	}
	return flight.CancelFlightInfoResult{Status: flight.CancelStatusCancelled}, nil
}

// CancelQuery is the older cancel action (ActionCancelQuery).
func (s *Server) CancelQuery(ctx context.Context, req flightsql.ActionCancelQueryRequest) (flightsql.CancelResult, error) {
	r, err := s.CancelFlightInfo(ctx, &flight.CancelFlightInfoRequest{Info: req.GetInfo()})
	if err != nil {
		return flightsql.CancelResultNotCancellable, err
	}
	if r.Status != flight.CancelStatusCancelled {
		return flightsql.CancelResultNotCancellable, nil
	}
	return flightsql.CancelResultCancelled, nil
}

// ticketHandle reads the handle from a ticket meshgate issued.
func ticketHandle(ticket []byte) (string, error) {
	var a anypb.Any
	if err := proto.Unmarshal(ticket, &a); err != nil {
		return "", status.Error(codes.InvalidArgument, "the ticket is not a Flight SQL ticket")
	}
	m, err := a.UnmarshalNew()
	if err != nil {
		return "", status.Error(codes.InvalidArgument, "the ticket is not a Flight SQL ticket")
	}
	switch m := m.(type) {
	case *pb.TicketStatementQuery:
		return string(m.GetStatementHandle()), nil
	case *pb.CommandPreparedStatementQuery:
		return string(m.GetPreparedStatementHandle()), nil
	}
	return "", status.Error(codes.InvalidArgument, "only statement tickets can be cancelled")
}

// CreatePreparedStatement prepares a statement on the session.
func (s *Server) CreatePreparedStatement(ctx context.Context, req flightsql.ActionCreatePreparedStatementRequest) (flightsql.ActionCreatePreparedStatementResult, error) {
	if err := fromContext(ctx).inTransaction(req.GetTransactionId()); err != nil {
		return flightsql.ActionCreatePreparedStatementResult{}, err
	}
	t, p, err := s.prepare(ctx, req.GetQuery())
	if err != nil {
		return flightsql.ActionCreatePreparedStatementResult{}, err
	}
	// Unbound parameters are NULL, as before a DoPut binds rows.
	id := t.put(&handle{p: p, params: [][]*string{make([]*string, len(p.Params()))}})
	fields := make([]arrow.Field, len(p.Params()))
	for i, dt := range p.ParamTypes() {
		if dt == nil {
			dt = arrow.BinaryTypes.String
		}
		fields[i] = arrow.Field{Name: "$" + strconv.Itoa(i+1), Type: dt, Nullable: true}
	}
	res := flightsql.ActionCreatePreparedStatementResult{Handle: []byte(id), DatasetSchema: p.Schema(), ParameterSchema: arrow.NewSchema(fields, nil)}
	if res.DatasetSchema == nil {
		res.DatasetSchema = arrow.NewSchema(nil, nil)
	}
	return res, nil
}

// ClosePreparedStatement frees a prepared statement.
func (s *Server) ClosePreparedStatement(ctx context.Context, req flightsql.ActionClosePreparedStatementRequest) error {
	t := fromContext(ctx)
	h := t.remove(string(req.GetPreparedStatementHandle()))
	if h == nil {
		return errNotYours
	}
	if err := t.acquire(ctx); err != nil {
		return err
	}
	defer t.release()
	h.p.Close()
	return nil
}

// DoPutPreparedStatementQuery binds rows of parameters: the next DoGet
// runs the statement once per row, its results one after another.
func (s *Server) DoPutPreparedStatementQuery(ctx context.Context, cmd flightsql.PreparedStatementQuery, r flight.MessageReader, _ flight.MetadataWriter) ([]byte, error) {
	t := fromContext(ctx)
	id := string(cmd.GetPreparedStatementHandle())
	h, err := t.get(id)
	if err != nil {
		return nil, err
	}
	params, err := paramRows(r, len(h.p.Params()))
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	h.params = params
	t.mu.Unlock()
	return []byte(id), nil
}

// GetFlightInfoPreparedStatement answers the prepared statement's ticket.
func (s *Server) GetFlightInfoPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	h, err := fromContext(ctx).get(string(cmd.GetPreparedStatementHandle()))
	if err != nil {
		return nil, err
	}
	return flightInfo(h.p.Schema(), desc, desc.GetCmd()), nil
}

// GetSchemaPreparedStatement answers the prepared statement's schema.
func (s *Server) GetSchemaPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	h, err := fromContext(ctx).get(string(cmd.GetPreparedStatementHandle()))
	if err != nil {
		return nil, err
	}
	sc := h.p.Schema()
	if sc == nil {
		sc = arrow.NewSchema(nil, nil)
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(sc, memory.DefaultAllocator)}, nil
}

// DoPutCommandStatementUpdate runs a statement through the session: a
// write or DDL gets the refusal pgwire sends; SET and the like run.
func (s *Server) DoPutCommandStatementUpdate(ctx context.Context, cmd flightsql.StatementUpdate) (int64, error) {
	if err := fromContext(ctx).inTransaction(cmd.GetTransactionId()); err != nil {
		return 0, err
	}
	return s.update(ctx, cmd.GetQuery())
}

// DoPutPreparedStatementUpdate runs a prepared statement as an update,
// once per row of the parameters sent with it (executemany); the count
// is the rows of all runs.
func (s *Server) DoPutPreparedStatementUpdate(ctx context.Context, cmd flightsql.PreparedStatementUpdate, r flight.MessageReader) (int64, error) {
	t := fromContext(ctx)
	h, err := t.get(string(cmd.GetPreparedStatementHandle()))
	if err != nil {
		return 0, err
	}
	t.mu.Lock()
	params := h.params
	t.mu.Unlock()
	if r != nil {
		if params, err = paramRows(r, len(h.p.Params())); err != nil {
			return 0, err
		}
	}
	if err := t.acquire(ctx); err != nil {
		return 0, err
	}
	defer t.release()
	var total int64
	for _, row := range params {
		rows, err := h.p.Query(ctx, row)
		n, err := drain(rows, err)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func (s *Server) update(ctx context.Context, query string) (int64, error) {
	t := fromContext(ctx)
	if err := t.acquire(ctx); err != nil {
		return 0, err
	}
	defer t.release()
	rows, err := t.sess.Query(ctx, query, nil)
	return drain(rows, err)
}

// drain counts and releases a result's rows.
func drain(rows *gateway.Rows, err error) (int64, error) {
	if err != nil {
		return 0, statusOf(err)
	}
	if rows.Records == nil {
		return 0, nil
	}
	defer rows.Records.Release()
	var n int64
	for rows.Records.Next() {
		n += rows.Records.RecordBatch().NumRows()
	}
	return n, statusOf(rows.Records.Err())
}

// DoPutCommandStatementIngest is a write: the session refuses the INSERT
// it amounts to, with pgwire's sentence, SQLSTATE and audit record.
func (s *Server) DoPutCommandStatementIngest(ctx context.Context, cmd flightsql.StatementIngest, _ flight.MessageReader) (int64, error) {
	name := sqlquote.Ident(cmd.GetTable())
	if sc := cmd.GetSchema(); sc != "" {
		name = sqlquote.Ident(sc) + "." + name
	}
	n, err := s.update(ctx, "INSERT INTO "+name+" DEFAULT VALUES")
	if err == nil {
		return n, status.Error(codes.Internal, "bulk ingest ran an INSERT; meshgate is read-only (SQLSTATE XX000)")
	}
	return 0, err
}

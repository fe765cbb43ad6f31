package pgwire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"
)

// simpleQuery handles Query: every statement in the text is bound without
// parameters and run to completion, each with its own CommandComplete.
// The first error is reported and the rest skipped; ReadyForQuery always
// follows.
func (c *conn) simpleQuery(ctx context.Context, sql string) {
	c.runSimple(ctx, sql)
	// Not deferred: a panic must not be followed by ReadyForQuery.
	c.endOfTransactionWork()
	c.readyForQuery()
	_ = c.w.flush()
}

func (c *conn) runSimple(ctx context.Context, sql string) {
	// A simple Query drops the unnamed statement and portal.
	if p := c.portals[""]; p != nil {
		p.close()
		delete(c.portals, "")
	}
	if s := c.stmts[""]; s != nil {
		s.close()
		delete(c.stmts, "")
	}

	stmts, err := c.sess.Parse(ctx, sql, nil)
	if err != nil {
		c.sendError(err)
		return
	}
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	if len(stmts) == 0 {
		c.w.msg(&pgproto3.EmptyQueryResponse{})
		return
	}
	for _, s := range stmts {
		if err := c.simpleStatement(ctx, s); err != nil {
			c.sendError(err)
			return
		}
		if c.w.err != nil {
			return
		}
	}
}

func (c *conn) simpleStatement(ctx context.Context, s Statement) error {
	bound, err := s.Bind(ctx, nil, nil)
	if err != nil {
		return err
	}
	p := &portal{p: bound, fields: bound.Fields()}
	if p.fields == nil {
		p.fields = s.Fields()
	}
	defer p.close()
	return c.runPortal(ctx, p, 0, true)
}

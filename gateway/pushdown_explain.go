package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner"
)

// explainPush is the pushed form of an EXPLAIN's query (prepared on its
// own for its result types), or nil.
func (s *session) explainPush(ctx context.Context, read *planner.Read, declared []uint32) *pushPlan {
	if s.values[pushdownSetting] == "off" {
		return nil
	}
	p, err := s.prepareTyped(ctx, "", read.SQL, declared)
	if err != nil {
		return nil
	}
	defer p.Close()
	return s.planPush(ctx, read, p.Schema())
}

// explainPushed answers EXPLAIN of a pushed statement: the source and the
// statement sent to it; with ANALYZE, the statement runs at the source
// and the rows that came back are counted. A nil result (the source
// refused the statement) leaves EXPLAIN to the engine.
func (s *session) explainPushed(ctx context.Context, p *pushPlan, analyze bool) (*pgwire.Result, error) {
	lines := []string{
		"Pushed to its source: " + p.port,
		"  Source SQL: " + p.sql,
		fmt.Sprintf("  Parameters: %d", len(p.params)),
	}
	if analyze {
		start := time.Now()
		rr, ok, err := s.runPush(ctx, p)
		if err != nil || !ok {
			return nil, err
		}
		for rr.Next() {
		}
		err = rr.Err()
		rr.Release()
		if err != nil {
			return nil, err
		}
		lines = append(lines, fmt.Sprintf("  Rows from the source: %d (%.3f ms)", p.rows, float64(time.Since(start).Microseconds())/1000))
	}
	return &pgwire.Result{Records: textRecords([]string{"QUERY PLAN"}, [][]string{lines}), Command: "EXPLAIN"}, nil
}

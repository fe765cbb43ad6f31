package pgcatalog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
)

// BenchmarkSessionCatalog measures building one session's client catalog.
func BenchmarkSessionCatalog(b *testing.B) {
	eng, _, err := engine.Open(context.Background(), &catalog.Mesh{Dir: b.TempDir()}, engine.Config{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	if err := eng.Setup(SharedStatements("mesh", "v", time.Now())); err != nil {
		b.Fatal(err)
	}
	var rels []Relation
	for i := 0; i < 10; i++ {
		r := Relation{Address: catalog.Address{Domain: "d", Name: "p" + strings.Repeat("x", i)}, Description: "x"}
		for j := 0; j < 8; j++ {
			r.Columns = append(r.Columns, Column{Name: "c" + strings.Repeat("y", j), TypeOID: 25, TypMod: -1})
		}
		rels = append(rels, r)
	}
	for i := 0; i < b.N; i++ {
		s, err := eng.NewSession(context.Background(), func(cat string) ([]engine.View, []string) {
			return nil, Statements(Session{Catalog: cat, Database: "mesh", User: "u", Version: "v", Started: time.Now(), Relations: rels})
		})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkSessionParts(b *testing.B) {
	eng, _, err := engine.Open(context.Background(), &catalog.Mesh{Dir: b.TempDir()}, engine.Config{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	if err := eng.Setup(SharedStatements("mesh", "v", time.Now())); err != nil {
		b.Fatal(err)
	}
	all := Statements(Session{Catalog: "CAT", Database: "mesh", User: "u", Version: "v", Started: time.Now()})
	for _, part := range []string{"attach", "tables", "macros"} {
		b.Run(part, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s, err := eng.NewSession(context.Background(), func(cat string) ([]engine.View, []string) {
					var out []string
					for _, st := range all {
						st = strings.ReplaceAll(st, `"CAT"`, `"`+cat+`"`)
						m := strings.Contains(st, "MACRO")
						if (part == "tables" && !m) || (part == "macros") {
							out = append(out, st)
						}
					}
					return nil, out
				})
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

package flight_test

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func arrowFromJSON(sc *arrow.Schema, js string) (arrow.RecordBatch, int64, error) {
	return array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(js))
}

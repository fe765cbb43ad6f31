package catalog

import (
	"fmt"
	"strconv"
	"time"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// The quality rules and service levels of a product, with the field names
// of the Open Data Contract Standard v3 (quality, slaProperties); see the
// package documentation for the format and quality_load.go for the reader.

// Library metrics a rule may compute.
const (
	MetricNullValues      = "nullValues"
	MetricMissingValues   = "missingValues"
	MetricInvalidValues   = "invalidValues"
	MetricDuplicateValues = "duplicateValues"
	MetricRowCount        = "rowCount"
)

var (
	libraryMetrics = []string{MetricNullValues, MetricMissingValues, MetricInvalidValues, MetricDuplicateValues, MetricRowCount}
	thresholdOps   = []string{"mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"}
	severities     = []string{"error", "warning"}
	units          = []string{"rows", "percent"}
	onFailures     = []string{"warn", "block"}
)

// Literal is one value of a validValues or missingValues list: text, or a
// number or boolean as written (SQL renders it).
type Literal struct {
	Text string
	Null bool // the YAML null (missingValues: [null, ''])
	Raw  bool // a number or boolean: written into SQL as is
}

// SQL renders the literal.
func (l Literal) SQL() string {
	switch {
	case l.Null:
		return "NULL"
	case l.Raw:
		return l.Text
	}
	return sqlquote.Literal(l.Text)
}

// Threshold is a rule's comparison: Op is one of the must* keys, Values
// holds one number (two for the Between forms).
type Threshold struct {
	Op     string
	Values []float64
}

// Holds reports whether a measured value passes the threshold.
func (t Threshold) Holds(v float64) bool {
	a := t.Values[0]
	switch t.Op {
	case "mustBe":
		return v == a
	case "mustNotBe":
		return v != a
	case "mustBeGreaterThan":
		return v > a
	case "mustBeGreaterOrEqualTo":
		return v >= a
	case "mustBeLessThan":
		return v < a
	case "mustBeLessOrEqualTo":
		return v <= a
	case "mustBeBetween":
		return v >= a && v <= t.Values[1]
	case "mustNotBeBetween":
		return v < a || v > t.Values[1]
	}
	return false
}

// String is the threshold as written ("mustBeLessThan 5").
func (t Threshold) String() string {
	vs := make([]string, len(t.Values))
	for i, v := range t.Values {
		vs[i] = FormatNumber(v)
	}
	if len(vs) == 2 {
		return fmt.Sprintf("%s [%s, %s]", t.Op, vs[0], vs[1])
	}
	return t.Op + " " + vs[0]
}

// Symbol is the threshold in short form for messages ("> 0" for a rule
// that failed mustBe 0 is written by the caller; this is "= 0").
func (t Threshold) Symbol() string {
	sym := map[string]string{"mustBe": "=", "mustNotBe": "≠", "mustBeGreaterThan": ">", "mustBeGreaterOrEqualTo": "≥", "mustBeLessThan": "<", "mustBeLessOrEqualTo": "≤"}
	if s, ok := sym[t.Op]; ok {
		return s + " " + FormatNumber(t.Values[0])
	}
	if t.Op == "mustBeBetween" {
		return fmt.Sprintf("in [%s, %s]", FormatNumber(t.Values[0]), FormatNumber(t.Values[1]))
	}
	return fmt.Sprintf("outside [%s, %s]", FormatNumber(t.Values[0]), FormatNumber(t.Values[1]))
}

// FormatNumber writes a measured value or threshold without needless
// decimals (3, 2.5).
func FormatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ValueOptions are a column's logicalTypeOptions that invalidValues checks:
// a regular expression the text must match fully, and bounds (inclusive)
// written as SQL literals of the column's type.
type ValueOptions struct {
	Pattern          string
	Minimum, Maximum string // "" when not set
}

// Rule is one quality rule. Column is empty for a product-level rule.
type Rule struct {
	Name        string // unique in the product (given, or column_metric)
	Column      string
	Type        string // library | sql
	Metric      string // library metric; "" for sql
	Query       string // sql: returns one number
	Missing     []Literal
	Valid       []Literal
	Options     ValueOptions // invalidValues without validValues
	Threshold   Threshold
	Unit        string // rows | percent
	Dimension   string
	Severity    string // error | warning
	Description string
	Schedule    time.Duration // 0: the gateway's -check-interval
	Line        int
}

// Describe is the rule in one phrase ("duplicateValues of order_id").
func (r Rule) Describe() string {
	switch {
	case r.Type == "sql":
		return "sql"
	case r.Column != "":
		return r.Metric + " of " + r.Column
	}
	return r.Metric
}

// SLAProperty is one slaProperties entry.
type SLAProperty struct {
	Property string
	Value    float64
	Text     string // a value that is not a number (generalAvailability dates)
	Unit     string
	Element  string // the timestamp column it is measured on
	Line     int
}

// Duration is the property's value as a duration (value × unit).
func (s SLAProperty) Duration() time.Duration {
	return time.Duration(s.Value * float64(slaUnits[s.Unit]))
}

// SLA holds the service levels meshgate checks (others are kept as
// written, for the catalog).
type SLA struct {
	Freshness *SLAProperty // freshness or latency: now() - max(element)
	Retention *SLAProperty // now() - min(element)
	Frequency *SLAProperty
	Others    []SLAProperty
}

var slaUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	"y": 365 * 24 * time.Hour, "yr": 365 * 24 * time.Hour, "year": 365 * 24 * time.Hour, "years": 365 * 24 * time.Hour,
}

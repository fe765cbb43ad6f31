package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/internal/strictyaml"
)

var (
	ruleKeys      = append([]string{"name", "description", "type", "metric", "arguments", "validValues", "missingValues", "query", "unit", "dimension", "severity", "schedule"}, thresholdOps...)
	argumentKeys  = []string{"validValues", "missingValues", "pattern", "minimum", "maximum"}
	typeOptKeys   = []string{"pattern", "minimum", "maximum"}
	slaKeys       = []string{"property", "value", "unit", "element", "description"}
	dimensions    = []string{"accuracy", "completeness", "conformity", "consistency", "coverage", "timeliness", "uniqueness"}
	checkedSLA    = []string{"freshness", "latency", "retention", "frequency"}
	documentedSLA = []string{"generalAvailability", "endOfSupport", "endOfLife", "timeOfAvailability", "timeToDetect", "timeToNotify", "timeToRepair", "availability", "throughput", "errorRate"}
)

// qualityRules reads a quality: list, of a column (col non-nil) or of the
// product.
func (l *loader) qualityRules(n *yaml.Node, col *Column) []Rule {
	owner := "the product"
	if col != nil {
		owner = fmt.Sprintf("column %q", col.Name)
	}
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n.Line, "quality of %s must be a list of rules, not %s", owner, strictyaml.KindName(n))
		return nil
	}
	var out []Rule
	l.Items(n, "quality rule", "name", "metric (or type: sql and query) and a threshold such as mustBe: 0", ruleKeys, func(where string, rn *yaml.Node, f map[string]*yaml.Node) {
		where += " of " + owner
		r := Rule{Line: rn.Line, Type: "library", Unit: "rows", Severity: "error"}
		if col != nil {
			r.Column = col.Name
		}
		if typ, tn := l.Str(f, rn, where, "type", false); tn != nil {
			switch typ {
			case "library", "sql":
				r.Type = typ
			case "text", "custom":
				l.Errorf(tn.Line, "%s: type %s rules are not checked by meshgate; use type library or sql (or move the rule to customProperties)", where, typ)
			default:
				l.Errorf(tn.Line, "%s: type %q is not one of library, sql%s", where, typ, strictyaml.DidYouMean(typ, []string{"library", "sql"}))
			}
		}
		r.Name, _ = l.Str(f, rn, where, "name", false)
		r.Description, _ = l.Str(f, rn, where, "description", false)
		r.Dimension = l.Enum(f, rn, "dimension", dimensions, false)
		if v := l.Enum(f, rn, "severity", severities, false); v != "" {
			r.Severity = v
		}
		if v := l.Enum(f, rn, "unit", units, false); v != "" {
			r.Unit = v
		}
		if s, sn := l.Str(f, rn, where, "schedule", false); sn != nil {
			d, err := time.ParseDuration(s)
			if err != nil || d < time.Second {
				l.Errorf(sn.Line, "%s: schedule %q is not a duration of at least 1s; write e.g. 15m or 1h (cron expressions are not supported)", where, s)
			}
			r.Schedule = d
		}
		args := f
		if an := f["arguments"]; an != nil {
			args = l.Mapping(an, "arguments of "+where, argumentKeys)
			for _, k := range []string{"validValues", "missingValues"} {
				if f[k] != nil && args[k] != nil {
					l.Errorf(f[k].Line, "%s gives %s twice (here and under arguments); keep one", where, k)
				}
				if args[k] == nil {
					args[k] = f[k]
				}
			}
		}
		switch r.Type {
		case "sql":
			l.sqlRule(f, rn, where, &r)
		case "library":
			l.libraryRule(f, args, rn, where, col, &r)
		}
		r.Threshold = l.threshold(f, rn, where, r.Unit)
		if r.Name == "" {
			r.Name = defaultRuleName(r)
		}
		out = append(out, r)
	})
	return out
}

func defaultRuleName(r Rule) string {
	// nullValues → null_values: rule names are valid lowercase names.
	var b strings.Builder
	for _, c := range r.Metric {
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	name := b.String()
	if r.Type == "sql" {
		name = "sql"
	}
	if r.Column != "" {
		name = r.Column + "_" + name
	}
	return name
}

func (l *loader) sqlRule(f map[string]*yaml.Node, rn *yaml.Node, where string, r *Rule) {
	if mn := f["metric"]; mn != nil {
		l.Errorf(mn.Line, "%s is a sql rule; it takes a query, not a metric", where)
	}
	if f["query"] == nil || strictyaml.IsNull(f["query"]) {
		l.Errorf(rn.Line, "%s is a sql rule and needs query: a SELECT returning one number, e.g. SELECT count(*) FROM domain.product WHERE …", where)
		return
	}
	q, qn := l.Str(f, rn, where, "query", true)
	if qn == nil {
		return
	}
	r.Query = strings.TrimRight(strings.TrimSpace(q), ";")
	if r.Unit == "percent" {
		l.Errorf(f["unit"].Line, "%s: unit percent applies to library metrics; a sql rule's query returns the number to compare", where)
	}
}

func (l *loader) libraryRule(f, args map[string]*yaml.Node, rn *yaml.Node, where string, col *Column, r *Rule) {
	if qn := f["query"]; qn != nil {
		l.Errorf(qn.Line, "%s has a query; write type: sql for a rule with a query", where)
	}
	m, mn := l.Str(f, rn, where, "metric", true)
	if mn == nil {
		return
	}
	if !strictyaml.Contains(libraryMetrics, m) {
		l.Errorf(mn.Line, "%s: metric %q is not one of %s%s", where, m, strings.Join(libraryMetrics, ", "), strictyaml.DidYouMean(m, libraryMetrics))
		return
	}
	r.Metric = m
	if col == nil && m != MetricRowCount {
		l.Errorf(mn.Line, "%s: metric %s applies to a column; put the rule in the column's quality list (only rowCount is a product-level metric)", where, m)
		return
	}
	if col != nil && m == MetricRowCount {
		l.Errorf(mn.Line, "%s: metric rowCount applies to the whole product; put the rule in the product's quality list", where)
		return
	}
	if m == MetricRowCount && r.Unit == "percent" {
		l.Errorf(f["unit"].Line, "%s: rowCount is a number of rows; unit percent does not apply", where)
	}
	for _, k := range []string{"validValues", "missingValues", "pattern", "minimum", "maximum"} {
		if n := args[k]; n != nil && !(k == "missingValues" && m == MetricMissingValues) && !(k != "missingValues" && m == MetricInvalidValues) {
			l.Errorf(n.Line, "%s: %s does not apply to metric %s", where, k, m)
		}
	}
	switch m {
	case MetricMissingValues:
		if n := args["missingValues"]; n != nil {
			r.Missing = l.literals(n, where+" missingValues", true)
		} else {
			r.Missing = []Literal{{Null: true}, {Text: ""}}
		}
	case MetricInvalidValues:
		if n := args["validValues"]; n != nil {
			r.Valid = l.literals(n, where+" validValues", false)
		}
		opts := col.Options
		if args["pattern"] != nil || args["minimum"] != nil || args["maximum"] != nil {
			opts = l.valueOptions(args, rn, where, col)
		}
		if r.Valid != nil && opts != (ValueOptions{}) && (args["pattern"] != nil || args["minimum"] != nil || args["maximum"] != nil) {
			l.Errorf(rn.Line, "%s gives both validValues and pattern/minimum/maximum; write one rule for each", where)
		}
		if r.Valid == nil {
			r.Options = opts
			if opts == (ValueOptions{}) {
				l.Errorf(mn.Line, "%s: invalidValues needs validValues, or a pattern, minimum or maximum (in arguments or the column's logicalTypeOptions)", where)
			}
		}
	}
}

// literals reads a list of scalar values.
func (l *loader) literals(n *yaml.Node, where string, nulls bool) []Literal {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		l.Errorf(n.Line, "%s must be a non-empty list of values, such as [a, b], not %s", where, strictyaml.KindName(n))
		return nil
	}
	var out []Literal
	for _, e := range n.Content {
		switch {
		case e.Kind != yaml.ScalarNode:
			l.Errorf(e.Line, "each entry of %s must be a single value, not %s", where, strictyaml.KindName(e))
		case strictyaml.IsNull(e):
			if !nulls {
				l.Errorf(e.Line, "%s cannot hold null; nulls are counted by nullValues", where)
			}
			out = append(out, Literal{Null: true})
		case e.ShortTag() == "!!str":
			out = append(out, Literal{Text: e.Value})
		case e.ShortTag() == "!!int" || e.ShortTag() == "!!float" || e.ShortTag() == "!!bool":
			out = append(out, Literal{Text: strings.ToLower(e.Value), Raw: true})
		default:
			l.Errorf(e.Line, "entry %s of %s is not a plain value", strictyaml.KindName(e), where)
		}
	}
	return out
}

// valueOptions reads pattern, minimum and maximum (a column's
// logicalTypeOptions, or a rule's arguments) for a column.
func (l *loader) valueOptions(f map[string]*yaml.Node, parent *yaml.Node, where string, col *Column) ValueOptions {
	var o ValueOptions
	if p, pn := l.Str(f, parent, where, "pattern", false); pn != nil {
		if _, err := regexp.Compile(p); err != nil {
			l.Errorf(pn.Line, "%s: pattern %q is not a valid regular expression: %v", where, p, err)
		}
		o.Pattern = p
	}
	fam := typeFamily(col.Type)
	for _, k := range []string{"minimum", "maximum"} {
		n := f[k]
		if n == nil {
			continue
		}
		var lit string
		switch {
		case (fam == "integer" || fam == "number") && n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float"):
			lit = n.Value
		case (fam == "DATE" || fam == "timestamp") && strictyaml.IsText(n):
			lit = fmt.Sprintf("CAST(%s AS %s)", sqlquote.Literal(n.Value), col.Type)
		case fam == "integer" || fam == "number":
			l.Errorf(n.Line, "%s: %s of the %s column %s must be a number, not %s", where, k, col.Type, col.Name, strictyaml.KindName(n))
			continue
		case fam == "DATE" || fam == "timestamp":
			l.Errorf(n.Line, "%s: %s of the %s column %s must be a date or time in quotes (\"2024-01-01\"), not %s", where, k, col.Type, col.Name, strictyaml.KindName(n))
			continue
		default:
			l.Errorf(n.Line, "%s: %s applies to number, date and time columns, not to the %s column %s", where, k, col.Type, col.Name)
			continue
		}
		if k == "minimum" {
			o.Minimum = lit
		} else {
			o.Maximum = lit
		}
	}
	return o
}

// threshold reads the one must* key of a rule.
func (l *loader) threshold(f map[string]*yaml.Node, rn *yaml.Node, where, unit string) Threshold {
	var found []string
	for _, op := range thresholdOps {
		if f[op] != nil {
			found = append(found, op)
		}
	}
	if len(found) != 1 {
		if len(found) == 0 {
			l.Errorf(rn.Line, "%s has no threshold; give one of %s (e.g. mustBe: 0)", where, strings.Join(thresholdOps, ", "))
		} else {
			l.Errorf(rn.Line, "%s has %d thresholds (%s); give exactly one (write two rules for two limits, or use mustBeBetween)", where, len(found), strings.Join(found, ", "))
		}
		return Threshold{}
	}
	op, n := found[0], f[found[0]]
	t := Threshold{Op: op}
	number := func(v *yaml.Node) (float64, bool) {
		if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") {
			l.Errorf(v.Line, "%s: %s must be a number, not %s", where, op, strictyaml.KindName(v))
			return 0, false
		}
		x, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			l.Errorf(v.Line, "%s: %s must be a number, not %s", where, op, strictyaml.KindName(v))
			return 0, false
		}
		if unit == "percent" && (x < 0 || x > 100) {
			l.Errorf(v.Line, "%s: %s %s is not a percentage between 0 and 100", where, op, v.Value)
		}
		return x, true
	}
	if strings.HasSuffix(op, "Between") {
		if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
			l.Errorf(n.Line, "%s: %s must be a list of two numbers, [low, high], not %s", where, op, strictyaml.KindName(n))
			return Threshold{}
		}
		a, ok1 := number(n.Content[0])
		b, ok2 := number(n.Content[1])
		if !ok1 || !ok2 {
			return Threshold{}
		}
		if a > b {
			l.Errorf(n.Line, "%s: %s [%s, %s] has its low bound above its high bound", where, op, n.Content[0].Value, n.Content[1].Value)
		}
		t.Values = []float64{a, b}
		return t
	}
	x, ok := number(n)
	if !ok {
		return Threshold{}
	}
	t.Values = []float64{x}
	return t
}

// slaProperties reads the product's slaProperties list.
func (l *loader) slaProperties(n *yaml.Node, cols []Column) SLA {
	var sla SLA
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n.Line, "slaProperties must be a list of {property, value, unit, element}, not %s", strictyaml.KindName(n))
		return sla
	}
	known := append(append([]string{}, checkedSLA...), documentedSLA...)
	seen := map[string]int{}
	l.Items(n, "SLA property", "property", "property and value", slaKeys, func(where string, pn *yaml.Node, f map[string]*yaml.Node) {
		p := SLAProperty{Line: pn.Line}
		name, nn := l.Str(f, pn, where, "property", true)
		if nn == nil {
			return
		}
		if !strictyaml.Contains(known, name) {
			l.Errorf(nn.Line, "SLA property %q is not one of %s%s", name, strings.Join(known, ", "), strictyaml.DidYouMean(name, known))
			return
		}
		key := name
		if name == "latency" {
			key = "freshness" // the newer ODCS name of the same service level
		}
		if prev, dup := seen[key]; dup {
			l.Errorf(nn.Line, "SLA property %s is given twice (first on line %d; freshness and latency are the same property)", name, prev)
			return
		}
		seen[key] = nn.Line
		p.Property = name
		vn := l.Need(f, pn, "value")
		if !strictyaml.Contains(checkedSLA, name) {
			if vn != nil {
				p.Text = vn.Value
			}
			p.Unit, _ = l.Str(f, pn, where, "unit", false)
			sla.Others = append(sla.Others, p)
			return
		}
		if vn != nil {
			v, err := strconv.ParseFloat(vn.Value, 64)
			if vn.Kind != yaml.ScalarNode || (vn.ShortTag() != "!!int" && vn.ShortTag() != "!!float") || err != nil || v <= 0 {
				l.Errorf(vn.Line, "value of SLA property %s must be a positive number, not %s", name, strictyaml.KindName(vn))
			}
			p.Value = v
		}
		unit, un := l.Str(f, pn, where, "unit", true)
		if un != nil {
			if _, ok := slaUnits[strings.ToLower(unit)]; !ok {
				l.Errorf(un.Line, "unit %q of SLA property %s is not a time unit; write s, m, h, d, w or y (or seconds, minutes, hours, days, weeks, years)", unit, name)
			}
			p.Unit = strings.ToLower(unit)
		}
		if name != "frequency" {
			el, en := l.Str(f, pn, where, "element", true)
			if en != nil {
				// ODCS writes table.column; the product is the table.
				if i := strings.LastIndexByte(el, '.'); i >= 0 {
					el = el[i+1:]
				}
				c := columnNamed(cols, el)
				switch {
				case c == nil:
					l.Errorf(en.Line, "element %q of SLA property %s is not a column of the product", el, name)
				case typeFamily(c.Type) != "timestamp" && c.Type != "DATE":
					l.Errorf(en.Line, "element %s of SLA property %s is a %s column; it must be a date or timestamp column", el, name, c.Type)
				}
				p.Element = el
			}
		} else if en := f["element"]; en != nil {
			l.Errorf(en.Line, "SLA property frequency takes no element")
		}
		switch key {
		case "freshness":
			sla.Freshness = &p
		case "retention":
			sla.Retention = &p
		case "frequency":
			sla.Frequency = &p
		}
	})
	return sla
}

func columnNamed(cols []Column, name string) *Column {
	for i := range cols {
		if cols[i].Name == name {
			return &cols[i]
		}
	}
	return nil
}

// checkRuleNames reports rule names given twice in a product.
func (l *loader) checkRuleNames(rules []Rule) {
	seen := map[string]int{}
	for _, r := range rules {
		if msg := nameProblem(r.Name); msg != "" {
			l.Errorf(r.Line, "quality rule name %s", msg)
			continue
		}
		if prev, dup := seen[r.Name]; dup {
			l.Errorf(r.Line, "quality rule %q is defined twice (first on line %d); give the rules distinct names", r.Name, prev)
			continue
		}
		seen[r.Name] = r.Line
	}
}

// columnContract reads a column's unique, primaryKey, logicalTypeOptions
// and quality keys.
func (l *loader) columnContract(f map[string]*yaml.Node, cn *yaml.Node, where string, c *Column) {
	for _, k := range []string{"unique", "primaryKey"} {
		n := f[k]
		if n == nil {
			continue
		}
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			l.Errorf(n.Line, "%s of %s must be true or false, not %s", k, where, strictyaml.KindName(n))
			continue
		}
		on := strings.EqualFold(n.Value, "true")
		if k == "unique" {
			c.Unique = on
		} else {
			c.PrimaryKey = on
		}
	}
	if on := f["logicalTypeOptions"]; on != nil && !strictyaml.IsNull(on) {
		c.Options = l.valueOptions(l.Mapping(on, "logicalTypeOptions of "+where, typeOptKeys), on, where, c)
	}
	implied := func(name, metric string) Rule {
		return Rule{Name: c.Name + "_" + name, Column: c.Name, Type: "library", Metric: metric, Unit: "rows", Severity: "error",
			Dimension: "uniqueness", Threshold: Threshold{Op: "mustBe", Values: []float64{0}}, Line: cn.Line,
			Description: fmt.Sprintf("%s is declared %s.", c.Name, name)}
	}
	if c.Unique || c.PrimaryKey {
		name := "unique"
		if c.PrimaryKey {
			name = "primary_key"
		}
		c.rules = append(c.rules, implied(name, MetricDuplicateValues))
	}
	if c.PrimaryKey {
		r := implied("primary_key_not_null", MetricNullValues)
		r.Dimension = "completeness"
		c.rules = append(c.rules, r)
	}
	if qn := f["quality"]; qn != nil && !strictyaml.IsNull(qn) {
		c.rules = append(c.rules, l.qualityRules(qn, c)...)
	}
}

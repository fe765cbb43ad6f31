package pgcatalog

// pgSemantics continues pgFunctions (the one table of PostgreSQL functions
// DuckDB names or means differently): arithmetic that PostgreSQL refuses
// where DuckDB answers NULL, string, array, JSON and date functions with
// PostgreSQL's results and types, and the formatting functions to_char,
// to_date and to_timestamp with PostgreSQL's patterns. A pattern or an
// argument type that is not mapped answers 0A000, never another value.
var pgSemantics = []string{
	// Division by zero is an error 22012 in PostgreSQL, NULL in DuckDB (a
	// NULL dividend is NULL: the operators are strict).
	// (With integer_division DuckDB parses / as //.)
	`"/"(a, b) AS CASE WHEN b = 0 AND a IS NOT NULL THEN error('[22012] division by zero') ELSE system.main."/"(a, b) END`,
	// A numeric divided by a numeric is DuckDB's (a double precision),
	// where PostgreSQL answers an exact numeric: a known difference
	// (README; refusing it refused most BI and TPC-H queries: sum/sum, a
	// decimal's avg). DuckDB's HUGEINT (the sum of bigints, a numeric in
	// PostgreSQL) would divide as an integer, truncating: 0A000.
	`"//"(a, b) AS CASE WHEN b = 0 AND a IS NOT NULL THEN error('[22012] division by zero')
	   WHEN (typeof(a) = 'HUGEINT' OR typeof(b) = 'HUGEINT') AND typeof(a) NOT IN ('DOUBLE', 'FLOAT') AND typeof(b) NOT IN ('DOUBLE', 'FLOAT')
	     THEN error('[0A000] dividing the sum of bigints is not supported: PostgreSQL answers an exact numeric, DuckDB would truncate it to an integer; cast an operand to double precision (x::float8 / y)')
	   ELSE system.main."//"(a, b) END`,
	`"%"(a, b) AS CASE WHEN b = 0 AND a IS NOT NULL THEN error('[22012] division by zero') ELSE system.main."%"(a, b) END`,
	`mod(a, b) AS CASE WHEN b = 0 AND a IS NOT NULL THEN error('[22012] division by zero') ELSE system.main.mod(a, b) END`,
	// div(): the integer quotient truncated towards zero, a numeric.
	`div(a BIGINT, b BIGINT) AS CAST(a // b AS DECIMAL(38,0)),
	 (a, b) AS error('[0A000] div() of other than integers is not supported')`,
	// round() of a float rounds half to even (rint), of a numeric away from
	// zero.
	`round(x) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') AND abs(x - trunc(x)) = 0.5 AND system.main.round(x) % 2 <> 0
	   THEN CASE WHEN x < 0 THEN -(abs(system.main.round(x)) - 1) ELSE system.main.round(x) - 1 END ELSE system.main.round(x) END,
	 (x, n) AS system.main.round(x, n)`,
	`width_bucket(x, lo, hi, n) AS CASE WHEN n <= 0 THEN error('[2201G] count must be greater than zero')
	   WHEN lo = hi THEN error('[2201G] lower bound cannot equal upper bound')
	   WHEN lo < hi THEN CAST(CASE WHEN x < lo THEN 0 WHEN x >= hi THEN n + 1
	     ELSE floor(CAST(x - lo AS DOUBLE) / CAST(hi - lo AS DOUBLE) * n) + 1 END AS INTEGER)
	   ELSE CAST(CASE WHEN x > lo THEN 0 WHEN x <= hi THEN n + 1
	     ELSE floor(CAST(lo - x AS DOUBLE) / CAST(lo - hi AS DOUBLE) * n) + 1 END AS INTEGER) END`,
	// to_hex: lower-case, an integer's 32-bit two's complement.
	`to_hex(x INTEGER) AS lower(system.main.to_hex(CASE WHEN x < 0 THEN CAST(x AS BIGINT) + 4294967296 ELSE CAST(x AS BIGINT) END)),
	 (x BIGINT) AS lower(system.main.to_hex(x))`,

	// Text: PostgreSQL's lengths are integers; octet_length takes text or
	// bytea.
	`length(x VARCHAR) AS CAST(system.main.length(x) AS INTEGER), (x) AS system.main.length(x)`,
	`octet_length(x VARCHAR) AS CAST(strlen(x) AS INTEGER), (x) AS CAST(system.main.octet_length(x) AS INTEGER)`,
	`char_length(x VARCHAR) AS CAST(system.main.length(x) AS INTEGER)`,
	`character_length(x VARCHAR) AS CAST(system.main.length(x) AS INTEGER)`,
	`bit_length(x VARCHAR) AS CAST(system.main.bit_length(x) AS INTEGER)`,
	`position(s, t) AS CAST(system.main.position(s, t) AS INTEGER)`,
	`strpos(s, t) AS CAST(system.main.strpos(s, t) AS INTEGER)`,
	`btrim(s) AS trim(s, ' '), (s, c) AS trim(s, c)`,
	`lpad(s, n) AS system.main.lpad(s, n, ' '), (s, n, f) AS system.main.lpad(s, n, f)`,
	`rpad(s, n) AS system.main.rpad(s, n, ' '), (s, n, f) AS system.main.rpad(s, n, f)`,
	// overlay(s PLACING r FROM f [FOR n]): s's first f-1 characters, r,
	// and s from character f+n on (n defaults to r's length; from before
	// the first character is the whole string, as PostgreSQL's substring
	// reads it); FROM before 1 is PostgreSQL's 22011.
	`overlay(s, r, f) AS CASE WHEN f < 1 THEN error('[22011] negative substring length not allowed')
	   ELSE system.main.substring(s, 1, f - 1) || r || system.main.substring(s, greatest(f + system.main.length(r), 1)) END,
	 (s, r, f, n) AS CASE WHEN f < 1 THEN error('[22011] negative substring length not allowed')
	   ELSE system.main.substring(s, 1, f - 1) || r || system.main.substring(s, greatest(f + n, 1)) END`,
	// initcap: the first letter of each run of letters and digits upper
	// case, the rest lower case; letters as lc_ctype C.UTF-8 knows them
	// (ASCII).
	`initcap(s) AS array_to_string(list_transform(regexp_extract_all(s, '[A-Za-z0-9]+|[^A-Za-z0-9]+'),
	   w -> CASE WHEN regexp_full_match(w, '[A-Za-z0-9]+') THEN upper(w[1]) || lower(w[2:]) ELSE w END), '')`,

	// Arrays (one dimension; a multi-dimensional one is 0A000 as in
	// PostgreSQL's array_remove).
	`cardinality(a) AS CASE WHEN a IS NULL THEN NULL WHEN len(a) = 0 THEN 0 WHEN $m.mg_array_ndims(a) > 1
	   THEN error('[0A000] cardinality of a multi-dimensional array is not supported') ELSE CAST(len(a) AS INTEGER) END`,
	`array_remove(a, x) AS CASE WHEN a IS NOT NULL AND len(a) > 0 AND $m.mg_array_ndims(a) > 1
	   THEN error('[0A000] removing elements from multidimensional arrays is not supported')
	   ELSE list_filter(a, e -> e IS DISTINCT FROM x) END`,
	`array_replace(a, x, y) AS CASE WHEN a IS NOT NULL AND len(a) > 0 AND $m.mg_array_ndims(a) > 1
	   THEN error('[0A000] array_replace of a multi-dimensional array is not supported')
	   ELSE list_transform(a, e -> CASE WHEN e IS NOT DISTINCT FROM x THEN y ELSE e END) END`,

	// generate_series as PostgreSQL types it (the planner makes the list a
	// set: planner.FunctionRewrites): int4 over int2 and int4, timestamptz
	// over dates; a zero step is 22023.
	`mg_series_step(s) AS CASE WHEN s = 0 THEN error('[22023] step size cannot equal zero') ELSE s END`,
	`mg_series(a SMALLINT, b SMALLINT) AS list_transform(generate_series(a, b), x -> CAST(x AS INTEGER)),
	 (a INTEGER, b INTEGER) AS list_transform(generate_series(a, b), x -> CAST(x AS INTEGER)),
	 (a BIGINT, b BIGINT) AS generate_series(a, b),
	 (a SMALLINT, b SMALLINT, s SMALLINT) AS list_transform(generate_series(a, b, $m.mg_series_step(s)), x -> CAST(x AS INTEGER)),
	 (a INTEGER, b INTEGER, s INTEGER) AS list_transform(generate_series(a, b, $m.mg_series_step(s)), x -> CAST(x AS INTEGER)),
	 (a BIGINT, b BIGINT, s BIGINT) AS generate_series(a, b, $m.mg_series_step(s)),
	 (a DATE, b DATE, s INTERVAL) AS list_transform(generate_series(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP), s), x -> CAST(x AS TIMESTAMPTZ)),
	 (a TIMESTAMP, b TIMESTAMP, s INTERVAL) AS generate_series(a, b, s),
	 (a TIMESTAMPTZ, b TIMESTAMPTZ, s INTERVAL) AS generate_series(a, b, s),
	 (a, b) AS error('[0A000] generate_series of ' || typeof(a) || ' is not supported'),
	 (a, b, s) AS error('[0A000] generate_series of ' || typeof(a) || ' is not supported')`,

	// The value of to_char(x, format) (the planner translates the format):
	// a timestamp, a date or a timestamptz; another type is 0A000.
	`mg_ts(x TIMESTAMP) AS x, (x DATE) AS CAST(x AS TIMESTAMP), (x TIMESTAMPTZ) AS CAST(x AS TIMESTAMP),
	 (x) AS CAST(error('[0A000] to_char of a value of type ' || typeof(x) || ' is not supported') AS TIMESTAMP)`,

	// Exact numeric quotients as PostgreSQL computes them (numeric.c
	// select_div_scale), for avg of integers: the scale is 16 significant digits from
	// the estimated weight of the quotient, at least the operands' scales,
	// rounded half away from zero. The result is an unconstrained numeric
	// of 16 decimals: a quotient whose scale is larger is rounded to 16
	// decimals (a known difference, README). (Numeric division keeps
	// DuckDB's "/": typed overloads of the operator cannot be chosen for
	// an aggregate's value, whose type a macro's binding does not know.)
	`mg_pow10(e) AS CAST('1' || repeat('0', CAST(e AS BIGINT)) AS HUGEINT)`,
	// The weight (base-10000 digit position) and first base-10000 digit of
	// the numeric u·10^-s (u an integer), as PostgreSQL stores it.
	`mg_num_weight(u, s) AS CASE WHEN u = 0 THEN 0 ELSE CAST(floor(CAST(length(CAST(abs(u) AS VARCHAR)) - 1 - s AS DOUBLE) / 4) AS INTEGER) END`,
	`mg_num_first(u, s, w) AS CASE WHEN u = 0 THEN 0 WHEN s + 4 * w >= 0 THEN system.main."//"(abs(u), $m.mg_pow10(s + 4 * w))
	   ELSE abs(u) * $m.mg_pow10(-(s + 4 * w)) END`,
	// 16 significant digits from the quotient's estimated weight; the scale
	// is at least the operands' scales.
	// (Lambdas bind a value used many times once: each use of a macro's
	// parameter repeats its expression.)
	`mg_div_digits(u, su, v, sv) AS list_transform([[u, v, su, sv]], o -> list_transform([[$m.mg_num_weight(o[1], o[3]), $m.mg_num_weight(o[2], o[4])]],
	   w -> 16 - 4 * (w[1] - w[2] - CASE WHEN $m.mg_num_first(o[1], o[3], w[1]) <= $m.mg_num_first(o[2], o[4], w[2]) THEN 1 ELSE 0 END))[1])[1]`,
	`mg_div_scale(u, su, v, sv) AS greatest($m.mg_div_digits(u, su, v, sv), su, sv, 0)`,
	// u·10^-su / v·10^-sv rounded to r decimals, as an integer of scale r.
	`mg_quotient(u, su, v, sv, r) AS (CASE WHEN (u < 0) <> (v < 0) THEN -1 ELSE 1 END) * CASE WHEN sv - su + r >= 0
	   THEN system.main."//"(2 * abs(u) * $m.mg_pow10(sv - su + r) + abs(v), 2 * abs(v))
	   ELSE system.main."//"(2 * abs(u) + abs(v) * $m.mg_pow10(su - sv - r), 2 * abs(v) * $m.mg_pow10(su - sv - r)) END`,
	// q, an integer of scale r, as an unconstrained numeric (16 decimals).
	`mg_scaled(q, r, what) AS list_transform([[q, r]], p -> CASE WHEN p[1] IS NULL THEN NULL
	   ELSE CAST(CAST(CASE WHEN p[2] > 16
	       THEN (CASE WHEN p[1] < 0 THEN -1 ELSE 1 END) * system.main."//"(2 * abs(p[1]) + $m.mg_pow10(p[2] - 16), 2 * $m.mg_pow10(p[2] - 16))
	       ELSE p[1] * $m.mg_pow10(16 - p[2]) END AS DECIMAL(38,0)) * 0.0000000000000001 AS DECIMAL(38,16)) END)[1]`,
	// avg of integers is numeric: the exact sum over the count, to the scale
	// of PostgreSQL's numeric division (the planner rewrites avg(x) to
	// this; floats keep DuckDB's avg). avg of numerics is DuckDB's (a
	// double precision): an exact one would need the argument's own scale,
	// and a macro parameter typed DECIMAL is cast to DECIMAL(18,3).
	`mg_avg_numeric(s, sc, n) AS list_transform([[s, n, sc]], a -> CASE WHEN a[2] = 0 OR a[1] IS NULL THEN NULL
	   ELSE list_transform([$m.mg_div_scale(a[1], a[3], a[2], 0)], r -> $m.mg_scaled($m.mg_quotient(a[1], a[3], a[2], 0, r), r, 'the average'))[1] END)[1]`,
	`mg_avg_of(s, n) AS $m.mg_avg_numeric(s, 0, n)`,
	`mg_avg(x TINYINT) AS $m.mg_avg_of(CAST(sum(x) AS HUGEINT), CAST(count(x) AS HUGEINT)),
	 (x SMALLINT) AS $m.mg_avg_of(CAST(sum(x) AS HUGEINT), CAST(count(x) AS HUGEINT)),
	 (x INTEGER) AS $m.mg_avg_of(CAST(sum(x) AS HUGEINT), CAST(count(x) AS HUGEINT)),
	 (x BIGINT) AS $m.mg_avg_of(CAST(sum(x) AS HUGEINT), CAST(count(x) AS HUGEINT)),
	 (x) AS avg(x)`,

	// convert_to/convert_from between text and its UTF-8 bytes.
	`convert_to(s, e) AS CASE WHEN upper(replace(e, '-', '')) = 'UTF8' THEN system.main.encode(s)
	   ELSE error('[0A000] convert_to to encoding "' || e || '" is not supported') END`,
	`convert_from(b, e) AS CASE WHEN upper(replace(e, '-', '')) = 'UTF8' THEN system.main.decode(b)
	   ELSE error('[0A000] convert_from of encoding "' || e || '" is not supported') END`,

	// sum of int2 and int4 is an int8 (of int8 a numeric, as DuckDB's).
	`mg_sum(x TINYINT) AS CAST(sum(x) AS BIGINT), (x SMALLINT) AS CAST(sum(x) AS BIGINT), (x INTEGER) AS CAST(sum(x) AS BIGINT),
	 (x) AS sum(x)`,

	// The planner's rewrites of to_char, to_date, to_timestamp,
	// regexp_match and regexp_matches end in these, which name the column as PostgreSQL does.
	`mg_to_char(x) AS x`,
	`mg_json_build_object(x) AS x`,
	`mg_json_build_array(x) AS x`,
	`mg_json_agg(x) AS x`,
	`mg_json_extract_path(x) AS x`,
	`mg_json_extract_path_text(x) AS x`,
	`mg_jsonb_extract_path(x) AS x`,
	`mg_jsonb_extract_path_text(x) AS x`,
	`mg_to_date(x) AS x`,
	`mg_to_timestamp(x) AS x`,
	`mg_regexp_match(x) AS x`,
	`mg_regexp_matches(x) AS x`,

	// array_to_string(a, delimiter, null_string): NULLs as null_string.
	`array_to_string(a, d) AS system.main.array_to_string(a, d),
	 (a, d, n) AS system.main.array_to_string(list_transform(a, e -> coalesce(CAST(e AS VARCHAR), n)), d)`,

	// Aggregates under PostgreSQL's names.
	`every(b) AS bool_and(b)`,

	// JSON
	`json_typeof(j) AS CASE json_type(CAST(j AS JSON)) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array'
	   WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null' ELSE 'number' END`,
	// A value as PostgreSQL's to_json writes it, as text: numbers at their
	// scale (1.50), floats in their text form (NaN and Infinity quoted),
	// timestamps in ISO 8601 with a T, strings escaped, JSON as it is; a
	// NULL is null. Types whose JSON form would differ (timestamptz, which
	// PostgreSQL writes in the session's time zone, intervals, bytea,
	// arrays and composites) are 0A000. The json constructors the planner
	// rewrites (json_build_object, json_build_array, json_agg) separate
	// with PostgreSQL's ", " and " : " (planner/jsoncalls.go).
	`mg_json_text(x) AS list_transform([[CAST(x AS VARCHAR), typeof(x)]], v -> CASE WHEN v[1] IS NULL THEN 'null'
	   WHEN v[2] IN ('DOUBLE', 'FLOAT') THEN CASE WHEN v[1] IN ('inf', '-inf', 'nan') THEN '"' || $m.mg_float_text(v[1]) || '"' ELSE $m.mg_float_text(v[1]) END
	   WHEN v[2] LIKE 'DECIMAL%' OR v[2] IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'BOOLEAN', 'JSON') THEN v[1]
	   WHEN v[2] = 'TIMESTAMP' THEN '"' || replace(v[1], ' ', 'T') || '"'
	   WHEN v[2] IN ('DATE', 'TIME', 'UUID') THEN '"' || v[1] || '"'
	   WHEN v[2] = 'VARCHAR' THEN CAST(system.main.to_json(v[1]) AS VARCHAR)
	   ELSE error('[0A000] a value of type ' || v[2] || ' in JSON is not supported (cast it to text or timestamp)') END)[1]`,
	`json_array_length(j) AS CASE WHEN j IS NULL THEN NULL WHEN json_type(CAST(j AS JSON)) = 'ARRAY' THEN CAST(system.main.json_array_length(CAST(j AS JSON)) AS INTEGER)
	   WHEN json_type(CAST(j AS JSON)) = 'OBJECT' THEN error('[22023] cannot get array length of a non-array') ELSE error('[22023] cannot get array length of a scalar') END`,
	// A step of a JSON pointer (json_extract_path): ~ and / escaped.
	`mg_json_pointer(k) AS replace(replace(CAST(k AS VARCHAR), '~', '~0'), '/', '~1')`,
	`to_json(x) AS CASE WHEN x IS NULL THEN NULL ELSE CAST($m.mg_json_text(x) AS JSON) END`,
	// A json_build_object key: the text of the value, which must not be NULL.
	`mg_json_key(k, n) AS CASE WHEN k IS NULL THEN error('[22023] argument ' || CAST(n AS VARCHAR) || ' cannot be null')
	   ELSE CAST(system.main.to_json($m.mg_to_text(k)) AS VARCHAR) END`,

	// extract(field FROM x) is a numeric in PostgreSQL 14+, of scale 6 for
	// second and epoch, 3 for milliseconds, else 0 (the planner picks the
	// macro by the field: planner.extractFields); a time of day of a date
	// is 0A000 as in PostgreSQL. date_part(text, x) is a double precision.
	`mg_extract(f, x DATE) AS CASE WHEN f IN ('hour', 'minute') THEN error('[0A000] unit "' || f || '" not supported for type date')
	   ELSE CAST(system.main.date_part(f, x) AS DECIMAL(38,0)) END,
	 (f, x) AS CAST(system.main.date_part(f, x) AS DECIMAL(38,0))`,
	`mg_extract_second(x DATE) AS CAST(error('[0A000] unit "second" not supported for type date') AS DECIMAL(38,6)),
	 (x) AS CAST(CAST(system.main.date_part('microseconds', x) AS DECIMAL(38,0)) * 0.000001 AS DECIMAL(38,6))`,
	`mg_extract_ms(x DATE) AS CAST(error('[0A000] unit "milliseconds" not supported for type date') AS DECIMAL(38,3)),
	 (x) AS CAST(CAST(system.main.date_part('microseconds', x) AS DECIMAL(38,0)) * 0.001 AS DECIMAL(38,3))`,
	`mg_extract_us(x DATE) AS CAST(error('[0A000] unit "microseconds" not supported for type date') AS DECIMAL(38,0)),
	 (x) AS CAST(system.main.date_part('microseconds', x) AS DECIMAL(38,0))`,
	`mg_extract_epoch(x DATE) AS CAST(epoch(x) AS DECIMAL(38,0)),
	 (x TIMESTAMP) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * 0.000001 AS DECIMAL(38,6)),
	 (x TIMESTAMPTZ) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * 0.000001 AS DECIMAL(38,6)),
	 (x) AS CAST(CAST(round(epoch(x) * 1000000) AS DECIMAL(38,0)) * 0.000001 AS DECIMAL(38,6))`,
	`date_part(u, x) AS CASE lower(u) WHEN 'second' THEN CAST(system.main.date_part('microseconds', x) AS DOUBLE) / 1000000
	   WHEN 'milliseconds' THEN CAST(system.main.date_part('microseconds', x) AS DOUBLE) / 1000
	   WHEN 'epoch' THEN CAST(epoch(x) AS DOUBLE) ELSE CAST(system.main.date_part(u, x) AS DOUBLE) END`,

	// Dates: date_trunc of a date is a timestamptz in PostgreSQL.
	`date_trunc(u, x DATE) AS CAST(system.main.date_trunc(u, CAST(x AS TIMESTAMP)) AS TIMESTAMPTZ),
	 (u, x) AS system.main.date_trunc(u, x)`,
}

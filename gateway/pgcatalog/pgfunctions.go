package pgcatalog

// pgFunctions is the one table of PostgreSQL functions that DuckDB has
// under another name or with other semantics. Each is a macro named as
// PostgreSQL names the function, in the engine's main schema, where DuckDB
// finds it before its own function of that name. The few calls whose
// meaning depends on their syntax (an untyped literal, a function that
// returns a set) are rewritten before parsing by the planner
// (planner.FunctionRewrites) onto these macros. What cannot be made
// identical answers 0A000 (or 42883, no such function), never a different
// value; README's "Known differences" lists it.
//
// The macros are written in DuckDB SQL; $m is the schema they live in.
var pgFunctions = []string{
	`mg_float_text(s) AS CASE s WHEN 'inf' THEN 'Infinity' WHEN '-inf' THEN '-Infinity' WHEN 'nan' THEN 'NaN'
	   ELSE regexp_replace(s, '\.0$', '') END`,
	// An array element (DuckDB's text of it) as array_out writes it: quoted
	// when empty, NULL as a word, or holding {}",\ or white space.
	`mg_array_elem(e, t) AS CASE WHEN e IS NULL THEN 'NULL'
	   WHEN t LIKE 'BOOLEAN[]%' THEN left(e, 1)
	   WHEN t LIKE 'DOUBLE[]%' OR t LIKE 'FLOAT[]%' THEN $m.mg_float_text(e)
	   WHEN e = '' OR upper(e) = 'NULL' OR regexp_matches(e, '[{}",\\\s]') THEN '"' || replace(replace(e, '\', '\\'), '"', '\"') || '"'
	   ELSE e END`,
	`mg_list_text(l, t) AS '{' || array_to_string(list_transform(l, e -> $m.mg_array_elem(e, t)), ',') || '}'`,
	// An interval as PostgreSQL prints it (EncodeInterval, INTSTYLE_POSTGRES):
	// years, mons, days, then [+-]hh:mm:ss[.ffffff]; a field after a
	// negative one is signed.
	`mg_iv_int(v, unit, sep, before) AS CASE WHEN v = 0 THEN '' ELSE (CASE WHEN sep THEN ' ' ELSE '' END)
	   || (CASE WHEN before AND v > 0 THEN '+' ELSE '' END) || CAST(v AS VARCHAR) || ' ' || unit || (CASE WHEN v <> 1 THEN 's' ELSE '' END) END`,
	`mg_iv_text(y, m, d, h, mi, us) AS $m.mg_iv_int(y, 'year', false, false) || $m.mg_iv_int(m, 'mon', y <> 0, y < 0)
	   || $m.mg_iv_int(d, 'day', y <> 0 OR m <> 0, CASE WHEN m <> 0 THEN m < 0 ELSE y < 0 END)
	   || CASE WHEN (y = 0 AND m = 0 AND d = 0) OR h <> 0 OR mi <> 0 OR us <> 0 THEN
	        (CASE WHEN y = 0 AND m = 0 AND d = 0 THEN '' ELSE ' ' END)
	        || (CASE WHEN h < 0 OR mi < 0 OR us < 0 THEN '-' WHEN (CASE WHEN d <> 0 THEN d < 0 WHEN m <> 0 THEN m < 0 ELSE y < 0 END) THEN '+' ELSE '' END)
	        || printf('%02d:%02d:%02d', abs(h), abs(mi), abs(us) // 1000000)
	        || CASE WHEN abs(us) % 1000000 = 0 THEN '' ELSE '.' || rtrim(printf('%06d', abs(us) % 1000000), '0') END
	      ELSE '' END`,
	`mg_interval_text(iv) AS list_transform([[datepart('year', iv), datepart('month', iv), datepart('day', iv),
	   datepart('hour', iv), datepart('minute', iv), datepart('microseconds', iv)]], p -> $m.mg_iv_text(p[1], p[2], p[3], p[4], p[5], p[6]))[1]`,
	// PostgreSQL's text form of a value, as x::text and x::varchar give it
	// (the planner rewrites casts to text and varchar to this): bytea \x…,
	// floats without DuckDB's trailing .0, intervals in IntervalStyle
	// postgres, arrays of one or two dimensions as {…} with PostgreSQL's
	// quoting. Composites, maps, deeper arrays and arrays of bytea or
	// intervals are 0A000 (DuckDB's text of them is not PostgreSQL's). A
	// list's elements are read back from DuckDB's text of the list, which
	// quotes what needs it.
	// The text form from DuckDB's text s of a value of DuckDB type t (one
	// lambda binds them once: the macro's expansion stays small inside
	// format()'s).
	`mg_text_of(s, t) AS list_transform([[s, t]], v -> CASE WHEN v[1] IS NULL THEN NULL
	   WHEN v[2] = 'BLOB' THEN '\x' || lower(hex(CAST(v[1] AS BLOB)))
	   WHEN v[2] IN ('DOUBLE', 'FLOAT') THEN $m.mg_float_text(v[1])
	   WHEN v[2] = 'INTERVAL' THEN $m.mg_interval_text(CAST(v[1] AS INTERVAL))
	   WHEN v[2] LIKE '%[][][]' OR v[2] LIKE '%STRUCT%' OR v[2] LIKE '%MAP%' OR v[2] LIKE 'BLOB[]%'
	     OR v[2] LIKE 'INTERVAL[]%' OR v[2] LIKE 'UNION%'
	     THEN error('[0A000] the text form of a value of type ' || v[2] || ' is not supported (for an array use array_to_string)')
	   WHEN v[2] LIKE '%[][]' THEN '{' || array_to_string(list_transform(CAST(v[1] AS VARCHAR[][]), r -> $m.mg_list_text(r, v[2])), ',') || '}'
	   WHEN v[2] LIKE '%[]' THEN $m.mg_list_text(CAST(v[1] AS VARCHAR[]), v[2])
	   ELSE v[1] END)[1]`,
	`mg_to_text(x) AS $m.mg_text_of(CAST(x AS VARCHAR), typeof(x))`,
	// x::varchar and x::varchar(n) (an explicit cast truncates to n
	// characters); the planner names the column and types it varchar.
	`mg_to_varchar(x) AS $m.mg_to_text(x), (x, n) AS $m.mg_to_text(x)[1:n]`,
	// The same for format(), where a boolean is t or f.
	`mg_text(x) AS CASE WHEN typeof(x) = 'BOOLEAN' THEN left(CAST(x AS VARCHAR), 1) ELSE $m.mg_to_text(x) END`,

	// quote_ident quotes unless the name is lower-case letters, digits and
	// underscores (not starting with a digit) and no keyword PostgreSQL
	// reserves in any way (pg_get_keywords() catcode other than U).
	`quote_ident(s) AS CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_]*') AND NOT list_contains($keywords, s) THEN s
	   ELSE '"' || replace(s, '"', '""') || '"' END`,
	// A backslash makes an E'' literal with the backslashes doubled.
	`quote_literal(s) AS CASE WHEN contains(CAST(s AS VARCHAR), '\') THEN 'E''' || replace(replace(CAST(s AS VARCHAR), '\', '\\'), '''', '''''') || ''''
	   ELSE '''' || replace(CAST(s AS VARCHAR), '''', '''''') || '''' END`,
	`quote_nullable(s) AS CASE WHEN s IS NULL THEN 'NULL' ELSE $m.quote_literal(s) END`,

	// format(): %s, %I, %L, %%, argument positions (n$) and widths (-n, n);
	// the arguments arrive in their text form (mg_text). * widths are
	// refused as unrecognized.
	`mg_format_pad(x, w) AS CASE WHEN w = '' OR length(x) >= abs(CAST(w AS INTEGER)) THEN x
	   WHEN w[1] = '-' THEN rpad(x, -CAST(w AS INTEGER), ' ') ELSE lpad(x, CAST(w AS INTEGER), ' ') END`,
	`mg_format_arg(p, a, n) AS CASE WHEN n < 1 OR n > len(a) THEN error('[22023] too few arguments for format()')
	   ELSE $m.mg_format_pad(CASE right(p, 1) WHEN 's' THEN coalesce(a[n], '')
	     WHEN 'I' THEN $m.quote_ident(coalesce(a[n], error('[22004] null values cannot be formatted as an SQL identifier')))
	     ELSE $m.quote_nullable(a[n]) END, regexp_extract(p, '(-?[0-9]*)[sIL]$', 1)) END`,
	`mg_format_parts(f) AS regexp_extract_all(f, '%(?:[0-9]+\$)?-?[0-9]*[sIL]|%%|%.?|[^%]+')`,
	// The argument a part names: n for %n$…, -1 for the next one, 0 for text.
	`mg_format_argno(p) AS CASE WHEN p[1] <> '%' OR p = '%%' THEN 0
	   WHEN contains(p, '$') THEN CAST(regexp_extract(p, '^%([0-9]+)', 1) AS INTEGER) ELSE -1 END`,
	// (The arguments' list is bound once, by a lambda: it is used many
	// times, and each use of a macro parameter repeats its expression.)
	`mg_format(f, a) AS CASE WHEN f IS NULL THEN NULL ELSE list_transform([a], args -> array_to_string(list_transform($m.mg_format_parts(f), (p, i) ->
	   CASE WHEN p = '%%' THEN '%' WHEN p[1] <> '%' THEN p
	     WHEN NOT regexp_full_match(p, '%(?:[0-9]+\$)?-?[0-9]*[sIL]') THEN error('[22023] unrecognized format() type specifier "' || p[2:] || '"')
	     ELSE $m.mg_format_arg(p, args, list_reduce(list_transform($m.mg_format_parts(f)[1:i], q -> $m.mg_format_argno(q)),
	       (acc, x) -> CASE WHEN x > 0 THEN x WHEN x < 0 THEN acc + 1 ELSE acc END, 0)) END), ''))[1] END`,
	`format(f) AS $m.mg_format(f, []::VARCHAR[]),
	 (f, a) AS $m.mg_format(f, [$m.mg_text(a)]),
	 (f, a, b) AS $m.mg_format(f, [$m.mg_text(a), $m.mg_text(b)]),
	 (f, a, b, c) AS $m.mg_format(f, [$m.mg_text(a), $m.mg_text(b), $m.mg_text(c)]),
	 (f, a, b, c, d) AS $m.mg_format(f, [$m.mg_text(a), $m.mg_text(b), $m.mg_text(c), $m.mg_text(d)]),
	 (f, a, b, c, d, e) AS $m.mg_format(f, [$m.mg_text(a), $m.mg_text(b), $m.mg_text(c), $m.mg_text(d), $m.mg_text(e)]),
	 (f, a, b, c, d, e, g) AS $m.mg_format(f, [$m.mg_text(a), $m.mg_text(b), $m.mg_text(c), $m.mg_text(d), $m.mg_text(e), $m.mg_text(g)]),
	 (f, a, b, c, d, e, g, h) AS $m.mg_format(f, [$m.mg_text(a), $m.mg_text(b), $m.mg_text(c), $m.mg_text(d), $m.mg_text(e), $m.mg_text(g), $m.mg_text(h)])`,

	// bytea: decode(text, format) and encode(bytea, format) for hex, base64
	// and escape (DuckDB's own encode/decode convert text to and from
	// UTF-8; they stay reachable as system.main.encode/decode).
	`mg_unescape_bytea(s) AS CAST(array_to_string(list_transform(regexp_extract_all(s, '\\\\|\\[0-7]{3}|\\|[^\\]+'), t ->
	   CASE WHEN t = '\\' THEN '\x5C'
	     WHEN t = '\' THEN error('[22P02] invalid input syntax for type bytea')
	     WHEN t[1] = '\' THEN '\x' || lpad(hex((ascii(t[2]) - 48) * 64 + (ascii(t[3]) - 48) * 8 + ascii(t[4]) - 48), 2, '0')
	     ELSE regexp_replace(hex(system.main.encode(t)), '(..)', '\\x\1', 'g') END), '') AS BLOB)`,
	`mg_bytes(b) AS list_transform(range(0, octet_length(b)), i -> CAST(('0x' || substr(hex(b), 2 * i + 1, 2)) AS INTEGER))`,
	`mg_escape_bytea(b) AS array_to_string(list_transform($m.mg_bytes(b), v ->
	   CASE WHEN v = 92 THEN '\\' WHEN v = 0 OR v >= 128 THEN printf('\%03o', v) ELSE chr(v) END), '')`,
	`decode(s, f) AS CASE lower(f) WHEN 'hex' THEN unhex(regexp_replace(s, '\s', '', 'g'))
	   WHEN 'base64' THEN from_base64(regexp_replace(s, '\s', '', 'g'))
	   WHEN 'escape' THEN $m.mg_unescape_bytea(s) ELSE error('[22023] unrecognized encoding: "' || f || '"') END`,
	`encode(b, f) AS CASE lower(f) WHEN 'hex' THEN lower(hex(b))
	   WHEN 'base64' THEN rtrim(regexp_replace(to_base64(b), '(.{76})', '\1' || chr(10), 'g'), chr(10))
	   WHEN 'escape' THEN $m.mg_escape_bytea(b) ELSE error('[22023] unrecognized encoding: "' || f || '"') END`,

	// x::numeric without a precision (the planner rewrites the cast to
	// this): integers keep no decimals, decimals are exact (up to 16
	// decimals), a float keeps the 15 significant digits PostgreSQL keeps;
	// never DuckDB's DECIMAL(18,3), which drops digits.
	`mg_numeric(x BIGINT) AS CAST(x AS DECIMAL(38,0)),
	 (x HUGEINT) AS CAST(x AS DECIMAL(38,0)),
	 (x DECIMAL(38,16)) AS x,
	 (x DOUBLE) AS CAST(printf('%.15g', x) AS DECIMAL(38,16)),
	 (x VARCHAR) AS CAST(x AS DECIMAL(38,16)),
	 (x) AS CAST(x AS DECIMAL(38,16))`,

	// pg_typeof: PostgreSQL's name of the type of a DuckDB value (an
	// untyped literal, PostgreSQL's unknown, is rewritten by the planner).
	`mg_pg_typename1(t) AS CASE WHEN t LIKE 'DECIMAL%' OR t IN ('HUGEINT', 'UBIGINT', 'UHUGEINT') THEN 'numeric'
	   WHEN t LIKE 'STRUCT%' THEN 'record'
	   ELSE coalesce(MAP {'BOOLEAN': 'boolean', 'TINYINT': 'smallint', 'SMALLINT': 'smallint', 'UTINYINT': 'smallint',
	     'INTEGER': 'integer', 'USMALLINT': 'integer', 'BIGINT': 'bigint', 'UINTEGER': 'oid', 'FLOAT': 'real',
	     'DOUBLE': 'double precision', 'VARCHAR': 'text', 'BLOB': 'bytea', 'DATE': 'date', 'TIME': 'time without time zone',
	     'TIME WITH TIME ZONE': 'time with time zone', 'TIMESTAMP': 'timestamp without time zone',
	     'TIMESTAMP WITH TIME ZONE': 'timestamp with time zone', 'INTERVAL': 'interval', 'UUID': 'uuid', 'JSON': 'json',
	     '"NULL"': 'unknown'}[t], lower(t)) END`,
	`mg_pg_typename(t) AS CASE WHEN t LIKE '%[]' THEN $m.mg_pg_typename1(regexp_replace(t, '(\[\])+$', '')) || '[]' ELSE $m.mg_pg_typename1(t) END`,
	`pg_typeof(x) AS $m.mg_pg_typename(typeof(x))`,

	// Arrays: DuckDB's nested lists are PostgreSQL's multi-dimensional
	// arrays; an empty array has no dimensions.
	`mg_array_ndims(a) AS CAST(CASE WHEN a IS NULL OR len(a) = 0 THEN NULL
	   ELSE (length(typeof(a)) - length(regexp_replace(typeof(a), '(\[\])+$', ''))) // 2 END AS INTEGER)`,
	`array_ndims(a) AS $m.mg_array_ndims(a)`,
	`array_upper(a, d) AS CASE WHEN a IS NULL OR len(a) = 0 OR d < 1 OR d > $m.mg_array_ndims(a) THEN NULL WHEN d = 1 THEN CAST(len(a) AS INTEGER)
	   ELSE error('[0A000] array_upper of a dimension past the first is not supported') END`,
	`array_lower(a, d) AS CASE WHEN d >= 1 AND d <= $m.mg_array_ndims(a) THEN 1 END`,
	`array_length(a, d) AS CASE WHEN a IS NULL OR len(a) = 0 OR d < 1 OR d > $m.mg_array_ndims(a) THEN NULL WHEN d = 1 THEN CAST(len(a) AS INTEGER)
	   ELSE error('[0A000] array_length of a dimension past the first is not supported') END`,
	`string_to_array(s, d) AS string_split(s, d)`,
}

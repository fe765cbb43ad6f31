-- The SQL semantics corpus (gateway/semantics_test.go): each statement runs
-- on meshgate and on PostgreSQL 15 over the same data (products sem.*,
-- read through postgres ports) and must answer the same values with the
-- same type OIDs, or be refused with the SQLSTATE of its "-- refuse:" line.

-- format()
SELECT format('Hello %s', 'world');
SELECT format('%s|%I|%L|%%|%2$s|%-5s|%5s|', 'a b', 'Col', 'x''y', 3.5::float8, true);
SELECT format('%s %s', 1, NULL), format('%L', NULL), format(NULL), format('%s', 100::float8), format('%s', '\xdead'::bytea);
SELECT format('%1$s %1$s %s', 'a', 'b');
SELECT id, format('%s=%L', t, n2) FROM sem.vals ORDER BY id;
SELECT format('%s', 1, 2);
SELECT format('%s %s', 1);
SELECT format('%d', 1);
SELECT format('%I', NULL::text);

-- regexp_matches() returns a set
SELECT regexp_matches('hello', 'l+');
SELECT regexp_matches('hellollo', 'l+', 'g');
SELECT regexp_matches('abcabd', '(a)(b)(.)', 'g');
SELECT regexp_matches('xyz', 'l+');
SELECT regexp_matches('HeLLo', 'l+', 'gi');
SELECT id, regexp_matches(t, '[lo]+', 'g') FROM sem.vals ORDER BY id;
-- refuse: 0A000
SELECT regexp_matches(t, t) FROM sem.vals;

-- quote_ident, quote_literal, quote_nullable
SELECT quote_ident('column'), quote_ident('abc'), quote_ident('Abc'), quote_ident('a$b'), quote_ident('select'), quote_ident('int'), quote_ident('abort'), quote_ident('a"b'), quote_ident('_x1'), quote_ident('1x');
SELECT quote_ident('user'), quote_ident('between'), quote_ident('order'), quote_ident('name'), quote_ident('timestamp'), quote_ident('values');
SELECT quote_literal(E'a\\b'), quote_literal('it''s'), quote_literal(42), quote_nullable(NULL), quote_nullable('x');
SELECT id, quote_ident(t), quote_literal(t) FROM sem.vals ORDER BY id;

-- decode / encode
SELECT decode('48656c6c6f', 'hex'), decode('SGVsbG8=', 'base64'), decode(E'a\\\\b\\001é', 'escape');
SELECT encode('\x00415c80'::bytea, 'escape'), encode(decode(repeat('ab', 60), 'hex'), 'base64'), encode('hello'::bytea, 'hex');
SELECT id, encode(bin, 'hex'), encode(bin, 'base64'), encode(bin, 'escape') FROM sem.vals ORDER BY id;
SELECT encode(decode('SGVsbG8gV29ybGQ=', 'base64'), 'escape');
SELECT decode('48656c6c6f', 'rot13');

-- pg_typeof (as text: the column of pg_typeof itself is a regtype)
SELECT pg_typeof('hello')::text, pg_typeof('a'::text)::text, pg_typeof(1)::text, pg_typeof(1.5)::text, pg_typeof(1::bigint)::text;
SELECT pg_typeof(now())::text, pg_typeof(ARRAY[1, 2])::text, pg_typeof(NULL)::text, pg_typeof(true)::text, pg_typeof(1.5::float8)::text, pg_typeof(DATE '2024-01-01')::text;
SELECT pg_typeof(id)::text, pg_typeof(i2)::text, pg_typeof(i8)::text, pg_typeof(f8)::text, pg_typeof(n2)::text, pg_typeof(t)::text, pg_typeof(bin)::text, pg_typeof(ia)::text, pg_typeof(ts)::text FROM sem.vals WHERE id = 1;

-- arrays
SELECT array_ndims(ARRAY[[1, 2], [3, 4]]), array_ndims(ARRAY[1]), array_length(ARRAY[1, 2], 1), array_upper(ARRAY[[1, 2], [3, 4]], 1), array_lower(ARRAY[1, 2], 1);
SELECT array_ndims(ARRAY[]::int[]), array_length(ARRAY[]::int[], 1), array_upper(ARRAY[1], 2);
SELECT id, array_ndims(ia), array_length(ia, 1) FROM sem.vals ORDER BY id;

-- format_type
SELECT format_type(1700, 393218), format_type(1700, 393222), format_type(1700, -1), format_type(1043, 14), format_type(1042, -1), format_type(1042, NULL), format_type(23, NULL);

-- numeric: unconstrained numeric keeps its digits
SELECT round(exp(1)::numeric, 5), 1::numeric, '1.50'::numeric, 12.5::numeric, '35.6666666666666667'::numeric;
-- compare: numeric
SELECT id, n FROM sem.vals ORDER BY id;
SELECT grp, mean FROM sem.stats ORDER BY grp;
SELECT n2, n2 * 2, n2 + 1 FROM sem.vals WHERE id = 1;
-- compare: numeric
SELECT exp(1)::numeric, (2.5::numeric(10,2))::numeric, CAST(1.23456 AS numeric);
-- compare: numeric
SELECT sum(n), max(n), min(n) FROM sem.vals;

-- multi-dimensional arrays
SELECT ARRAY[[1, 2], [3, 4]], ARRAY[[['a']]], ARRAY[[1, NULL], [3, 4]], ARRAY[[true], [false]];
SELECT ARRAY[[1, 2], [3]];
SELECT id, iaa, array_ndims(iaa) FROM sem.vals ORDER BY id;
SELECT iaa[1][2], iaa[2][1] FROM sem.vals WHERE id = 1;
-- refuse: 0A000
SELECT ia FROM sem.flat;

-- catalogs: a domain named public is the one public schema
SELECT has_schema_privilege('public', 'USAGE');
SELECT count(*) FROM pg_namespace WHERE nspname = 'public';
SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'public';
SELECT id, t FROM public.pub ORDER BY id;

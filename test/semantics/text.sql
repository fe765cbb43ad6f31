-- Text functions with PostgreSQL's names, results and types.

SELECT initcap('hello wORLD foo-bar'), initcap('élan vital'), initcap('a1b2 c');
SELECT btrim('  xx  '), btrim('xxaxx', 'x'), ltrim('xxa', 'x'), rtrim('axx', 'x');
SELECT lpad('hi', 5), rpad('hi', 5), lpad('hello', 3), lpad('hi', 5, 'ab'), rpad('hi', 1);
SELECT octet_length('héllo'), length('héllo'), char_length('héllo'), bit_length('abc');
SELECT id, octet_length(bin) FROM sem.vals;
SELECT position('lo' in 'hello'), strpos('hello', 'lo'), left('hello', 2), right('hello', 2), left('hello', -2);
SELECT upper('abc'), lower('ABC'), reverse('abc'), repeat('ab', 3), replace('abc', 'b', 'X');
SELECT split_part('a,b,c', ',', 2), concat('a', NULL, 1), concat_ws(',', 'a', NULL, 'b');
SELECT md5('abc'), ascii('A'), chr(65), translate('12345', '143', 'ax'), starts_with('hello', 'he');
SELECT convert_from(convert_to('héllo', 'UTF8'), 'UTF8'), encode(convert_to('hé', 'UTF8'), 'hex');
SELECT 'abc' < 'abd', 'a' < 'B', 'Z' < 'a';
SELECT 1::text || 'a';

-- SIMILAR TO: SQL regular expressions (% and _), matched against the whole string
SELECT 'hello' SIMILAR TO 'h%', 'hello' SIMILAR TO 'h', 'hello' SIMILAR TO '_ello', 'h.llo' SIMILAR TO 'h.llo', 'hello' SIMILAR TO 'h.llo';
SELECT 'abc' SIMILAR TO '(a|b)%', 'abc' SIMILAR TO '[a-c]+', 'a+b' SIMILAR TO 'a\+b', '50%' SIMILAR TO '50\%', 'abc' NOT SIMILAR TO 'a%';
SELECT id, t SIMILAR TO '%o%' FROM sem.vals;
-- refuse: 0A000
SELECT t SIMILAR TO t FROM sem.vals;
-- refuse: 0A000
SELECT 'a' SIMILAR TO 'a' ESCAPE '#';

-- regexp_match: the first match's groups, NULL without a match
SELECT regexp_match('hello', 'l+'), regexp_match('hello', 'x'), regexp_match('abc', '(a)(b)');
SELECT regexp_match('HeLLo', 'l+', 'i');
SELECT id, regexp_match(t, '(l+)(o)') FROM sem.vals;
-- refuse: 0A000
SELECT regexp_match(t, t) FROM sem.vals;
SELECT regexp_replace('hello', 'l', 'L'), regexp_replace('hello', 'l', 'L', 'g'), regexp_replace('abc', '(b)', '[\1]');

-- casts to text: PostgreSQL's text forms
SELECT 1.5::float8::text, 1e10::float8::text, (-0.25)::float8::text, 'Infinity'::float8::text, 100::float8::text;
SELECT '\x00ff'::bytea::text, CAST('\x41'::bytea AS text), true::text, DATE '2024-01-31'::text, 12.50::numeric(5,2)::text;
SELECT id, CAST(f8 AS text), CAST(bin AS text) FROM sem.vals;
SELECT ARRAY[1, 2]::text;
SELECT INTERVAL '1 month'::text;

-- varchar(n) truncates an explicit cast; char(n) is refused
SELECT length('hello world'::varchar(5)), CAST('hello world' AS varchar(5)) = 'hello', 'hi'::varchar(10) = 'hi';
SELECT id, length(t::varchar(3)), t::varchar(3) = left(t, 3) FROM sem.vals;
-- refuse: 0A000
SELECT 'hi'::char(10);
-- refuse: 0A000
SELECT CAST('hi' AS character(3));
-- refuse: 0A000
SELECT 'hello world'::char(5);

-- character(n) values of a PostgreSQL port with padding are refused (the
-- padding counts for LIKE and printing, not for =); values that fill their
-- length are served; varchar(n) is text
-- refuse: 0A000
SELECT id, c = 'ab' FROM sem.chars;
-- refuse: 0A000
SELECT id FROM sem.chars WHERE c = 'ab';
-- refuse: 0A000
SELECT c, count(*) FROM sem.chars GROUP BY c;
SELECT id, v = 'ab', v = 'ab  ', length(v), v || '|', v LIKE 'ab%' FROM sem.chars;
SELECT id, upper(v), replace(v, 'b', 'B') FROM sem.chars;
SELECT id, cc::text, cc = 'DE', cc LIKE 'D%', length(cc), cc || '|' FROM sem.codes;
SELECT id FROM sem.codes WHERE cc IN ('DE', 'XX');
SELECT octet_length(NULL), length(NULL), octet_length(NULL::bytea);
SELECT overlay('Txxxxas' PLACING 'hom' FROM 2 FOR 4), overlay('Txxxxas' PLACING 'hom' FROM 2), overlay('abc' PLACING 'X' FROM 1 FOR -1);
SELECT overlay('abc' PLACING 'X' FROM 10 FOR 1), overlay('abc' PLACING 'XY' FROM 3 FOR 5), overlay('abc' PLACING 'X' FROM 2 FOR -5), overlay('héllo' PLACING 'É' FROM 2 FOR 1);
SELECT id, overlay(t PLACING '__' FROM 2 FOR 1), overlay(t PLACING t FROM 3) FROM sem.vals;
SELECT overlay('abc' PLACING 'X' FROM 0 FOR 1);

-- json constructors: PostgreSQL's separators (", " and " : "), values in
-- their JSON forms (numbers at their scale, timestamps with a T, NULL as
-- null); what would differ is refused.
SELECT json_build_object('a', 1, 'b', 'x', 'c', NULL, 'd', true, 'e', 1.50, 'f', 2.5::float8, 'g', DATE '2024-01-31');
SELECT json_build_object('t', TIMESTAMP '2024-01-31 10:00:00.25', 'n', json_build_object('x', 1));
SELECT json_build_object(1, 2, true, 'q"uote\back'), json_build_object();
SELECT json_build_array(), json_build_array(1, 'a', NULL, true, 1e100::float8, 'NaN'::float8);
SELECT json_build_array(json_build_array(1, 2), json_build_object('k', 'v'));
SELECT id, json_build_object('id', id, 'i2', i2, 'i8', i8, 'f8', f8, 'n2', n2, 't', t, 'b', b, 'd', d, 'ts', ts) FROM sem.vals ORDER BY id;
SELECT id, json_build_array(id, t, n2, d) FROM sem.vals ORDER BY id;
SELECT json_agg(id ORDER BY id) FROM sem.vals;
SELECT json_agg(t ORDER BY id DESC), json_agg(n2 ORDER BY id) FROM sem.vals;
SELECT b, json_agg(json_build_object('id', id, 't', t) ORDER BY id) FROM sem.vals GROUP BY b ORDER BY b;
SELECT json_agg(id) FROM sem.vals WHERE id > 100;
SELECT id, to_json(t), to_json(n2), to_json(ts), to_json(d), to_json(b) FROM sem.vals ORDER BY id;
SELECT json_agg(x) FROM (VALUES (1), (NULL), (3)) t(x);
-- refuse: 22023
SELECT json_build_object('a');
-- refuse: 22023
SELECT json_build_object(NULL, 1);
-- refuse: 0A000
SELECT json_build_object('tz', TIMESTAMPTZ '2024-01-31 10:00:00+00');
-- refuse: 0A000
SELECT json_build_object('iv', INTERVAL '1 day');
-- refuse: 0A000
SELECT json_build_array(ARRAY[1, 2]);
-- refuse: 0A000
SELECT json_agg(DISTINCT id) FROM sem.vals;
-- refuse: 0A000
SELECT json_agg(id) FILTER (WHERE id > 1) FROM sem.vals;
-- refuse: 0A000
SELECT json_agg(id) OVER () FROM sem.vals;
SELECT json_array_length('[1, 2, 3]'::json), json_array_length('[]'), json_array_length(NULL);
-- refuse: 22023
SELECT json_array_length('{"a": 1}');
-- refuse: 22023
SELECT json_array_length('1');
SELECT json_extract_path('{"a": {"b": [10, 20]}}', 'a', 'b', '1'), json_extract_path_text('{"a": {"b": "q"}}', 'a', 'b'), json_extract_path('{"a": 1}', 'zz') IS NULL, json_extract_path('{"1": 5}', '1');
SELECT json_extract_path('{"a": {"b": 1}}'::JSON, 'a', 'b'), json_extract_path_text('{"a": {"b": 1}}'::JSON, 'a', 'b');
SELECT json_extract_path_text('{"a/b": {"c~d": "x"}}', 'a/b', 'c~d'), json_extract_path_text('[1, [2, 3]]', '1', '0'), json_extract_path_text('{"a": null}', 'a') IS NULL;
SELECT json_extract_path('{"a": "s"}', 'a'), json_extract_path('{"a": 1}', NULL) IS NULL, jsonb_extract_path_text('{"k": "v"}', 'k');

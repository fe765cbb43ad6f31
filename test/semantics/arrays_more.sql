-- Array functions of one dimension; a multi-dimensional array where the
-- mapping needs one is 0A000.

SELECT cardinality(ARRAY[1, 2, 3]), cardinality(ARRAY[]::int[]), cardinality(NULL::int[]);
SELECT id, cardinality(ia) FROM sem.vals;
-- refuse: 0A000
SELECT cardinality(ARRAY[[1, 2], [3, 4]]);
SELECT array_remove(ARRAY[1, 2, 1], 1), array_replace(ARRAY[1, 2, 1], 1, 9), array_remove(ARRAY[1, NULL, 2], NULL), array_replace(ARRAY['a', NULL], NULL, 'z');
SELECT id, array_remove(ia, 2), array_replace(ia, 4, 40) FROM sem.vals;
-- refuse: 0A000
SELECT array_remove(ARRAY[[1, 2], [3, 1]], 1);
SELECT array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2]), array_position(ARRAY['a', 'b'], 'b');
SELECT every(b), bool_and(b), bool_or(b) FROM sem.vals;
SELECT id % 2, every(id > 1) FROM sem.vals GROUP BY 1;
SELECT json_typeof('{"a":1}'::json), json_typeof('[1]'::json), json_typeof('1'::json), json_typeof('"x"'::json), json_typeof('true'::json), json_typeof('null'::json), json_typeof('1.5'::json);

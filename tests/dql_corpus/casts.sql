-- Casts, arithmetic and numeric output.

-- name: cast_float_and_double
SELECT id, (metadata_json->'scores'->>'reward')::float AS f, CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION) AS d FROM agent_runs WHERE metadata_json->'scores' ? 'reward' ORDER BY id LIMIT 20
-- name: cast_int_from_text
SELECT id, (metadata_json->>'epoch')::int AS epoch, (metadata_json->>'sample_id')::integer + 1 AS next FROM agent_runs WHERE metadata_json->>'task' = 'inspect_evals/math' ORDER BY id LIMIT 20
-- name: cast_bigint_and_smallint
SELECT id, CAST(metadata_json->>'epoch' AS BIGINT) AS b, CAST(metadata_json->>'epoch' AS SMALLINT) AS s FROM agent_runs ORDER BY id LIMIT 5
-- name: cast_unaliased_names
SELECT (metadata_json->>'epoch')::int, (metadata_json->>'epoch')::float, (metadata_json->>'epoch')::numeric, CAST(metadata_json->>'epoch' AS TEXT), metadata_json->>'epoch' FROM agent_runs ORDER BY id LIMIT 3
-- name: cast_numeric_from_float_text
SELECT id, (metadata_json->>'label_confidence')::numeric AS n FROM agent_runs WHERE metadata_json ? 'label_confidence' ORDER BY id LIMIT 20
-- name: cast_float_to_int_rounds
SELECT (metadata_json->>'label_confidence')::float::int AS r, ((metadata_json->>'label_confidence')::float * 10)::int AS r10 FROM agent_runs WHERE metadata_json ? 'label_confidence' ORDER BY id LIMIT 20
-- name: cast_half_values_to_int
SELECT id, (0.5 + (metadata_json->>'epoch')::int)::int AS numeric_half, (0.5::float + (metadata_json->>'epoch')::int)::int AS float_half FROM agent_runs WHERE metadata_json->>'task' = 'inspect_evals/math' ORDER BY id LIMIT 10
-- name: cast_int_of_decimal_text
SELECT id FROM agent_runs WHERE (metadata_json->'scores'->>'accuracy')::int = 1
-- name: cast_bool
SELECT id, (metadata_json->>'num')::boolean AS b FROM agent_runs WHERE id = 'case-dql-0003'
-- name: cast_text_of_int_and_float
SELECT id, CAST((metadata_json->>'epoch')::int AS TEXT) AS e, CAST((metadata_json->'scores'->>'match')::float AS TEXT) AS m FROM agent_runs WHERE metadata_json->>'task' = 'popularity' ORDER BY id LIMIT 5
-- name: integer_division
SELECT (metadata_json->>'sample_id')::int / 4 AS q, (metadata_json->>'sample_id')::int % 4 AS r, 7 / 2 AS seven_halves, -7 / 2 AS neg FROM agent_runs WHERE metadata_json->>'task' = 'popularity' ORDER BY id LIMIT 10
-- name: float_division
SELECT 7 / 2.0 AS a, 7.0 / 2 AS b, 1 / 3.0 AS c, 2.0 / 3 AS d, 10 / 4::float AS e FROM agent_runs LIMIT 1
-- name: numeric_literals
SELECT 1.50 AS a, 1.5 + 1 AS b, 2.25 * 2 AS c, 0.1 + 0.2 AS d, 1e3 AS e, 3 AS f FROM agent_runs LIMIT 1
-- name: arithmetic_on_floats
SELECT id, (metadata_json->'scores'->>'reward')::float * 100 AS pct, 1 - (metadata_json->'scores'->>'reward')::float AS inv FROM agent_runs WHERE metadata_json->'scores' ? 'reward' ORDER BY id LIMIT 10
-- name: round_and_friends
SELECT round((metadata_json->>'label_confidence')::numeric, 3) AS r3, round((metadata_json->>'label_confidence')::float) AS r0, floor((metadata_json->>'label_confidence')::float * 10) AS fl, ceil((metadata_json->>'label_confidence')::float * 10) AS ce FROM agent_runs WHERE metadata_json ? 'label_confidence' ORDER BY id LIMIT 10
-- name: round_numeric_keeps_scale
SELECT round((metadata_json->'scores'->>'match')::numeric, 2) AS m, round(1.005, 2) AS a, round(2.5) AS b, round(-2.5) AS c FROM agent_runs WHERE metadata_json->>'task' = 'popularity' ORDER BY id LIMIT 5
-- name: math_functions
SELECT abs(-3) AS a, sign(-2.5) AS s, sqrt(16) AS q, power(2, 10) AS p, ln(1) AS l, exp(0) AS e, mod(17, 5) AS m, greatest(1, 5, 3) AS g, least(4, 2, 8) AS le FROM agent_runs LIMIT 1
-- name: power_operator
SELECT 2 ^ 3 AS p FROM agent_runs LIMIT 1
-- name: unary_minus_and_abs
SELECT id, -(metadata_json->>'epoch')::int AS neg, abs((metadata_json->'scores'->>'reward')::float - 0.5) AS dist FROM agent_runs WHERE metadata_json->'scores' ? 'reward' ORDER BY id LIMIT 10
-- name: division_by_zero
SELECT id FROM agent_runs WHERE (metadata_json->>'epoch')::int / 0 > 1
-- name: nullif_avoids_division_by_zero
SELECT count(1) / NULLIF(0, 0) AS x FROM agent_runs
-- name: case_expression
SELECT id, CASE WHEN (metadata_json->'scores'->>'reward')::float >= 0.5 THEN 'pass' WHEN metadata_json->'scores' ? 'reward' THEN 'fail' ELSE 'n/a' END AS verdict FROM agent_runs ORDER BY id LIMIT 40
-- name: case_numeric_mixed
SELECT id, CASE WHEN metadata_json ? 'level' THEN 1 ELSE 0.5 END AS w FROM agent_runs ORDER BY id LIMIT 20
-- name: boolean_output
SELECT id, metadata_json ? 'level' AS has_level, (metadata_json->>'epoch')::int > 1 AS later, NULL::boolean AS nothing FROM agent_runs ORDER BY id LIMIT 20
-- name: coalesce_types
SELECT id, coalesce((metadata_json->'scores'->>'reward')::float, -1) AS reward FROM agent_runs ORDER BY id LIMIT 30
-- name: literal_columns
SELECT 1, 'a', NULL, TRUE, 1.5 FROM agent_runs LIMIT 1
-- name: numeric_arithmetic
SELECT (metadata_json->>'epoch')::numeric * 1.5 AS a, (metadata_json->>'epoch')::numeric + 0.25 AS b, (metadata_json->>'epoch')::numeric / 3 AS c FROM agent_runs WHERE metadata_json->>'task' = 'popularity' ORDER BY id LIMIT 3

-- JSON operators on the awkward keys of dql_edge_metadata.json and on real metadata.

-- name: edge_text_of_every_kind
SELECT id, metadata_json->>'num' AS num, metadata_json->>'num_as_string' AS num_as_string, metadata_json->>'model' AS model FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_json_of_every_kind
SELECT id, metadata_json->'num' AS num, metadata_json->'list' AS list, metadata_json->'null_val' AS null_val FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_text_in_group_by
SELECT metadata_json->>'num' AS num, count(1) AS n FROM agent_runs WHERE id LIKE 'case-dql-%' GROUP BY metadata_json->>'num' ORDER BY num
-- name: edge_text_in_cte
WITH e AS (SELECT id, metadata_json->>'num' AS num FROM agent_runs WHERE id LIKE 'case-dql-%') SELECT e.id, e.num, length(e.num) AS len FROM e ORDER BY e.id
-- name: edge_text_of_object_in_filter
SELECT id FROM agent_runs WHERE metadata_json->>'num' = '{"a": 1}'
-- name: edge_text_of_list_in_filter
SELECT id FROM agent_runs WHERE metadata_json->>'num' = '[1, 2]'
-- name: edge_text_of_tiny_float_in_filter
SELECT id FROM agent_runs WHERE metadata_json->>'num' = '0.000000001'
-- name: edge_text_of_float_in_filter
SELECT id FROM agent_runs WHERE metadata_json->>'num' = '4.0'
-- name: edge_text_of_true_in_filter
SELECT id FROM agent_runs WHERE metadata_json->>'num' = 'true'
-- name: edge_number_vs_string_equality
SELECT id FROM agent_runs WHERE metadata_json->>'num' = metadata_json->>'num_as_string' ORDER BY id
-- name: edge_apostrophe_key
-- error: any (the server renders the key without doubling its quote; PostgreSQL reports a syntax error at a position of that text)
SELECT id, metadata_json->>'it''s' AS v FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_dotted_key
SELECT id, metadata_json->>'a.b' AS dotted, metadata_json->'a'->>'b' AS nested FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_space_key
SELECT id FROM agent_runs WHERE metadata_json->>'sp ace' = 'space key' ORDER BY id
-- name: edge_empty_key
SELECT id, metadata_json->>'' AS empty FROM agent_runs WHERE metadata_json ? '' ORDER BY id
-- name: edge_unicode_key
SELECT id, metadata_json->>'unicode_键' AS u FROM agent_runs WHERE metadata_json->>'unicode_键' = '值' ORDER BY id
-- name: edge_null_value_text
SELECT id, metadata_json->>'null_val' IS NULL AS text_null, metadata_json->'null_val' IS NULL AS json_null, metadata_json ? 'null_val' AS has_key FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_deep_path_operators
SELECT id, metadata_json->'nested'->'deep'->'deeper'->>'value' AS a, metadata_json #>> '{nested,deep,deeper,value}' AS b, metadata_json #> '{nested,deep}' AS c FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_array_index
SELECT id, metadata_json->'list'->>0 AS first, metadata_json->'list'->1 AS second, metadata_json->'list'->>-1 AS last, metadata_json->'list'->>5 AS missing FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_index_on_object
SELECT id, metadata_json->'num'->>0 AS zero, metadata_json->0 AS top FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_text_key_on_array
SELECT id, metadata_json->'list'->>'0' AS key_on_array FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_path_with_index
SELECT id, metadata_json #>> '{list,1}' AS second, metadata_json #> '{list}' AS list FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_empty_path
SELECT id, metadata_json #>> '{}' AS whole FROM agent_runs WHERE id = 'case-dql-0005'
-- name: edge_key_exists_in_array
SELECT id FROM agent_runs WHERE metadata_json->'list' ? '3' ORDER BY id
-- name: edge_key_exists_on_scalar
SELECT id, metadata_json->'model' ? 'gpt-4' AS scalar_string, metadata_json->'num' ? 'a' AS on_num FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_contains_nested
SELECT id FROM agent_runs WHERE metadata_json @> '{"nested": {"deep": {"deeper": {"value": 3}}}}'
-- name: edge_contains_array_element
SELECT id FROM agent_runs WHERE metadata_json @> '{"list": ["5"]}'
-- name: edge_contains_array_number
SELECT id FROM agent_runs WHERE metadata_json->'list' @> '[6]'
-- name: edge_contains_partial_nested_object
SELECT id FROM agent_runs WHERE metadata_json @> '{"num": {}}' ORDER BY id
-- name: edge_contains_number_equal_float
SELECT id FROM agent_runs WHERE metadata_json @> '{"num": 4}' ORDER BY id
-- name: edge_contains_scalar_in_array
SELECT id FROM agent_runs WHERE metadata_json->'num' @> '1' ORDER BY id
-- name: edge_casts_from_text
SELECT id, (metadata_json->>'num_as_string')::float AS f FROM agent_runs WHERE id IN ('case-dql-0000', 'case-dql-0001', 'case-dql-0006', 'case-dql-0007') ORDER BY id
-- name: edge_numeric_from_text
SELECT id, (metadata_json->>'num_as_string')::numeric AS n FROM agent_runs WHERE id IN ('case-dql-0000', 'case-dql-0001', 'case-dql-0006', 'case-dql-0007') ORDER BY id
-- name: edge_bad_float_cast
SELECT id, (metadata_json->>'num_as_string')::float AS f FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_bad_int_cast
SELECT id FROM agent_runs WHERE (metadata_json->>'num_as_string')::int = 4
-- name: edge_string_comparison_of_numbers
SELECT id, metadata_json->>'num_as_string' > '10' AS gt FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: edge_model_quotes_and_backslash
SELECT id, metadata_json->>'model' AS model FROM agent_runs WHERE metadata_json->>'model' LIKE '%\\%' OR metadata_json->>'model' LIKE '%"%' OR metadata_json->>'model' LIKE '%''%' ORDER BY id
-- name: edge_like_percent_escape
SELECT id FROM agent_runs WHERE metadata_json->>'model' LIKE '100\%%'
-- name: edge_ilike_case_variants
SELECT id, metadata_json->>'model' AS model FROM agent_runs WHERE metadata_json->>'model' ILIKE 'gpt-4%' ORDER BY id
-- name: edge_sort_models
SELECT metadata_json->>'model' AS model FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY model
-- name: edge_sort_json_values
SELECT id, metadata_json->'num' AS num FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY metadata_json->'num', id
-- name: edge_whole_metadata
SELECT id, metadata_json FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: real_whole_metadata
SELECT id, metadata_json FROM agent_runs WHERE metadata_json->>'task' = 'popularity' ORDER BY id LIMIT 10
-- name: real_nested_objects
SELECT id, metadata_json->'scoring_metadata' AS sm, metadata_json->>'scoring_metadata' AS sm_text, metadata_json->'tags' AS tags, metadata_json->>'tags' AS tags_text FROM agent_runs ORDER BY id LIMIT 60
-- name: real_float_text
SELECT id, metadata_json->>'label_confidence' AS c, metadata_json->'label_confidence' AS j FROM agent_runs WHERE metadata_json ? 'label_confidence' ORDER BY id LIMIT 30
-- name: real_float_text_in_filter
SELECT count(1) FROM agent_runs WHERE metadata_json->>'label_confidence' LIKE '0.9%'
-- name: real_object_text_in_filter
SELECT count(1) FROM agent_runs WHERE metadata_json->>'scores' LIKE '{"accuracy": 1.0, %'
-- name: real_distinct_text
SELECT DISTINCT metadata_json->'scores'->>'match' AS m FROM agent_runs ORDER BY m
-- name: real_json_group
SELECT metadata_json->'scores' AS scores, count(1) AS n FROM agent_runs WHERE metadata_json->>'task' = 'popularity' GROUP BY metadata_json->'scores' ORDER BY n DESC, scores
-- name: real_distinct_json
SELECT DISTINCT metadata_json->'tags' AS tags FROM agent_runs WHERE metadata_json->>'task' = 'inspect_evals/math' ORDER BY tags
-- name: metadata_alias_column
-- differs: the local engine resolves the metadata alias (§C.7 registry); plain PostgreSQL has no such column
SELECT metadata->>'model' AS model FROM agent_runs ORDER BY id LIMIT 3
-- name: top_level_long_string
SELECT id, length(metadata_json->>'model') AS len FROM agent_runs WHERE metadata_json->>'model' LIKE 'mmm%'
-- name: top_level_long_object_path
SELECT id, metadata_json->'scores'->>'reward' AS reward, length(metadata_json->>'scores') AS len FROM agent_runs WHERE (metadata_json->'scores'->>'reward')::float = 0.25 ORDER BY id
-- name: top_level_long_array
SELECT id, metadata_json->'tags'->>0 AS first_tag FROM agent_runs WHERE metadata_json->>'task' = 'long'
-- name: top_level_scalar_index_quirk
SELECT id, metadata_json->'epoch'->>0 AS epoch0, metadata_json->'model'->>'x' AS key_on_string, metadata_json->'scores'->'reward'->>0 AS nested_scalar0 FROM agent_runs WHERE metadata_json->>'task' = 'inspect_evals/cybench' ORDER BY id LIMIT 5
-- name: top_level_values_of_every_kind
SELECT id, metadata_json->>'solution' AS solution, metadata_json->>'scoring_metadata' AS sm, metadata_json->>'epoch' AS epoch, metadata_json->'tags' AS tags FROM agent_runs WHERE metadata_json ? 'solution' ORDER BY id LIMIT 20
-- name: top_level_text_in_where_exact_context
SELECT id FROM agent_runs WHERE length(metadata_json->>'scores') > 40 AND metadata_json->>'scores' LIKE '{"reward"%' ORDER BY id
-- name: top_level_key_exists_nested
SELECT count(1) FROM agent_runs WHERE metadata_json->'scoring_metadata' ? 'accuracy' AND NOT metadata_json ? 'solution'
-- Awkward keys the server can read: a #> / #>> text-array path renders faithfully (-> does not).
-- name: awkward_key_quote_via_path
SELECT id, metadata_json #>> '{it''s}' AS v, metadata_json #> '{it''s}' AS j FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: awkward_key_empty_via_path
SELECT id, metadata_json #>> '{""}' AS v, metadata_json #> '{""}' AS j FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: awkward_keys_nested_via_path
SELECT id, metadata_json #>> '{a.b}' AS dotted, metadata_json #>> '{"sp ace"}' AS spaced, metadata_json #>> '{a,b}' AS nested, metadata_json #>> '{"a,b"}' AS comma FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: empty_key_step_is_the_document
SELECT id, metadata_json->'' AS j FROM agent_runs WHERE id = 'case-dql-0001'

-- Children of short objects (pre-extracted by the engine): every kind of value and key.
-- name: nested_text_of_every_kind
SELECT id, metadata_json->'n'->>'null' AS a, metadata_json->'n'->>'obj' AS b, metadata_json->'n'->>'arr' AS c, metadata_json->'n'->>'t' AS d FROM agent_runs WHERE id LIKE 'case-nested-%' ORDER BY id
-- name: nested_text_of_numbers
SELECT id, metadata_json->'n'->>'tiny' AS a, metadata_json->'n'->>'big' AS b, metadata_json->'n'->>'four' AS c, metadata_json->'n'->>'neg' AS d, metadata_json->'n'->>'int' AS e FROM agent_runs WHERE id LIKE 'case-nested-%' ORDER BY id
-- name: nested_text_of_awkward_keys
SELECT id, metadata_json->'n'->>'sl/ash' AS a, metadata_json->'n'->>'ti~lde' AS b, metadata_json->'n'->>'' AS c, metadata_json->'n'->>'键' AS d, metadata_json->'n'->>'0' AS e FROM agent_runs WHERE id LIKE 'case-nested-%' ORDER BY id
-- name: nested_text_under_non_objects
SELECT id, metadata_json->'scalar'->>'x' AS a, metadata_json->'arr'->>'k' AS b, metadata_json->'missing'->>'x' AS c, metadata_json->'n'->>'missing' AS d FROM agent_runs WHERE id LIKE 'case-nested-%' ORDER BY id
-- name: nested_text_in_filters
SELECT id FROM agent_runs WHERE metadata_json->'n'->>'four' = '4.0' OR metadata_json->'n'->>'tiny' = '0.000000001' OR metadata_json->'n'->>'t' = 'false' OR metadata_json->'n'->>'obj' = '{"a": [1, 2], "b": 1}' ORDER BY id
-- name: nested_text_is_null
SELECT id FROM agent_runs WHERE id LIKE 'case-nested-%' AND metadata_json->'n'->>'null' IS NULL ORDER BY id
-- name: nested_path_operator
SELECT id, metadata_json #>> '{n,four}' AS a, metadata_json #>> '{n,obj}' AS b FROM agent_runs WHERE id LIKE 'case-nested-%' ORDER BY id
-- name: nested_scores_in_filters_and_casts
SELECT count(1) AS n FROM agent_runs WHERE CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION) < 0.5 OR metadata_json->'scores'->>'accuracy' = '1'
-- name: nested_long_object_child
SELECT id, metadata_json->'scores'->>'reward' AS reward, length(metadata_json->'scores'->>'notes') AS notes FROM agent_runs WHERE id = 'case-long-values'
-- jsonb compared with jsonb (neither a literal): type order, numbers by value, strings bytewise.
-- name: jsonb_pairs_of_every_kind
SELECT a.id, b.id AS other, a.metadata_json->'num' < b.metadata_json->'num' AS lt, a.metadata_json->'num' = b.metadata_json->'num' AS eq, a.metadata_json->'num' >= b.metadata_json->'num' AS ge FROM agent_runs AS a JOIN agent_runs AS b ON a.id LIKE 'case-dql-%' AND b.id LIKE 'case-dql-%' ORDER BY a.id, b.id
-- name: jsonb_pair_number_and_string
SELECT id, metadata_json->'num' <> metadata_json->'num_as_string' AS differ FROM agent_runs WHERE id LIKE 'case-dql-%' ORDER BY id
-- name: jsonb_against_a_subquery
SELECT count(1) AS n FROM agent_runs WHERE metadata_json->'epoch' > (SELECT metadata_json->'epoch' FROM agent_runs WHERE agent_runs.id LIKE 'case-dql-%' ORDER BY agent_runs.id LIMIT 1)

-- Aggregates, grouping, windows, CTEs and set operations.

-- name: count_variants
SELECT count(), count(1), count(name), count(DISTINCT metadata_json->>'model') FROM agent_runs
-- name: count_by_model
SELECT metadata_json->>'model' AS model, count(1) AS n FROM agent_runs GROUP BY metadata_json->>'model' ORDER BY n DESC, model
-- name: count_by_task_order_by_alias
SELECT metadata_json->>'task' AS task, count() AS n FROM agent_runs GROUP BY metadata_json->>'task' ORDER BY task DESC
-- name: group_by_position
SELECT metadata_json->>'difficulty' AS difficulty, count(1) AS n FROM agent_runs GROUP BY 1 ORDER BY 1
-- name: order_by_position
SELECT id, metadata_json->>'model' AS model FROM agent_runs ORDER BY 2 DESC, 1 LIMIT 30
-- name: having_filter
SELECT metadata_json->>'model' AS model, count(1) AS n FROM agent_runs GROUP BY metadata_json->>'model' HAVING count(1) > 20 ORDER BY model
-- name: avg_of_float
SELECT metadata_json->>'model' AS model, avg((metadata_json->'scores'->>'reward')::float) AS reward FROM agent_runs WHERE metadata_json->'scores' ? 'reward' GROUP BY metadata_json->>'model' ORDER BY model
-- name: avg_of_int
SELECT avg((agent_runs.metadata_json->>'epoch')::int) AS epoch, avg(judge_results.rubric_version) AS v FROM agent_runs, judge_results WHERE judge_results.agent_run_id = agent_runs.id
-- name: avg_of_int_per_group
SELECT metadata_json->>'task' AS task, avg((metadata_json->>'epoch')::int) AS epoch FROM agent_runs GROUP BY metadata_json->>'task' ORDER BY task
-- name: sum_min_max
SELECT sum((metadata_json->>'epoch')::int) AS s, min((metadata_json->>'epoch')::int) AS lo, max((metadata_json->>'epoch')::int) AS hi, sum((metadata_json->'scores'->>'reward')::float) AS r FROM agent_runs
-- name: sum_of_numeric
SELECT sum((metadata_json->'scores'->>'reward')::numeric) AS r, max((metadata_json->'scores'->>'reward')::numeric) AS m FROM agent_runs
-- name: min_max_text
SELECT min(metadata_json->>'model') AS lo, max(metadata_json->>'model') AS hi, min(name) AS first_name, max(created_at) AS latest FROM agent_runs
-- name: stddev_variance
SELECT stddev((metadata_json->'scores'->>'reward')::float) AS sd, stddev_pop((metadata_json->'scores'->>'reward')::float) AS sdp, variance((metadata_json->'scores'->>'reward')::float) AS v, var_samp((metadata_json->'scores'->>'reward')::float) AS vs FROM agent_runs
-- name: stddev_of_int
SELECT stddev((metadata_json->>'epoch')::int) AS sd FROM agent_runs
-- name: percentile_cont_disc
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY (metadata_json->'scores'->>'reward')::float) AS median, percentile_disc(0.9) WITHIN GROUP (ORDER BY (metadata_json->'scores'->>'reward')::float) AS p90 FROM agent_runs
-- name: percentile_per_group
SELECT metadata_json->>'model' AS model, percentile_cont(0.25) WITHIN GROUP (ORDER BY (metadata_json->'scores'->>'reward')::float) AS q1 FROM agent_runs WHERE metadata_json->'scores' ? 'reward' GROUP BY metadata_json->>'model' ORDER BY model
-- name: mode_within_group
SELECT metadata_json->>'task' AS task, mode() WITHIN GROUP (ORDER BY metadata_json->>'model') AS top_model FROM agent_runs GROUP BY metadata_json->>'task' ORDER BY task
-- name: mode_unaliased
SELECT mode() WITHIN GROUP (ORDER BY metadata_json->>'difficulty') FROM agent_runs
-- name: string_agg_ordered
SELECT metadata_json->>'task' AS task, string_agg(DISTINCT metadata_json->>'model', ', ' ORDER BY metadata_json->>'model') AS models FROM agent_runs GROUP BY metadata_json->>'task' ORDER BY task
-- name: string_agg_of_names
SELECT string_agg(name, ' | ' ORDER BY name DESC) AS names FROM agent_runs WHERE name LIKE 'math/1%'
-- name: json_agg_values
SELECT metadata_json->>'task' AS task, json_agg(metadata_json->'scores' ORDER BY id) AS scores FROM agent_runs WHERE metadata_json->>'task' = 'popularity' GROUP BY metadata_json->>'task'
-- name: json_agg_text
SELECT json_agg(id ORDER BY id) AS ids FROM agent_runs WHERE id LIKE 'case-dql-%'
-- name: json_agg_numbers
SELECT json_agg((metadata_json->>'epoch')::int ORDER BY id) AS epochs FROM agent_runs WHERE id LIKE 'case-dql-%' OR metadata_json->>'task' = 'inspect_evals/cybench'
-- name: jsonb_build_object_row
SELECT id, jsonb_build_object('model', metadata_json->>'model', 'epoch', (metadata_json->>'epoch')::int, 'scores', metadata_json->'scores') AS summary FROM agent_runs ORDER BY id LIMIT 20
-- name: jsonb_build_object_literals
SELECT jsonb_build_object('b', 1, 'a', 'x', 'long_key', true, 'n', NULL) AS o FROM agent_runs LIMIT 1
-- name: array_agg_text
SELECT metadata_json->>'difficulty' AS d, array_agg(id ORDER BY id) AS ids FROM agent_runs WHERE metadata_json->>'task' = 'inspect_evals/cybench' GROUP BY metadata_json->>'difficulty' ORDER BY d
-- name: filter_clause
SELECT count(1) FILTER (WHERE metadata_json->>'model' ILIKE '%gpt%') AS gpt, count(1) FILTER (WHERE created_at IS NULL) AS undated FROM agent_runs
-- name: distinct_models
SELECT DISTINCT metadata_json->>'model' AS model FROM agent_runs ORDER BY model
-- name: count_distinct_per_group
SELECT metadata_json->>'model' AS model, count(DISTINCT metadata_json->>'task') AS tasks FROM agent_runs GROUP BY metadata_json->>'model' ORDER BY model
-- name: window_row_number_partition
SELECT id, metadata_json->>'model' AS model, row_number() OVER (PARTITION BY metadata_json->>'model' ORDER BY id) AS rn FROM agent_runs WHERE created_at IS NOT NULL ORDER BY model, rn
-- name: window_rank_dense_rank
SELECT id, rank() OVER (ORDER BY (metadata_json->>'epoch')::int) AS r, dense_rank() OVER (ORDER BY (metadata_json->>'epoch')::int) AS dr FROM agent_runs ORDER BY id LIMIT 40
-- name: window_lag_lead
SELECT id, lag(id) OVER (ORDER BY created_at, id) AS prev, lead(id, 2) OVER (ORDER BY created_at, id) AS next2 FROM agent_runs WHERE created_at IS NOT NULL ORDER BY created_at, id LIMIT 30
-- name: window_running_sum
SELECT id, sum((metadata_json->'scores'->>'reward')::float) OVER (ORDER BY created_at, id) AS running FROM agent_runs WHERE metadata_json->'scores' ? 'reward' ORDER BY created_at, id
-- name: window_first_last_nth
SELECT id, first_value(id) OVER (PARTITION BY metadata_json->>'task' ORDER BY id) AS f, last_value(id) OVER (PARTITION BY metadata_json->>'task' ORDER BY id) AS l, nth_value(id, 2) OVER (PARTITION BY metadata_json->>'task' ORDER BY id) AS n2 FROM agent_runs ORDER BY id
-- name: window_ntile_percent_rank
SELECT id, ntile(4) OVER (ORDER BY id) AS quartile, percent_rank() OVER (ORDER BY id) AS pr, cume_dist() OVER (ORDER BY id) AS cd FROM agent_runs ORDER BY id LIMIT 50
-- name: window_count_partition
SELECT id, count(1) OVER (PARTITION BY metadata_json->>'model') AS per_model FROM agent_runs ORDER BY id LIMIT 50
-- name: window_avg_int_partition
SELECT id, avg((metadata_json->>'epoch')::int) OVER (PARTITION BY metadata_json->>'task') AS task_epoch FROM agent_runs ORDER BY id LIMIT 20
-- name: window_in_cte_top_per_model
WITH ranked AS (SELECT id, metadata_json->>'model' AS model, (metadata_json->'scores'->>'reward')::float AS reward, row_number() OVER (PARTITION BY metadata_json->>'model' ORDER BY (metadata_json->'scores'->>'reward')::float DESC, id) AS rn FROM agent_runs WHERE metadata_json->'scores' ? 'reward') SELECT ranked.model, ranked.id, ranked.reward FROM ranked WHERE ranked.rn <= 2 ORDER BY ranked.model, ranked.rn
-- name: cte_chain
WITH a AS (SELECT id, metadata_json->>'model' AS model FROM agent_runs), b AS (SELECT a.model, count(1) AS n FROM a GROUP BY a.model) SELECT b.model, b.n FROM b WHERE b.n > 5 ORDER BY b.n DESC, b.model
-- name: cte_join_transcripts
WITH tc AS (SELECT t.agent_run_id, count(1) AS n FROM transcripts t GROUP BY t.agent_run_id) SELECT ar.id, tc.n FROM agent_runs ar JOIN tc ON tc.agent_run_id = ar.id WHERE tc.n > 1 ORDER BY ar.id
-- name: derived_table
SELECT s.model, s.n FROM (SELECT metadata_json->>'model' AS model, count(1) AS n FROM agent_runs GROUP BY metadata_json->>'model') s ORDER BY s.n DESC, s.model
-- name: scalar_subquery
SELECT ar.id, (SELECT count(1) FROM transcripts t WHERE t.agent_run_id = ar.id) AS transcripts FROM agent_runs ar ORDER BY ar.id LIMIT 40
-- name: scalar_subquery_unaliased
SELECT (SELECT count(1) FROM transcripts) FROM agent_runs LIMIT 1
-- name: union_all
SELECT id FROM agent_runs WHERE metadata_json->>'difficulty' = 'hard' UNION ALL SELECT agent_run_id FROM judge_results
-- name: union_ordered_limited
SELECT id AS x FROM agent_runs WHERE metadata_json->>'difficulty' = 'hard' UNION SELECT agent_run_id FROM judge_results ORDER BY x LIMIT 10
-- name: intersect
SELECT id FROM agent_runs WHERE metadata_json->>'model' ILIKE '%gpt%' INTERSECT SELECT agent_run_id FROM judge_results
-- name: except
SELECT id FROM agent_runs WHERE created_at IS NOT NULL EXCEPT SELECT agent_run_id FROM transcripts WHERE transcript_group_id IS NOT NULL
-- name: union_mixed_names
SELECT name AS label FROM agent_runs WHERE name LIKE 'ctf/%' UNION SELECT rubric_id FROM judge_results
-- name: join_runs_transcripts_groups
SELECT ar.id, t.id AS transcript_id, tg.name AS group_name FROM agent_runs ar JOIN transcripts t ON t.agent_run_id = ar.id LEFT JOIN transcript_groups tg ON tg.id = t.transcript_group_id ORDER BY ar.id, t.id
-- name: left_join_scoped_like_the_server
SELECT ar.id, jr.id AS judge_result FROM agent_runs ar LEFT JOIN judge_results jr ON jr.agent_run_id = ar.id ORDER BY ar.id, jr.id
-- name: cross_join_count
SELECT count(1) FROM agent_runs a CROSS JOIN judge_results j WHERE a.id = j.agent_run_id
-- name: self_join_same_model
SELECT a.id, count(b.id) AS same_model FROM agent_runs a JOIN agent_runs b ON a.metadata_json->>'model' = b.metadata_json->>'model' AND a.id <> b.id WHERE a.metadata_json->>'task' = 'inspect_evals/cybench' GROUP BY a.id ORDER BY a.id
-- name: json_object_agg_pairs
SELECT json_object_agg(id, metadata_json->>'epoch') AS epochs FROM agent_runs WHERE id LIKE 'case-dql-000%'
-- name: string_agg_with_filter
SELECT string_agg(id, ',' ORDER BY id) FILTER (WHERE id LIKE 'case-dql-000%') AS ids FROM agent_runs
-- name: date_part_and_to_date
SELECT date_part('year', created_at) AS y, to_date('2024-01-05', 'YYYY-MM-DD') AS d FROM agent_runs WHERE created_at IS NOT NULL ORDER BY id LIMIT 3
-- name: order_desc_nulls_last
SELECT id, metadata_json->>'difficulty' AS difficulty FROM agent_runs ORDER BY metadata_json->>'difficulty' DESC NULLS LAST, id
-- name: order_asc_nulls_first
SELECT id, name FROM agent_runs ORDER BY name ASC NULLS FIRST, id LIMIT 40
-- name: order_desc_default_nulls
SELECT id, metadata_json->'scores'->'reward' AS reward FROM agent_runs ORDER BY metadata_json->'scores'->'reward' DESC, id LIMIT 40
-- name: string_agg_desc_nulls_last
SELECT string_agg(id, ',' ORDER BY metadata_json->>'difficulty' DESC NULLS LAST, id) AS ids FROM agent_runs
-- A condition that is not boolean, in the other clauses that need one.
SELECT count() AS n FROM agent_runs GROUP BY agent_runs.name HAVING count()
SELECT count(1) FILTER (WHERE 1) AS n FROM agent_runs
SELECT agent_runs.id FROM agent_runs JOIN transcripts ON 1 LIMIT 1
